"""Cash on delivery asked in passing: the shop's answer (dialogs/faq.yml, cash_on_delivery), then the
step or the conversation goes on - at the address step the address still follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop, enough_stock
from tests.conversations.talk import converse

BUY = {"zh": ["相思木砧板来一块", "去结算"], "en": ["one acacia cutting board please", "checkout"]}
ADDRESS = {
    "zh": "王磊 13800138000 上海市徐汇区漕溪北路88号",
    "en": "Tom Lee 13800138000 88 Caoxi North Rd, Xuhui District, Shanghai",
}
NO_COD = {"zh": "暂不支持货到付款", "en": "don't offer cash on delivery"}
METHODS = {"zh": "配送方式", "en": "how should we ship"}


@pytest.fixture(scope="module")
async def wood_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("wood_and_flowers") as shop:
        yield shop


@pytest.mark.parametrize(
    ("lang", "question"),
    [("zh", "可以货到付款吗"), ("zh", "能到付不"), ("en", "can i pay cash on delivery?"), ("en", "do u do COD")],
)
async def test_cash_on_delivery_at_the_address_step_is_answered_and_the_address_still_taken(
    wood_shop: Any, lang: str, question: str
) -> None:
    await enough_stock(wood_shop, {"CB-ACA": 50})
    talk = await converse(wood_shop, lang, [*BUY[lang], question, ADDRESS[lang]], who="cod")
    assert NO_COD[lang] in talk.said(2), talk.transcript()
    assert METHODS[lang] in talk.said().lower(), talk.transcript()


@pytest.mark.parametrize(("lang", "question"), [("zh", "你们支持货到付款吗"), ("en", "is cash on delivery possible")])
async def test_cash_on_delivery_asked_out_of_the_blue(wood_shop: Any, lang: str, question: str) -> None:
    talk = await converse(wood_shop, lang, [question], who="cod-ask")
    assert NO_COD[lang] in talk.said(0), talk.transcript()
