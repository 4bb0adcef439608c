"""Pure readers behind checkout: JD / Taobao address blocks in any order, the language of a message
holding an address, and the shipping / coupon answers inside a sentence."""

from __future__ import annotations

import pytest

from commerce.money import Money
from dialogs.address import AddressDraft, parse_address
from dialogs.flows.checkout_answers import NO_COUPON, coupon_answer, eta_days, method_in, split_later_answers
from dialogs.language import language_switch
from dialogs.messages import Lang
from dialogs.ports import ShippingOption


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (
            "收货人 李娜\n手机号码 186 0011 2233\n所在地区 北京 朝阳区 三环到四环之间 望京街道\n详细地址 阜通东大街6号",
            AddressDraft("李娜", "18600112233", "北京市朝阳区", "三环到四环之间望京街道阜通东大街6号"),
        ),
        (
            "李娜\n186-0011-2233\n北京 朝阳区 望京街道\n阜通东大街6号望京SOHO T1 1501",
            AddressDraft("李娜", "18600112233", "北京市朝阳区", "望京街道阜通东大街6号望京SOHO T1 1501"),
        ),
        (
            "阜通东大街6号望京SOHO T1 1501（望京地铁站旁）\n北京 朝阳区 望京街道\n李娜 186 0011 2233",
            AddressDraft(
                "李娜", "18600112233", "北京市朝阳区", "望京街道阜通东大街6号望京SOHO T1 1501（望京地铁站旁）"
            ),
        ),
        (
            "地址是江苏省南京市鼓楼区中山北路100号22楼 电话139 1234 5678 收件人 王磊",
            AddressDraft("王磊", "13912345678", "江苏省南京市鼓楼区", "中山北路100号22楼"),
        ),
        (
            "江苏 南京 鼓楼区 中山北路100号 王磊 13912345678",
            AddressDraft("王磊", "13912345678", "江苏省南京市鼓楼区", "中山北路100号"),
        ),
        (
            "内蒙古呼和浩特市赛罕区大学东路1号 张三 13800138000",
            AddressDraft("张三", "13800138000", "内蒙古自治区呼和浩特市赛罕区", "大学东路1号"),
        ),
        # a street named after a city is no region
        ("广州市北京路100号 张三 13800138000", AddressDraft("张三", "13800138000", "广州市", "北京路100号")),
    ],
)
def test_jd_and_taobao_blocks(pasted: str, expected: AddressDraft) -> None:
    assert parse_address(pasted) == expected


@pytest.mark.parametrize(
    ("text", "current", "switched"),
    [
        ("收货人：王芳\n手机号码：13712345678\n所在地区：广东省 广州市 天河区\n详细地址：天河路385号", "en", None),
        ("李娜\n186-0011-2233\n北京 朝阳区 三环到四环之间 望京街道\n阜通东大街6号", "en", None),
        ("北京市朝阳区", "en", None),
        ("王芳", "en", None),
        ("我还是用中文吧，地址我一会发", "en", "zh"),
        ("Name: Tom Lee, phone 13800002222, address: 88 Nanjing West Rd", "zh", None),
        ("Could you show me my cart please", "zh", "en"),
    ],
)
def test_an_address_is_no_language_switch(text: str, current: Lang, switched: Lang | None) -> None:
    assert language_switch(text, current) == switched


def test_a_product_name_found_by_the_nlu_is_no_language_switch() -> None:
    assert language_switch("不粘平底锅", "en", ("不粘平底锅",)) is None
    assert language_switch("我想买不粘平底锅", "en", ("不粘平底锅",)) == "zh"


def _option(code: str, name: str, eta: str, fee: int, pickup: str = "") -> ShippingOption:
    return ShippingOption(code, name, Money(fee, "CNY"), eta, pickup_address=pickup)


OPTIONS = [
    _option("sf", "SF Express", "1-2 days", 2000),
    _option("standard", "Standard", "3-5 days", 800),
    _option("city", "Courier today", "same day", 1500),
    _option("store", "Store pickup", "ready next day", 0, pickup="1 Main St"),
]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fastest shipping pls", "city"),
        ("快递 越快越好", "city"),
        ("快递吧 尽量快点", "city"),
        ("I need it by tomorrow", "city"),
        ("express pls", "sf"),
        ("thats my address ^ standard pls", "standard"),
        ("I'll pick it up myself", "store"),
        ("快递", "sf"),  # a delivery, no wish: the first delivered method
        ("最便宜的", "standard"),
        ("the cheapest one pls", "standard"),
    ],
)
def test_the_method_a_message_asks_for(text: str, code: str) -> None:
    assert method_in(text, OPTIONS) == code


def test_delivery_times_compare() -> None:
    assert eta_days("当日达") < eta_days("次日达") < eta_days("2-4天") < eta_days("1-2周") < eta_days("soon")
    assert eta_days("48小时内") == 2


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("express no code", NO_COUPON),
        ("快递 不用券", NO_COUPON),
        ("快递，优惠码没有", NO_COUPON),
        ("i don't have a coupon", NO_COUPON),
        ("standard, and try SUMMER20", "SUMMER20"),
        ("快递 用summer20", "summer20"),
        ("pickup + code WELCOME", "WELCOME"),
        ("the 2nd one", None),
        ("express", None),
    ],
)
def test_the_coupon_answer_inside_a_sentence(text: str, answer: str | None) -> None:
    assert coupon_answer(text) == answer


@pytest.mark.parametrize(
    ("text", "address", "later"),
    [
        (
            "王磊 13912345678 南京市鼓楼区中山北路100号 快递 不用券",
            "王磊 13912345678 南京市鼓楼区中山北路100号",
            "快递 不用券",
        ),
        ("Tom Lee, 13800002222, 88 Nanjing West Rd, Shanghai. express, no code", None, "express no code"),
        ("Tom Lee, 13800002222, 88 Express Rd, Shanghai", None, None),  # a street named Express
        ("快递", None, None),  # nothing before it: no address to split off
    ],
)
def test_answers_to_the_next_steps_after_an_address(text: str, address: str | None, later: str | None) -> None:
    kept, found = split_later_answers(text)
    assert found == later
    if address is not None:
        assert kept == address
