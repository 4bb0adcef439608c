"""Addresses as customers paste them: labelled blocks copied from WeChat, Taobao and JD (one line or
several, 86- prefixes, postcodes) and their English equivalents - no label word left inside."""

from __future__ import annotations

import pytest

from dialogs.address import AddressDraft, parse_address
from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

LABEL_WORDS = ("收货人", "手机", "地区", "地址", "邮编", "name", "phone", "mobile", "address", "recipient", "：", ":")


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (
            "收货人：王芳\n手机号码：13712345678\n所在地区：广东省 广州市 天河区\n详细地址：天河路385号太古汇2座1808",
            AddressDraft("王芳", "13712345678", "广东省广州市天河区", "天河路385号太古汇2座1808"),
        ),
        (
            "收货人：王芳 手机号码：86-13712345678 所在地区：广东省 广州市 天河区 详细地址：天河路385号 邮编：510620",
            AddressDraft("王芳", "13712345678", "广东省广州市天河区", "天河路385号"),
        ),
        (
            "收件人: 李雷, 电话: 15900001111, 地址: 浙江省杭州市西湖区文三路90号",
            AddressDraft("李雷", "15900001111", "浙江省杭州市西湖区", "文三路90号"),
        ),
        (
            "联系人：赵敏\n联系电话：+86 139 1111 2222\n收货地址：四川省成都市武侯区天府大道300号 610041",
            AddressDraft("赵敏", "13911112222", "四川省成都市武侯区", "天府大道300号"),
        ),
        (
            "Name: Tom Lee, phone 13800002222, address: 88 Nanjing West Rd, Jing'an District, Shanghai",
            AddressDraft("Tom Lee", "13800002222", "Jing'an District, Shanghai", "88 Nanjing West Rd"),
        ),
        (
            "Recipient: Ann Lee\nMobile: +86 135 1234 5678\n"
            "Address: 77 Tianmu Rd West, Jing'an District, Shanghai 200070",
            AddressDraft("Ann Lee", "13512345678", "Jing'an District, Shanghai", "77 Tianmu Rd West"),
        ),
        (
            "Name: Sam Wu / Tel: 13566667777 / Addr: 1 Zhongshan Rd, Yuexiu District, Guangzhou",
            AddressDraft("Sam Wu", "13566667777", "Yuexiu District, Guangzhou", "1 Zhongshan Rd"),
        ),
        (
            "刘洋 13311112222 北京市海淀区中关村大街27号 100080",
            AddressDraft("刘洋", "13311112222", "北京市海淀区", "中关村大街27号"),
        ),
    ],
)
def test_a_pasted_block_is_read_without_its_labels(pasted: str, expected: AddressDraft) -> None:
    draft = parse_address(pasted)
    assert draft == expected
    for value in draft.to_dict().values():
        assert not any(word in value.lower() for word in LABEL_WORDS), value


async def test_checkout_confirms_what_it_understood(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯来一个")
    await chat("结账")
    out = await chat("收货人：王芳\n手机号码：86-13712345678\n所在地区：广东省 广州市 天河区\n详细地址：天河路385号")
    text = chat.text(out)
    assert "王芳 13712345678 广东省广州市天河区天河路385号" in text
    assert "收货人" not in text
    saved = shop.addresses_by_customer["C-terminal-u1"][0]
    assert (saved.name, saved.region, saved.detail) == ("王芳", "广东省广州市天河区", "天河路385号")
