"""Cancelling, refunding, returning and exchanging an order in the customer's words, by what the
order's state allows - on a catalog the flows were not written for (catalogs/games_fitness_home.json).

- Not paid yet: a plain request to cancel it ("订单帮我取消掉 还没付", "scrap the order") cancels it
  at once and says so; asked as a question ("can I still cancel it?") it is confirmed first, and
  the answer in any words is understood.
- Paid, not shipped: asking for the money back (also as a question, "能退款吗") opens the refund at
  once - no person, no photos asked for; the other size can be bought afterwards.
- Delivered: a return or exchange that says why opens one request of that kind; "直接退吧 不换了"
  afterwards is the same return, not a second request; "swap them for the deluxe one" with an
  empty cart is an exchange of the delivered order, not a new purchase.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import Conversation, converse

ZH_ADDRESS = "何静 13700005555 广东省广州市天河区体育西路88号1201"
EN_ADDRESS = "Nora Lin, 13900004444, 18 Tianmu Rd, Jing'an District, Shanghai"
ZH_MAT = ["瑜伽垫 6mm 来一张", "结账", ZH_ADDRESS, "@快递", "不用了", "确认"]
EN_MAT = ["yoga mat 6mm, one please", "checkout", EN_ADDRESS, "@Express", "no", "yes"]
ZH_GAME = ["狼人杀桌游 标准版 来一个", "结账", ZH_ADDRESS, "@快递", "不用了", "确认"]
EN_GAME = ["werewolf party game standard, one", "checkout", EN_ADDRESS, "@Express", "no", "yes"]
DELIVERED = ["!pay", "!ship", "!deliver"]


@pytest.fixture(scope="module")
async def fitness_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("games_fitness_home") as shop:
        yield shop


def _statuses(talk: Conversation) -> list[str]:
    return [order["status"] for order in talk.summary["orders"]]


def _requests(talk: Conversation) -> list[str]:
    return [request["kind"] for request in talk.summary["after_sales"]]


# --- not paid yet: cancelled when asked plainly --------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "history", "ask"),
    [
        ("zh", ZH_MAT, "哎呀 选错厚度了 订单帮我取消掉 还没付"),
        ("zh", ZH_GAME, "朋友说他有一套了 刚那单不要了 撤销吧"),
        ("en", EN_MAT, "oops ordered the wrong one, pls cancel my order, i didnt pay yet"),
        ("en", EN_GAME, "scrap the order, my roommate already owns it"),
    ],
)
async def test_a_plain_request_cancels_the_unpaid_order_at_once(
    fitness_shop: Any, lang: str, history: list[str], ask: str
) -> None:
    talk = await converse(fitness_shop, lang, [*history, ask], who="cancel")
    assert _statuses(talk) == ["cancelled"], talk.transcript()
    assert ("已取消" in talk.said()) or ("cancelled" in talk.said().lower()), talk.transcript()
    assert talk.summary["handoff"] == "none"


@pytest.mark.parametrize(
    ("lang", "history", "ask", "answer", "status"),
    [
        ("en", EN_MAT, "can i still cancel this order?", "yeah do it", "cancelled"),
        ("zh", ZH_MAT, "这单还能取消吗", "嗯嗯 取消", "cancelled"),
        ("en", EN_GAME, "could you cancel it?", "nah keep it", "pending_payment"),
        ("zh", ZH_GAME, "取消订单", "嗯 确定", "cancelled"),  # the bare command, confirmed like its button
    ],
)
async def test_a_cancel_asked_as_a_question_is_confirmed_and_the_answer_understood(
    fitness_shop: Any, lang: str, history: list[str], ask: str, answer: str, status: str
) -> None:
    talk = await converse(fitness_shop, lang, [*history, ask, answer], who="cancel-q")
    assert _statuses(talk) == [status], talk.transcript()


@pytest.mark.parametrize(
    ("lang", "history", "ask", "again"),
    [
        ("zh", ZH_MAT, "这单取消吧 不要了", "嗯 取消吧"),
        ("en", EN_MAT, "cancel the order please, ordered the wrong thickness", "yes cancel it"),
    ],
)
async def test_saying_it_again_after_the_cancellation_says_it_is_done(
    fitness_shop: Any, lang: str, history: list[str], ask: str, again: str
) -> None:
    talk = await converse(fitness_shop, lang, [*history, ask, again], who="cancel-again")
    assert _statuses(talk) == ["cancelled"], talk.transcript()
    assert ("取消了" in talk.said()) or ("already cancelled" in talk.said().lower()), talk.transcript()


@pytest.mark.parametrize(
    ("lang", "history", "ask"),
    [
        ("zh", ZH_MAT, "等等 6mm太薄了 这单取消吧 重新下个10mm的 地址一样"),
        ("en", EN_MAT, "oh wait thats too thin, cancel it pls and reorder the 10mm one, same address"),
    ],
)
async def test_cancelling_to_order_another_size_places_the_new_order(
    fitness_shop: Any, lang: str, history: list[str], ask: str
) -> None:
    talk = await converse(fitness_shop, lang, [*history, ask, "!pay"], who="reorder")
    orders = {order["items"][0]["sku"]: order["status"] for order in talk.summary["orders"]}
    assert orders == {"F2-6": "cancelled", "F2-10": "paid"}, talk.transcript()
    assert talk.cart == {}, talk.transcript()


# --- paid, not shipped: the refund is opened, then another size can be bought ------------------


@pytest.mark.parametrize(
    ("lang", "history", "ask", "reorder", "bought"),
    [
        ("zh", ZH_MAT, "钱付了 但是发现不需要了 应该还没寄出吧 能退款吗", "10mm的瑜伽垫来一张", "F2-10"),
        ("zh", ZH_GAME, "刚付款 同事送了我一套 还没发货的话帮我退钱", "豪华版狼人杀 一个", "G1-DLX"),
        ("en", EN_MAT, "hey can i get a refund? it hasnt been sent out yet has it, turns out its too thin", "", ""),
        ("en", EN_GAME, "just paid but pls refund it, hasnt shipped yet i think", "deluxe werewolf game, 1", "G1-DLX"),
    ],
)
async def test_a_refund_before_shipping_is_opened_at_once_without_photos(
    fitness_shop: Any, lang: str, history: list[str], ask: str, reorder: str, bought: str
) -> None:
    lines = [*history, "!pay", ask, *([reorder] if reorder else [])]
    talk = await converse(fitness_shop, lang, lines, who="refund")
    refunded = talk.summary["orders"][0]
    assert refunded["status"] in ("paid", "cancelled", "refunded"), talk.transcript()
    assert _requests(talk) == ["refund"] or refunded["status"] in ("cancelled", "refunded"), talk.transcript()
    assert talk.summary["handoff"] == "none"
    filed = talk.said(-2 if reorder else -1)
    assert not any(word in filed.lower() for word in ("照片", "photo", "原因是", "why would")), talk.transcript()
    if bought:
        assert talk.cart == {bought: 1}, talk.transcript()


# --- delivered: one request of the kind asked for ----------------------------------------------


@pytest.mark.parametrize(
    ("lang", "history", "lines", "kind"),
    [
        ("zh", ZH_MAT, ["垫子收到了 有一股很重的味道 散了两天还有 要退货", "不用换新的 直接退吧"], "return"),
        ("zh", ZH_MAT, ["收到了 太薄了 跪着膝盖疼 申请退货", "退了吧 别给我换"], "return"),
        ("en", EN_MAT, ["the mat arrived torn, i want to return it", "no exchange, just return it"], "return"),
        ("zh", ZH_GAME, ["收到了 但是人多 想换成豪华版的"], "exchange"),
        ("en", EN_GAME, ["turns out we're 12 players. can i swap this for the deluxe one? box is sealed"], "exchange"),
    ],
)
async def test_a_request_after_delivery_opens_exactly_one_of_its_kind(
    fitness_shop: Any, lang: str, history: list[str], lines: list[str], kind: str
) -> None:
    talk = await converse(fitness_shop, lang, [*history, *DELIVERED, *lines], who="after")
    assert _requests(talk) == [kind], talk.transcript()
    assert talk.cart == {}, talk.transcript()
    assert talk.summary["handoff"] == "none"
