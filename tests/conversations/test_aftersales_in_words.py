"""Cancellations, refunds, returns, exchanges and tracking asked in customers' own words, on a
catalog the dialogs were not written for (baby clothes and bottles, a screen protector, earbuds
in a standard and a pro version: `catalogs/baby_gadgets.json`).

A request that says why is filed at once with the customer's words as its reason, never asked
"why?" again; "这单不要了" / "forget the order" cancels an unpaid order (after the usual
"are you sure?"); a paid order not shipped yet is refunded when the message asks for the money
back; "where's my parcel" with one parcel on its way shows that parcel. Each conversation runs
on its own customer; the end state (orders, after-sales requests) is what is checked."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from chatcart.cli.chat import run_script
from tests.conversations.conftest import OpenCatalogShop

ZH_CHECKOUT = ["结账", "周八 13700003333 四川省成都市武侯区天府大道100号", "@快递", "不用了", "确认"]
EN_CHECKOUT = ["checkout", "Mia Zhang, 13900007777, 3 Xinhua Road, Changning, Shanghai", "@Express", "no", "yes"]
ZH_ROMPER = ["纯棉婴儿连体衣", "奶白 66码", "加入购物车", *ZH_CHECKOUT]
ZH_BOTTLE = ["宽口径玻璃奶瓶 160ml", "加入购物车", *ZH_CHECKOUT]
ZH_FILM = ["高清钢化手机膜", "加入购物车", *ZH_CHECKOUT]
EN_BOTTLE = ["wide-neck glass baby bottle 240ml", "add to cart", *EN_CHECKOUT]
EN_EARBUDS = ["noise-cancelling wireless earbuds standard", "add to cart", *EN_CHECKOUT]
EN_FILM = ["tempered glass screen protector", "add to cart", *EN_CHECKOUT]
DELIVERED = ["!pay", "!ship", "!deliver"]
SHIPPED = ["!pay", "!ship"]
ASKS_WHY = ("原因是", "why would you like")


@pytest.fixture(scope="module")
async def baby_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("baby_gadgets") as shop:
        yield shop


async def _run(shop: Any, lines: list[str], lang: str) -> tuple[list[str], dict[str, Any]]:
    """The bot's words after each line, and the end state."""
    results = await run_script(shop, lines, user=f"as-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    said = [" ".join(reply.get("text") or "" for reply in turn["replies"]) for turn in turns]
    return said, final["summary"]


async def _reasons(shop: Any, customer: str) -> list[str]:
    return [request.reason for request in await shop.commerce.aftersales.list_for_customer(customer)]


def _requests(summary: dict[str, Any]) -> list[tuple[str, str]]:
    return [(request["kind"], request["order"]) for request in summary["after_sales"]]


# --- 1. the reason is in the request ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "history", "ask", "kind", "words"),
    [
        ("zh", ZH_ROMPER, "宝宝穿着有点紧 能换成73码吗 颜色不变", "exchange", "73"),
        ("en", EN_BOTTLE, "pls refund, my sister just gave us a bunch of bottles", "refund", "sister"),
        ("zh", ZH_BOTTLE, "买重了 退货", "return", "买重了"),
        ("en", EN_BOTTLE, "bought it twice by mistake, please return it", "return", "twice"),
        ("zh", ZH_BOTTLE, "退款吧 朋友送了好几个奶瓶", "refund", "朋友送了"),
        ("zh", ZH_ROMPER, "退货 不好看", "return", "不好看"),
        ("zh", ZH_ROMPER, "质量太差了 线头很多 我要退", "return", "线头很多"),
        ("en", EN_EARBUDS, "send them back, my boss bought me a pair already", "return", "boss"),
        ("en", EN_EARBUDS, "return please, the left one keeps disconnecting", "return", "disconnecting"),
        ("en", EN_EARBUDS, "I got the wrong version, can you send the pro instead?", "exchange", "pro"),
    ],
)
async def test_a_request_that_says_why_is_filed_at_once_in_the_customers_words(
    baby_shop: Any, lang: str, history: list[str], ask: str, kind: str, words: str
) -> None:
    said, summary = await _run(baby_shop, [*history, *DELIVERED, ask], lang)
    assert not any(question in said[-1].lower() for question in ASKS_WHY), said[-1]
    assert _requests(summary) == [(kind, summary["orders"][0]["number"])], said[-1]
    (reason,) = await _reasons(baby_shop, summary["customer"])
    assert words in reason, reason
    assert reason in said[-1], said[-1]  # the customer is told what was filed


