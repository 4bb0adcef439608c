"""Words customers type that are not the catalog's own: pinyin from an input method left in
Latin mode, shade and style names in the other language, compound values named word by word.

The shop (catalogs/beauty_drinks_wear.json) writes its option values in one language each - lip
shades 豆沙色 / 正红 / 奶茶色, jacket colours olive / navy / cream, flavours "Oat Latte" /
"Coconut Latte" / "Americano", cubes "2x2" / "3x3" / "5x5", fans 充电款 / 电池款 - and customers
name them their own way. Every conversation is checked by the cart or the orders it ends with.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.bootstrap import refresh_nlu_vocabulary
from chatcart.cli.chat import run_script
from core.mongo import Document
from tests.shop_database import throwaway_shop

CATALOG = Path(__file__).parent / "catalogs" / "beauty_drinks_wear.json"
ADDRESS = "王磊 13912345678 江苏省南京市鼓楼区中山路18号"


@pytest.fixture(scope="module")
async def words_shop(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[Any]:
    async with throwaway_shop(
        mongo_uri,
        mongo_client,
        Path(tmp_path_factory.mktemp("words")),
        db_prefix="conv_words",
        sandbox_secret="words-tests-sandbox-secret",
    ) as container:
        report = await container.commerce.catalog.import_catalog(json.loads(CATALOG.read_text("utf-8")))
        assert report.ok, report
        await refresh_nlu_vocabulary(container)
        yield container


async def _converse(shop: Any, lang: str, lines: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    results = await run_script(shop, lines, user=f"words-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    return final["summary"], turns


def _cart(summary: dict[str, Any]) -> dict[str, int]:
    return {line["sku"]: int(line["qty"]) for line in summary["cart"]}


def _transcript(turns: list[dict[str, Any]]) -> str:
    return "\n".join(f"> {t['input']}\n  [{t['intent']}] " + " / ".join(r["text"] for r in t["replies"]) for t in turns)


# --- 1. Chinese typed in pinyin ---------------------------------------------------------------------

PINYIN_CART = [
    (["短袖T恤 白色的一件", "烟灰色的也来一件", "baise de shandiao"], {"TS-GY": 1}),
    (["唇釉 正红 来一支", "gouwuche li you shenme"], {"LC-ZH": 1}),
    (["纯棉短袖T恤", "baise de yao liang jian"], {"TS-WH": 2}),
    (["工装夹克 藏青 M码", "bu yao le shan le ba"], {}),
]


@pytest.mark.parametrize(("lines", "expected"), PINYIN_CART)
async def test_cart_requests_typed_in_pinyin(words_shop: Any, lines: list[str], expected: dict[str, int]) -> None:
    summary, turns = await _converse(words_shop, "zh", lines)
    assert _cart(summary) == expected, _transcript(turns)


CANCEL_IN_PINYIN = ["那个dingdan quxiao ba", "dingdan bu yao le", "刚下的单 wo bu xiang yao le"]


@pytest.mark.parametrize("cancel", CANCEL_IN_PINYIN)
async def test_cancelling_an_order_in_pinyin(words_shop: Any, cancel: str) -> None:
    lines = ["唇釉 正红 一支", "jiesuan", ADDRESS, "kuaidi", "mei you", "queren", cancel, "shi de"]
    summary, turns = await _converse(words_shop, "zh", lines)
    assert [order["status"] for order in summary["orders"]] == ["cancelled"], _transcript(turns)
