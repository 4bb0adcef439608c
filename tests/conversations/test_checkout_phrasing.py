"""Checkout as customers who never saw the flow answer it, on the outsider kitchenware / outdoor /
cosmetics shop (conftest.outsider_shop: coupons SUMMER20 from 100, CAMP10; express, same-city in
Shanghai, pickup).

1. A pasted address (a Chinese WeChat card in an English chat), a name, a phone number or a
   product name never switches the conversation's language; a real sentence does.
2. JD / Taobao / WeChat blocks in any order, phones with spaces or dashes, regions without 省/市,
   landmarks: read whole. When a part is really missing only that part is asked for (with an
   example), and answers to the later steps given meanwhile are kept, never looped on.
3. A step's answer mixed with remarks is the step's answer first ("thats my address ^ express pls",
   "快递 越快越好", "fastest shipping pls" -> the fastest method offered).
4. Several steps in one message ("express no code", "快递 不用券", "standard, and try SUMMER20"):
   each is taken, straight to the summary.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from chatcart.cli.chat import run_script
from tests.conversations.conftest import enough_stock

_CJK = re.compile(r"[\u4e00-\u9fff]")
WECHAT_CARD = "收货人：王芳\n手机号码：13712345678\n所在地区：广东省 广州市 天河区\n详细地址：天河路385号太古汇2座1808"


@dataclass
class Outcome:
    turns: list[dict[str, Any]]
    orders: list[Any]  # commerce Order objects, newest first
    cart: dict[str, int]

    def said(self, index: int = -1) -> str:
        turn = self.turns[index]
        return "\n".join(r["text"] + " " + " ".join(b["label"] for b in r["buttons"]) for r in turn["replies"])

    def transcript(self) -> str:
        return "\n".join(f"> {t['input']}\n{self.said(i)}" for i, t in enumerate(self.turns))

    @property
    def asked_last(self) -> str:
        return self.said(-1)


async def _chat(shop: Any, lang: str, lines: list[str]) -> Outcome:
    # The session-wide shop's headlamps are bought by earlier tests (the outsider corpus places
    # its orders on it too): each conversation here finds them in stock.
    await enough_stock(shop, {"O4-1": 40})
    results = await run_script(shop, lines, user=f"checkout-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    summary = final["summary"]
    orders = [await shop.commerce.orders.get_by_number(o["number"]) for o in summary["orders"]]
    cart = {line["sku"]: line["qty"] for line in summary["cart"]}
    return Outcome(turns, orders, cart)


def _english(text: str) -> bool:
    """A reply written in English (Chinese characters only inside quoted values such as an address)."""
    latin_words = len(re.findall(r"[A-Za-z]{3,}", text))
    return latin_words >= 3


def _in_summary(outcome: Outcome) -> bool:
    return any(r["type"] == "order_summary" for r in outcome.turns[-1]["replies"])


# --- 1. language ---------------------------------------------------------------------------------


async def test_a_chinese_address_card_pasted_in_an_english_chat_keeps_english(outsider_shop: Any) -> None:
    outcome = await _chat(
        outsider_shop, "en", ["can i get the ceramic mug", "checkout", WECHAT_CARD, "express", "no coupon", "yes"]
    )
    for index in range(2, len(outcome.turns)):
        assert _english(outcome.said(index)), outcome.transcript()
    assert outcome.orders, outcome.transcript()
    order = outcome.orders[0]
    assert order.quantities() == {"K4-1": 1}
    assert (order.address.recipient, order.address.detail) == ("王芳", "天河路385号太古汇2座1808")


@pytest.mark.parametrize(
    "pasted",
    [
        "王芳 13712345678 广东省广州市天河区天河路385号",
        "收件人 孙小美 电话 136 1234 5678 地址 江苏省苏州市姑苏区人民路666号",
        "北京市朝阳区望京街道阜通东大街6号 李娜 186-0011-2233",
    ],
)
async def test_a_chinese_address_alone_is_no_language_switch(outsider_shop: Any, pasted: str) -> None:
    outcome = await _chat(outsider_shop, "en", ["can i get the LED headlamp", "checkout", pasted])
    assert _english(outcome.said(-1)), outcome.transcript()


async def test_an_english_address_in_a_chinese_chat_keeps_chinese(outsider_shop: Any) -> None:
    outcome = await _chat(
        outsider_shop,
        "zh",
        ["陶瓷马克杯来一个", "结账", "Name: Tom Lee, phone 13800002222, address: 88 Nanjing West Rd, Jing'an District"],
    )
    assert _CJK.search(outcome.said(-1).replace("Tom Lee", "")), outcome.transcript()


async def test_a_real_chinese_sentence_still_switches(outsider_shop: Any) -> None:
    outcome = await _chat(
        outsider_shop, "en", ["can i get the ceramic mug", "checkout", "我还是用中文吧，地址我一会发"]
    )
    assert not _english(outcome.said(-1)), outcome.transcript()


# --- 2. JD / Taobao blocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "recipient", "phone_tail", "detail_has"),
    [
        (
            "收货人 李娜\n手机号码 186 0011 2233\n所在地区 北京 朝阳区 三环到四环之间 望京街道\n"
            "详细地址 阜通东大街6号望京SOHO T1 1501",
            "李娜",
            "18600112233",
            "望京SOHO",
        ),
        (
            "李娜\n186-0011-2233\n北京 朝阳区 三环到四环之间 望京街道\n阜通东大街6号望京SOHO T1 1501",
            "李娜",
            "18600112233",
            "望京SOHO",
        ),
        (
            "阜通东大街6号望京SOHO T1 1501（望京地铁站旁）\n北京 朝阳区 望京街道\n李娜 186 0011 2233",
            "李娜",
            "18600112233",
            "望京SOHO",
        ),
        (
            "地址是江苏省南京市鼓楼区中山北路100号22楼 电话139 1234 5678 收件人 王磊",
            "王磊",
            "13912345678",
            "中山北路100号22楼",
        ),
        ("广州市天河区天河路385号太古汇 近地铁站 王芳 137 1234 5678", "王芳", "13712345678", "天河路385号太古汇"),
        (
            "收件人：张伟 电话：13800138000 地址：上海 浦东新区 世纪大道100号 近东方明珠",
            "张伟",
            "13800138000",
            "世纪大道100号",
        ),
    ],
)
async def test_jd_and_taobao_blocks_are_read_whole(
    outsider_shop: Any, pasted: str, recipient: str, phone_tail: str, detail_has: str
) -> None:
    outcome = await _chat(outsider_shop, "zh", ["LED头灯来一个", "结账", pasted, "快递", "不用券", "确认"])
    assert outcome.orders, outcome.transcript()
    address = outcome.orders[0].address
    assert address.recipient == recipient
    assert address.phone.endswith(phone_tail)
    assert detail_has in address.detail, outcome.transcript()
    assert not address.detail.startswith(("是", "：", ":")), address.detail
    assert "还需要收货地址" not in outcome.transcript()


async def test_only_the_missing_part_is_asked_with_an_example(outsider_shop: Any) -> None:
    outcome = await _chat(outsider_shop, "zh", ["LED头灯来一个", "结账", "王磊 139 1234 5678"])
    asked = outcome.asked_last
    assert "地址" in asked, outcome.transcript()
    assert re.search(r"例如|比如|如", asked), asked  # an example of what to type


async def test_answers_to_later_steps_while_the_address_is_incomplete_are_kept(outsider_shop: Any) -> None:
    outcome = await _chat(
        outsider_shop,
        "zh",
        ["LED头灯来一个", "结账", "王磊 139 1234 5678", "快递", "不用券", "江苏省南京市鼓楼区中山北路100号"],
    )
    transcript = outcome.transcript()
    assert transcript.count("还需要收货地址") == 0, transcript
    assert _in_summary(outcome), transcript  # shipping and coupon were already answered
    outcome = await _chat(
        outsider_shop,
        "zh",
        ["LED头灯来一个", "结账", "王磊 139 1234 5678", "快递", "不用券", "江苏省南京市鼓楼区中山北路100号", "确认"],
    )
    assert outcome.orders, outcome.transcript()
    assert outcome.orders[0].shipment.method == "express"


# --- 3. a step's answer with remarks ---------------------------------------------------------------

SHANGHAI = "Tom Lee, 13800002222, 88 Nanjing West Rd, Jing'an District, Shanghai"
BEIJING = "Amy Zhang, 13900001111, 12 Jianguo Rd, Chaoyang District, Beijing"


@pytest.mark.parametrize(
    ("lang", "address", "answer", "method"),
    [
        ("en", BEIJING, "thats my address ^ express pls", "express"),
        ("en", SHANGHAI, "thats my address ^ express pls", "express"),
        ("en", SHANGHAI, "fastest shipping pls", "same_city"),
        ("en", BEIJING, "fastest shipping pls", "express"),
        ("en", SHANGHAI, "pick it up myself, that's the address above", "pickup"),
        ("zh", "王磊 13912345678 上海市静安区南京西路88号", "快递 越快越好", "same_city"),
        ("zh", "王磊 13912345678 北京市朝阳区建国路88号", "快递 越快越好", "express"),
        ("zh", "王磊 13912345678 北京市朝阳区建国路88号", "地址就是上面那个 发快递", "express"),
        ("zh", "王磊 13912345678 上海市静安区南京西路88号", "最便宜的", "express"),
        ("zh", "王磊 13912345678 上海市静安区南京西路88号", "同城吧", "same_city"),
        ("en", SHANGHAI, "the address is right, same day delivery pls", "same_city"),
    ],
)
async def test_the_shipping_step_reads_its_answer_first(
    outsider_shop: Any, lang: str, address: str, answer: str, method: str
) -> None:
    buy = "can i get the LED headlamp" if lang == "en" else "LED头灯来一个"
    outcome = await _chat(outsider_shop, lang, [buy, "checkout" if lang == "en" else "结账", address, answer])
    transcript = outcome.transcript()
    assert "coupon" in outcome.asked_last.lower() or "优惠" in outcome.asked_last, transcript
    skip = "no coupon" if lang == "en" else "不用券"
    outcome = await _chat(
        outsider_shop, lang, [buy, "checkout" if lang == "en" else "结账", address, answer, skip, "ok"]
    )
    assert outcome.orders, outcome.transcript()
    assert outcome.orders[0].shipment.method == method, outcome.transcript()


# --- 4. several steps in one message ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "buy", "answer", "method", "coupon"),
    [
        ("en", "can i get the LED headlamp", "express no code", "express", None),
        ("en", "can i get the LED headlamp", "express, no coupon", "express", None),
        ("zh", "LED头灯来一个", "快递 不用券", "express", None),
        ("zh", "LED头灯来一个", "快递，没有优惠码", "express", None),
        ("en", "can i get the moisturising cream", "standard, and try SUMMER20", "express", "SUMMER20"),
        ("zh", "保湿面霜来一个", "快递 用SUMMER20", "express", "SUMMER20"),
        ("en", "can i get the moisturising cream", "pickup + code CAMP10", "pickup", "CAMP10"),
    ],
)
async def test_several_steps_answered_in_one_message(
    outsider_shop: Any, lang: str, buy: str, answer: str, method: str, coupon: str | None
) -> None:
    start = "checkout" if lang == "en" else "结账"
    lines = [buy, start, BEIJING, answer]
    outcome = await _chat(outsider_shop, lang, lines)
    assert _in_summary(outcome), outcome.transcript()
    outcome = await _chat(outsider_shop, lang, [*lines, "confirm" if lang == "en" else "确认"])
    assert outcome.orders, outcome.transcript()
    order = outcome.orders[0]
    assert (order.shipment.method, order.coupon_code) == (method, coupon), outcome.transcript()


@pytest.mark.parametrize(
    ("lang", "buy", "answer"),
    [
        ("en", "can i get the LED headlamp", "standard, and try SUMMER20"),
        ("zh", "LED头灯来一个", "快递 用SUMMER20"),
    ],
)
async def test_a_code_that_does_not_apply_is_explained_and_the_summary_follows(
    outsider_shop: Any, lang: str, buy: str, answer: str
) -> None:
    outcome = await _chat(outsider_shop, lang, [buy, "checkout" if lang == "en" else "结账", BEIJING, answer])
    assert _in_summary(outcome), outcome.transcript()
    assert "SUMMER20" in outcome.said(-1), outcome.transcript()  # why it did not apply


@pytest.mark.parametrize("words", ["no coupon", "no coupon thanks", "i don't have a coupon", "没有优惠券", "no code"])
async def test_no_coupon_is_never_a_coupon_request(outsider_shop: Any, words: str) -> None:
    lang = "zh" if _CJK.search(words) else "en"
    buy = "can i get the LED headlamp" if lang == "en" else "LED头灯来一个"
    outcome = await _chat(outsider_shop, lang, [buy, "checkout" if lang == "en" else "结账", BEIJING, "express", words])
    assert _in_summary(outcome), outcome.transcript()
    outcome = await _chat(
        outsider_shop, lang, [buy, "checkout" if lang == "en" else "结账", BEIJING, f"express {words}"]
    )
    assert _in_summary(outcome), outcome.transcript()


async def test_no_coupon_under_the_summary_keeps_the_order(outsider_shop: Any) -> None:
    lines = ["can i get the LED headlamp", "checkout", BEIJING, "express", "no coupon", "no coupon", "confirm"]
    outcome = await _chat(outsider_shop, "en", lines)
    assert outcome.orders, outcome.transcript()
    assert outcome.orders[0].quantities() == {"O4-1": 1}


@pytest.mark.parametrize(("lang", "words"), [("en", "no coupon"), ("zh", "我没有优惠券")])
async def test_no_coupon_outside_checkout_asks_for_no_code(outsider_shop: Any, lang: str, words: str) -> None:
    outcome = await _chat(outsider_shop, lang, [words])
    said = outcome.said(-1).lower()
    assert "which coupon" not in said, outcome.transcript()
    assert "哪个优惠码" not in said, outcome.transcript()


async def test_english_later_answers_while_the_street_is_missing(outsider_shop: Any) -> None:
    lines = [
        "can i get the LED headlamp",
        "checkout",
        "Tom Lee 13800002222",
        "express pls",
        "no code",
        "88 Nanjing West Rd, Jing'an District, Shanghai",
    ]
    outcome = await _chat(outsider_shop, "en", lines)
    assert _in_summary(outcome), outcome.transcript()
    outcome = await _chat(outsider_shop, "en", [*lines, "yes"])
    assert outcome.orders, outcome.transcript()
    order = outcome.orders[0]
    assert (order.shipment.method, order.coupon_code) == ("express", None)
    assert (order.address.recipient, order.address.detail) == ("Tom Lee", "88 Nanjing West Rd")  # not "Shanghai"


@pytest.mark.parametrize(
    ("lang", "pasted", "detail", "method", "coupon"),
    [
        ("zh", "王磊 13912345678 江苏省南京市鼓楼区中山北路100号 快递 不用券", "中山北路100号", "express", None),
        ("zh", "王磊 13912345678 上海市静安区南京西路88号\n同城 用CAMP10", "南京西路88号", "same_city", "CAMP10"),
        ("en", f"{SHANGHAI}. express, no code", "88 Nanjing West Rd", "express", None),
        ("en", f"{SHANGHAI}, same day delivery please, no coupon", "88 Nanjing West Rd", "same_city", None),
    ],
)
async def test_an_address_followed_by_the_next_answers(
    outsider_shop: Any, lang: str, pasted: str, detail: str, method: str, coupon: str | None
) -> None:
    start = ["can i get the LED headlamp", "checkout"] if lang == "en" else ["LED头灯来一个", "结账"]
    outcome = await _chat(outsider_shop, lang, [*start, pasted])
    assert _in_summary(outcome), outcome.transcript()
    outcome = await _chat(outsider_shop, lang, [*start, pasted, "ok"])
    assert outcome.orders, outcome.transcript()
    order = outcome.orders[0]
    assert (order.address.detail, order.shipment.method, order.coupon_code) == (detail, method, coupon)


async def test_a_saved_address_chosen_with_the_next_answers(outsider_shop: Any) -> None:
    first = ["can i get the LED headlamp", "checkout", BEIJING, "express", "no coupon", "confirm"]
    again = ["can i get the ceramic mug", "checkout", "the first one, express, no code"]
    outcome = await _chat(outsider_shop, "en", [*first, *again])
    assert _in_summary(outcome), outcome.transcript()
    outcome = await _chat(outsider_shop, "en", [*first, *again, "confirm"])
    assert len(outcome.orders) == 2, outcome.transcript()
    assert {o.shipment.method for o in outcome.orders} == {"express"}


async def test_a_region_typed_without_suffixes_is_stored_as_one(outsider_shop: Any) -> None:
    lines = ["LED头灯来一个", "结账", "王磊 139 1234 5678", "江苏 南京 鼓楼区", "中山北路100号22楼"]
    lines += ["快递", "没有", "确认"]
    outcome = await _chat(outsider_shop, "zh", lines)
    assert outcome.orders, outcome.transcript()
    address = outcome.orders[0].address
    assert (address.province, address.city, address.district) == ("江苏省", "南京市", "鼓楼区")


async def test_an_address_card_pasted_before_checkout_starts_it_with_that_address(outsider_shop: Any) -> None:
    outcome = await _chat(outsider_shop, "en", ["can i get the LED headlamp", WECHAT_CARD])
    said = outcome.said(-1)
    assert _english(said), outcome.transcript()
    assert "Deliver to" in said, outcome.transcript()
    assert "Please send the delivery address" not in said, outcome.transcript()
    outcome = await _chat(outsider_shop, "en", ["can i get the LED headlamp", WECHAT_CARD, "express no code", "yes"])
    assert outcome.orders, outcome.transcript()
    assert outcome.orders[0].address.recipient == "王芳"


@pytest.mark.parametrize(
    ("lang", "change", "method", "coupon"),
    [
        ("en", "looks good but pickup instead", "pickup", None),
        ("en", "use CAMP10", "express", "CAMP10"),
        ("zh", "还是换成自提吧", "pickup", None),
        ("zh", "用CAMP10", "express", "CAMP10"),
    ],
)
async def test_a_change_under_the_summary_is_made_before_placing(
    outsider_shop: Any, lang: str, change: str, method: str, coupon: str | None
) -> None:
    start = ["can i get the LED headlamp", "checkout"] if lang == "en" else ["LED头灯来一个", "结账"]
    lines = [*start, BEIJING, "express no code", change]
    outcome = await _chat(outsider_shop, lang, lines)
    assert _in_summary(outcome), outcome.transcript()
    assert not outcome.orders, outcome.transcript()
    outcome = await _chat(outsider_shop, lang, [*lines, "confirm" if lang == "en" else "确认"])
    assert outcome.orders, outcome.transcript()
    assert (outcome.orders[0].shipment.method, outcome.orders[0].coupon_code) == (method, coupon)


@pytest.mark.parametrize(
    ("lang", "late", "after", "method"),
    [
        ("zh", "快递", ["不用", "确认"], "express"),
        ("en", "pick it up myself actually", ["no coupon", "confirm"], "pickup"),
        ("zh", "自提吧 不用券", ["确认"], "pickup"),
    ],
)
async def test_a_method_typed_at_the_coupon_step_is_taken(
    outsider_shop: Any, lang: str, late: str, after: list[str], method: str
) -> None:
    start = ["can i get the LED headlamp", "checkout"] if lang == "en" else ["LED头灯来一个", "结账"]
    outcome = await _chat(outsider_shop, lang, [*start, BEIJING, "express", late, *after])
    assert outcome.orders, outcome.transcript()
    assert outcome.orders[0].shipment.method == method, outcome.transcript()
