"""The demo store: ~45 bilingual products in 7 top-level categories, seeded through the importer.

`store.json` is in the catalog exchange format; its image URLs point at
`/media/products/<code>.png`, which `seed_demo` draws into `<media_dir>/products/`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from commerce.catalog.importer import ImportReport, parse_catalog_json
from commerce.catalog.service import CatalogService
from commerce.promotions.service import PromotionService, seed_demo_coupons

from .images import write_product_images

MEDIA_PREFIX = "/media/products/"


class DemoShop(Protocol):
    """The part of `commerce.services.Commerce` the demo store is seeded through."""

    @property
    def catalog(self) -> CatalogService: ...

    @property
    def promotions(self) -> PromotionService: ...


def demo_store_data() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath("store.json").read_text(encoding="utf-8")
    data: dict[str, Any] = parse_catalog_json(raw)
    return data


async def seed_demo_store(commerce: DemoShop, data_dir: Path, *, if_empty: bool = False) -> ImportReport | None:
    """`chatcart seed-demo` / `serve --demo`: the demo catalog and coupons; pictures go to
    `<data_dir>/media/products/` (served under /media/products/)."""
    report = await seed_demo(commerce.catalog, Path(data_dir) / "media", if_empty=if_empty)
    if report is not None and report.ok:
        await seed_demo_coupons(commerce.promotions)  # WELCOME10, SAVE20: idempotent
    return report


async def seed_demo(catalog: CatalogService, media_dir: Path, *, if_empty: bool = False) -> ImportReport | None:
    """Import the demo store (idempotent) and draw its pictures. None when skipped (`if_empty`)."""
    if if_empty and not await catalog.is_empty():
        return None
    data = demo_store_data()
    report = await catalog.import_catalog(data)
    if report.ok:
        write_product_images(((p["code"], p["category"]) for p in data["products"]), media_dir / "products")
    return report
