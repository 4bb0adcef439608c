from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from chatcart.cli import catalog as catalog_cli
from commerce.catalog import CatalogService
from commerce.catalog.demo import demo_store_data, seed_demo, seed_demo_store
from commerce.catalog.demo.images import render_product_image
from commerce.promotions.service import PromotionService
from core.mongo import Database


def test_demo_store_is_big_bilingual_and_varied() -> None:
    data = demo_store_data()
    products, categories = data["products"], data["categories"]
    assert len(products) >= 40
    assert len([c for c in categories if c["parent"] is None]) >= 6
    assert all(p["title"]["zh"] and p["title"]["en"] and p["description"]["en"] for p in products)
    assert all(p["images"] == [f"/media/products/{p['code']}.png"] for p in products)
    stocks = [s["stock"] for p in products for s in p["skus"]]
    assert stocks.count(0) >= 3
    assert any(0 < n <= 3 for n in stocks)
    assert any("颜色" in s["specs"] and "尺码" in s["specs"] for p in products for s in p["skus"])
    assert all(s["currency"] == "CNY" for p in products for s in p["skus"])


def test_product_images_are_deterministic_pngs() -> None:
    first = render_product_image("P100", "phones")
    assert first == render_product_image("P100", "phones") != render_product_image("P101", "phones")
    image = Image.open(io.BytesIO(first))
    assert image.format == "PNG"
    assert image.size == (480, 480)


@dataclass(frozen=True)
class DemoParts:
    catalog: CatalogService
    promotions: PromotionService


async def test_seed_demo_writes_pictures_and_respects_if_empty(
    catalog: CatalogService, db: Database, tmp_path: Path
) -> None:
    promotions = PromotionService(db, currency="CNY")
    report = await seed_demo_store(DemoParts(catalog, promotions), tmp_path, if_empty=True)
    assert report is not None
    assert report.ok
    assert report.created == len(demo_store_data()["products"])
    pictures = sorted(p.name for p in (tmp_path / "media" / "products").iterdir())
    assert "P100.png" in pictures
    assert len(pictures) == report.created
    assert {c["_id"] async for c in db.coupons.find({}, {"_id": 1})} >= {"WELCOME10", "SAVE20"}
    assert await seed_demo(catalog, tmp_path / "media", if_empty=True) is None
    again = await seed_demo(catalog, tmp_path / "media")
    assert again is not None
    assert again.unchanged == report.created


# --- CLI -------------------------------------------------------------------------------------------
@pytest.fixture
def cli_db(mongo_uri: str, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Point the real CLI (and its real container) at this test's database."""
    monkeypatch.setenv("MONGODB_URI", mongo_uri)
    monkeypatch.setenv("CHATCART_DB_NAME", db.name)
    monkeypatch.setenv("CHATCART_DATA_DIR", str(tmp_path))
    return db.name


def test_cli_import_invalid_file_exits_1_with_paths(cli_db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"products": [{"code": "P1", "category": "nope", "title": "x", "skus": [{"sku": "S1", "price": "1.234"}]}]}
        )
    )
    result = CliRunner().invoke(catalog_cli.catalog, ["import", str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert {e["path"] for e in report["errors"]} == {"products[0].category", "products[0].skus[0].price"}
    not_json = tmp_path / "broken.json"
    not_json.write_text("{")
    result = CliRunner().invoke(catalog_cli.catalog, ["import", str(not_json)])
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_cli_seed_import_export_round_trip(cli_db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(catalog_cli.seed_demo, ["--if-empty"])
    assert seeded.exit_code == 0, seeded.output
    assert "45 created" in seeded.output
    assert (tmp_path / "media" / "products" / "P100.png").exists()
    assert "not empty" in runner.invoke(catalog_cli.seed_demo, ["--if-empty"]).output
    out = tmp_path / "export.json"
    assert runner.invoke(catalog_cli.catalog, ["export", "--output", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert len(exported["products"]) == 45
    dry = runner.invoke(catalog_cli.catalog, ["import", str(out), "--dry-run"])
    assert dry.exit_code == 0
    assert "dry run: 0 created, 0 updated, 45 unchanged" in dry.output
