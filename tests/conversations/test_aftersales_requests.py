"""After-sales requests on the real shop (demo catalog): cancelling a paid order that has not
shipped ends in a refund request (a paid order cannot be cancelled outright) - filed at once when
asked for plainly, offered when only asked about; a return that says why is filed at once, and
what the customer adds afterwards is kept with it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chatcart.cli.chat import run_script

ZH_PAID = [
    "天香氨基酸洗面奶",
    "加入购物车",
    "结账",
    "周八 13700003333 四川省成都市武侯区天府大道100号",
    "@快递",
    "不用了",
    "确认",
    "!pay",
]
EN_PAID = [
    "florae hydrating cream",
    "add to cart",
    "checkout",
    "Mia Zhang, 13900007777, 3 Xinhua Road, Changning, Shanghai",
    "@Express",
    "no",
    "yes",
    "!pay",
]


async def _run(shop: Any, lines: list[str], lang: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    results = await run_script(shop, lines, user=f"t-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    return turns, final["summary"]


@pytest.mark.parametrize(
    ("lang", "ask", "yes"),
    [
        ("zh", "这单我不要了 帮我取消", "好 取消吧"),
        ("zh", "订单取消掉", "嗯 可以"),
        ("en", "cancel my order please", "yes"),
        ("en", "pls cancel that order", "ok go ahead and refund it"),
    ],
)
async def test_cancelling_a_paid_unshipped_order_files_a_refund_on_yes(
    shop: Any, lang: str, ask: str, yes: str
) -> None:
    turns, summary = await _run(shop, [*(ZH_PAID if lang == "zh" else EN_PAID), ask, yes], lang)
    offer = " ".join(r["text"] for r in turns[-2]["replies"])
    assert ("退款" in offer) or ("refund" in offer.lower()), offer
    assert summary["orders"][0]["status"] in ("paid", "refunded", "cancelled")
    assert [r["kind"] for r in summary["after_sales"]] == ["refund"], turns[-1]
    assert summary["handoff"] == "none"


async def test_declining_the_refund_instead_of_cancelling_changes_nothing(shop: Any) -> None:
    # Asked whether it can still be cancelled (not asked to cancel): the refund is offered, and
    # declined. A plain "please cancel the order" files the refund at once (test_order_states).
    _, summary = await _run(shop, [*EN_PAID, "can this order still be cancelled?", "no, leave it"], "en")
    assert summary["after_sales"] == []
    assert summary["orders"][0]["status"] == "paid"


async def test_a_return_that_says_why_is_filed_and_later_words_join_it(shop: Any) -> None:
    lines = [
        "迅跑轻量跑鞋",
        "42码加入购物车",
        "结账",
        "郑十 13800006666 湖北省武汉市洪山区珞喻路1号",
        "@快递",
        "不用了",
        "确认",
        "!pay",
        "!ship",
        "!deliver",
        "鞋子偏小 挤脚 要退货",
        "前脚掌那里太紧了",
        "没有照片",
        "好的",
    ]
    turns, summary = await _run(shop, lines, "zh")
    filed = " ".join(r["text"] for r in turns[-4]["replies"])
    assert "已提交" in filed, filed
    assert "原因是" not in filed, filed
    assert [(r["kind"], r["status"]) for r in summary["after_sales"]] == [("return", "requested")]
    assert summary["handoff"] == "none"
    requests = await shop.commerce.aftersales.list_for_customer(summary["customer"])
    assert "挤脚" in requests[0].reason
    assert "前脚掌那里太紧了" in requests[0].reason
