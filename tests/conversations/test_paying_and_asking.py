"""Paying, coupons and asking for a person, in the customer's own words (custom catalog: books,
coffee, sneakers - a shop the dialogs were not written for).

- "ready to pay" with items in the cart and no order yet is the checkout, not "nothing to pay";
- "the payment didn't work" after a failed payment brings a new payment link (the order is
  still waiting), while a question about payment methods is still answered as a question;
- at the coupon step, any way of saying "no code" (a slip of the finger, an emoji, pinyin
  typed with the input method in the wrong mode) goes on to the order summary;
- "有真人吗" asks for a person.

End states are asserted: the order paid, with the items and no discount; the handoff state.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chatcart.cli.chat import run_script
from tests.conversations.conftest import enough_stock

ADDRESS = {
    "en": "Tom Wu, 13912345678, 25 Nanjing West Rd, Jing'an District, Shanghai",
    "zh": "陈明 13912345678 上海市静安区南京西路25号",
}
TWO_CAPSULE_PACKS = {"en": "Coffee Capsules Variety Pack x2", "zh": "胶囊咖啡 混合装 两盒"}


async def _run(shop: Any, lines: list[str], lang: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    results = await run_script(shop, lines, user=f"pay-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    return turns, final["summary"]


def _transcript(turns: list[dict[str, Any]]) -> str:
    return "\n".join(f"> {t['input']}\n  [{t['intent']}] " + " / ".join(r["text"] for r in t["replies"]) for t in turns)


def _paid_items(summary: dict[str, Any]) -> list[tuple[dict[str, int], str]]:
    orders = summary["orders"]
    return [({line["sku"]: int(line["qty"]) for line in order["items"]}, order["status"]) for order in orders]


def _to_order(lang: str, coupon_answer: str) -> list[str]:
    checkout = "checkout" if lang == "en" else "结账"
    shipping = "express" if lang == "en" else "快递"
    return [TWO_CAPSULE_PACKS[lang], checkout, ADDRESS[lang], shipping, coupon_answer]


# --- "ready to pay" with a full cart ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "pay_words"),
    [("en", "ok i'm ready to pay now"), ("en", "let me pay"), ("zh", "可以付钱了"), ("zh", "好了 我付款")],
)
async def test_paying_with_a_full_cart_and_no_order_starts_the_checkout(
    custom_shop: Any, lang: str, pay_words: str
) -> None:
    confirm = "yes" if lang == "en" else "确认"
    no_code = "no" if lang == "en" else "不用"
    shipping = "express" if lang == "en" else "快递"
    lines = [TWO_CAPSULE_PACKS[lang], pay_words, ADDRESS[lang], shipping, no_code, confirm, "!pay"]
    turns, summary = await _run(custom_shop, lines, lang)
    assert turns[1]["intent"] == "checkout", _transcript(turns)  # asked for the address, not "nothing to pay"
    assert _paid_items(summary) == [({"C3-1": 2}, "paid")], _transcript(turns)


async def test_paying_with_an_empty_cart_and_no_order_still_says_there_is_nothing_to_pay(custom_shop: Any) -> None:
    turns, summary = await _run(custom_shop, ["ready to pay"], "en")
    assert summary["orders"] == []
    assert summary["cart"] == []
    assert "no orders waiting for payment" in turns[0]["replies"][0]["text"], _transcript(turns)


# --- a failed payment -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "complaint"),
    [
        ("en", "hmm the payment didn't work"),
        ("en", "it says payment failed??"),
        ("en", "paymnet didnt go thru"),
        ("zh", "没付成功啊"),
        ("zh", "支付好像失败了"),
    ],
)
async def test_a_failed_payment_brings_a_new_link_and_the_order_gets_paid(
    custom_shop: Any, lang: str, complaint: str
) -> None:
    lines = [*_to_order(lang, "no" if lang == "en" else "不用"), "yes" if lang == "en" else "确认", "!fail", complaint]
    turns, summary = await _run(custom_shop, [*lines, "!pay"], lang)
    assert any(r["type"] == "payment_link" for r in turns[-2]["replies"]), _transcript(turns)
    assert _paid_items(summary) == [({"C3-1": 2}, "paid")], _transcript(turns)


async def test_a_question_about_payment_methods_with_an_order_waiting_is_answered(custom_shop: Any) -> None:
    lines = [*_to_order("en", "no"), "yes", "what payment methods do you accept?"]
    turns, summary = await _run(custom_shop, lines, "en")
    answer = " ".join(r["text"] for r in turns[-1]["replies"])
    assert "Alipay" in answer or "WeChat" in answer, _transcript(turns)
    assert summary["orders"][0]["status"] == "pending_payment"


# --- "no code" at the coupon step -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "no_code"),
    [
        ("en", "nah I don't have any"),
        ("en", "no coupn 🙂"),
        ("en", "skpi"),
        ("en", "nope 👍"),
        ("en", "haven't got one"),
        ("zh", "没优惠码"),
        ("zh", "暂时没有"),
        ("zh", "mei you"),
        ("zh", "木有哦"),
        ("zh", "暂时不需yao"),
    ],
)
async def test_no_code_at_the_coupon_step_goes_on_to_the_order(custom_shop: Any, lang: str, no_code: str) -> None:
    lines = [*_to_order(lang, no_code), "yes" if lang == "en" else "确认", "!pay"]
    turns, summary = await _run(custom_shop, lines, lang)
    assert _paid_items(summary) == [({"C3-1": 2}, "paid")], _transcript(turns)
    summary_turn = turns[4]
    assert any(r["type"] == "order_summary" for r in summary_turn["replies"]), _transcript(turns)


async def test_an_unknown_code_at_the_coupon_step_is_still_reported(custom_shop: Any) -> None:
    turns, summary = await _run(custom_shop, _to_order("en", "OLDSALE"), "en")
    said = " ".join(r["text"] for r in turns[-1]["replies"])
    assert "OLDSALE" in said.upper(), _transcript(turns)
    assert summary["orders"] == []


# --- asking for a person ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "ask"),
    [("zh", "有真人吗"), ("zh", "有没有人工啊"), ("zh", "能转人工不"), ("en", "is there a real person?")],
)
async def test_asking_whether_there_is_a_person_hands_over(custom_shop: Any, lang: str, ask: str) -> None:
    book = "百年孤独" if lang == "zh" else "One Hundred Years of Solitude"
    turns, summary = await _run(custom_shop, [book, ask], lang)
    assert summary["handoff"] in ("waiting", "agent"), _transcript(turns)


# --- a buying message is not a complaint ----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "buy", "expected"),
    [("en", "i want 2x Moisturising Cream", {"M5-1": 2}), ("en", "LED Headlamp x2 please", {"O4-1": 2})],
)
async def test_a_buying_message_read_as_a_complaint_buys_and_calls_nobody(
    outsider_shop: Any, lang: str, buy: str, expected: dict[str, int]
) -> None:
    await enough_stock(outsider_shop, {sku: 20 for sku in expected})
    turns, summary = await _run(outsider_shop, [buy], lang)
    assert {line["sku"]: int(line["qty"]) for line in summary["cart"]} == expected, _transcript(turns)
    assert summary["handoff"] == "none", _transcript(turns)


# --- "ok" typed in pinyin at the confirmation -------------------------------------------------------


@pytest.mark.parametrize("yes", ["hao de", "haode哈", "queren"])
async def test_a_pinyin_yes_at_the_order_summary_places_the_order(custom_shop: Any, yes: str) -> None:
    turns, summary = await _run(custom_shop, [*_to_order("zh", "不用"), yes, "!pay"], "zh")
    assert _paid_items(summary) == [({"C3-1": 2}, "paid")], _transcript(turns)


# --- shopping on while waiting for a person ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_checkout_answers_while_waiting_for_a_person_are_answered_by_the_bot(custom_shop: Any, lang: str) -> None:
    person = "can I talk to a human agent" if lang == "en" else "转人工"
    lines = [person, *_to_order(lang, "no" if lang == "en" else "不用"), "ok" if lang == "en" else "好的", "!pay"]
    turns, summary = await _run(custom_shop, lines, lang)
    assert _paid_items(summary) == [({"C3-1": 2}, "paid")], _transcript(turns)
    assert summary["handoff"] == "waiting"