async def test_a_yes_after_an_exchange_filed_from_one_message_files_nothing_more(baby_shop: Any) -> None:
    lines = [*ZH_ROMPER, *DELIVERED, "宝宝穿着有点紧 能换成73码吗 颜色不变", "好的"]
    _, summary = await _run(baby_shop, lines, "zh")
    assert [kind for kind, _ in _requests(summary)] == ["exchange"]
    assert summary["handoff"] == "none"


async def test_an_exchange_beside_a_paid_order_is_about_the_delivered_one(baby_shop: Any) -> None:
    lines = [*ZH_ROMPER, *DELIVERED, *ZH_FILM, "!pay", "宝宝穿着有点紧 能换成73码吗 颜色不变"]
    said, summary = await _run(baby_shop, lines, "zh")
    delivered = summary["orders"][1]
    assert delivered["status"] == "delivered"
    assert _requests(summary) == [("exchange", delivered["number"])], said[-1]


async def test_swapping_for_the_other_version_after_delivery_is_an_exchange(baby_shop: Any) -> None:
    said, summary = await _run(
        baby_shop, [*EN_EARBUDS, *DELIVERED, "can i swap these for the pro ones? havent opened the box"], "en"
    )
    assert _requests(summary) == [("exchange", summary["orders"][0]["number"])], said[-1]
    (reason,) = await _reasons(baby_shop, summary["customer"])
    assert "pro" in reason, reason
    assert summary["cart"] == []


# --- 2. cancelling in other words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "history", "ask", "yes"),
    [
        ("zh", ZH_BOTTLE, "等等 我老公说家里已经有了 这单先不要了", "嗯 取消吧"),
        ("zh", ZH_ROMPER, "这单不要了", "确认"),
        ("en", EN_BOTTLE, "don't want this order anymore", "yes cancel"),
        ("en", EN_FILM, "forget the order", "yes"),
        ("zh", ZH_FILM, "算了 不买了", "嗯"),
        ("en", EN_BOTTLE, "actually i changed my mind, don't want it", "yes"),
    ],
)
async def test_an_unpaid_order_is_cancelled_in_other_words(
    baby_shop: Any, lang: str, history: list[str], ask: str, yes: str
) -> None:
    said, summary = await _run(baby_shop, [*history, ask, yes], lang)
    assert [order["status"] for order in summary["orders"]] == ["cancelled"], said[-2:]


async def test_an_unpaid_order_is_cancelled_in_other_words_beside_a_delivered_one(baby_shop: Any) -> None:
    lines = [*ZH_ROMPER, *DELIVERED, *ZH_BOTTLE, "等等 我老公说家里已经有了 这单先不要了", "嗯 取消吧"]
    said, summary = await _run(baby_shop, lines, "zh")
    assert [order["status"] for order in summary["orders"]] == ["cancelled", "delivered"], said[-2:]


@pytest.mark.parametrize(
    ("lang", "history", "ask", "yes", "status", "requests"),
    [
        ("zh", [*ZH_FILM, "!pay"], "买重了", "好", "paid", ["refund"]),
        ("en", EN_BOTTLE, "bought it twice by mistake", "yes", "cancelled", []),
    ],
)
async def test_saying_it_was_bought_twice_cancels_or_refunds_the_order_just_placed(
    baby_shop: Any, lang: str, history: list[str], ask: str, yes: str, status: str, requests: list[str]
) -> None:
    said, summary = await _run(baby_shop, [*history, ask, yes], lang)
    assert [order["status"] for order in summary["orders"]] == [status], said[-2:]
    assert [kind for kind, _ in _requests(summary)] == requests, said[-2:]


async def test_dropping_a_cart_item_after_an_order_leaves_the_order_alone(baby_shop: Any) -> None:
    lines = [*ZH_FILM, "宽口径玻璃奶瓶 160ml", "加入购物车", "不要了", "嗯"]
    said, summary = await _run(baby_shop, lines, "zh")
    assert [order["status"] for order in summary["orders"]] == ["pending_payment"], said[-2:]


@pytest.mark.parametrize(
    ("lang", "earlier", "history", "ask", "words"),
    [
        ("zh", ZH_ROMPER, ZH_BOTTLE, "刚付完发现买重了 这单帮我取消 钱退回来", "买重了"),
        ("en", EN_EARBUDS, EN_BOTTLE, "just paid but i ordered this twice, cancel and give me my money back", "twice"),
        ("en", EN_EARBUDS, EN_FILM, "i just paid but i need to cancel, please refund", "Cancelled"),
    ],
)
async def test_a_paid_unshipped_order_cancelled_with_the_money_back_files_the_refund(
    baby_shop: Any, lang: str, earlier: list[str], history: list[str], ask: str, words: str
) -> None:
    said, summary = await _run(baby_shop, [*earlier, *DELIVERED, *history, "!pay", ask], lang)
    paid = summary["orders"][0]
    assert paid["status"] == "paid"
    assert _requests(summary) == [("refund", paid["number"])], said[-1]
    (reason,) = await _reasons(baby_shop, summary["customer"])
    assert words in reason, reason


# --- 3. tracking in other words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "earlier", "history", "ask"),
    [
        ("zh", ZH_ROMPER, ZH_FILM, "膜发出来了吗 到哪了"),
        ("zh", ZH_ROMPER, ZH_FILM, "快递单号发我一下"),
        ("en", EN_EARBUDS, EN_FILM, "where's my parcel"),
        ("en", EN_EARBUDS, EN_FILM, "any tracking no?"),
        ("zh", ZH_ROMPER, ZH_FILM, "膜寄出了吗"),
        ("en", EN_EARBUDS, EN_FILM, "shipping status?"),
    ],
)
async def test_the_one_parcel_on_its_way_is_tracked(
    baby_shop: Any, lang: str, earlier: list[str], history: list[str], ask: str
) -> None:
    said, summary = await _run(baby_shop, [*earlier, *DELIVERED, *history, *SHIPPED, ask], lang)
    shipped = summary["orders"][0]
    assert shipped["status"] == "shipped"
    assert shipped["number"] in said[-1], said[-1]
    assert "SF" in said[-1], said[-1]  # the carrier's tracking number, not a list of orders


@pytest.mark.parametrize(
    ("lang", "history", "ask"),
    [
        ("zh", ZH_FILM, "膜寄出了吗"),
        ("en", EN_FILM, "has it shipped?"),
        ("en", [*EN_EARBUDS, *DELIVERED, *EN_FILM], "any tracking no?"),
        ("zh", [*ZH_ROMPER, *DELIVERED, *ZH_FILM], "快递单号发我一下"),
    ],
)
async def test_asking_after_a_parcel_not_sent_yet_tells_the_orders_state(
    baby_shop: Any, lang: str, history: list[str], ask: str
) -> None:
    said, summary = await _run(baby_shop, [*history, "!pay", ask], lang)
    paid = summary["orders"][0]
    assert paid["number"] in said[-1], said[-1]
    assert ("待发货" in said[-1]) or ("preparing shipment" in said[-1]), said[-1]
