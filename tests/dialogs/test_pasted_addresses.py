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
        # labels without colons, one line (what people type when they copy a form by hand)
        (
            "收件人 孙小美 电话 13612345678 地址 江苏省苏州市姑苏区人民路666号",
            AddressDraft("孙小美", "13612345678", "江苏省苏州市姑苏区", "人民路666号"),
        ),
        (
            "收货人 周杰 手机号码 13712340000 所在地区 湖北省 武汉市 洪山区 详细地址 珞喻路1037号",
            AddressDraft("周杰", "13712340000", "湖北省武汉市洪山区", "珞喻路1037号"),
        ),
        (
            "姓名 李四 手机 15900001111 地址 上海市徐汇区漕溪北路88号",
            AddressDraft("李四", "15900001111", "上海市徐汇区", "漕溪北路88号"),
        ),
        # JD: 收货人 / 联系方式 / 收货地址 on separate lines
        (
            "收货人：陈晨\n联系方式：18612345678\n收货地址：北京 北京市 朝阳区 望京街10号",
            AddressDraft("陈晨", "18612345678", "北京市朝阳区", "望京街10号"),
        ),
        # Taobao: name, 86-phone, spaced region, street, postcode
        (
            "黄蓉，86-13800138000，浙江省 杭州市 西湖区 文三路90号，310012",
            AddressDraft("黄蓉", "13800138000", "浙江省杭州市西湖区", "文三路90号"),
        ),
        # slashes, lines, +86 with dashes
        (
            "钱多多/13512345678/浙江省宁波市鄞州区天童南路555号",
            AddressDraft("钱多多", "13512345678", "浙江省宁波市鄞州区", "天童南路555号"),
        ),
        (
            "王芳 +86 137-1234-5678 广东省广州市天河区天河路385号 510620",
            AddressDraft("王芳", "13712345678", "广东省广州市天河区", "天河路385号"),
        ),
        (
            "张三\n13800138000\n上海市浦东新区世纪大道100号",
            AddressDraft("张三", "13800138000", "上海市浦东新区", "世纪大道100号"),
        ),
        # English: slashes, no labels, labels without colons, postcode after the city
        (
            "Li Wei / 13800001111 / Room 502, 18 Huaihai Rd, Xuhui, Shanghai",
            AddressDraft("Li Wei", "13800001111", "Xuhui, Shanghai", "Room 502, 18 Huaihai Rd"),
        ),
        (
            "Tom Lee / +86 138 0000 2222 / 88 Nanjing West Rd / Jing'an District / Shanghai",
            AddressDraft("Tom Lee", "13800002222", "Jing'an District, Shanghai", "88 Nanjing West Rd"),
        ),
        (
            "name Tom Lee phone 13800002222 address 88 Nanjing West Rd, Jing'an District, Shanghai",
            AddressDraft("Tom Lee", "13800002222", "Jing'an District, Shanghai", "88 Nanjing West Rd"),
        ),
        (
            "Tom Lee, 13800002222, 88 Nanjing West Rd, Jing'an District, Shanghai 200040",
            AddressDraft("Tom Lee", "13800002222", "Jing'an District, Shanghai", "88 Nanjing West Rd"),
        ),
        (
            "my name is Amy Zhang, phone number is 86-139 0000 1111, address is Apt 3, 12 Wulumuqi Rd, Xuhui, Shanghai",
            AddressDraft("Amy Zhang", "13900001111", "Xuhui, Shanghai", "Apt 3, 12 Wulumuqi Rd"),
        ),
        (
            "Receiver: Ben Ho\nTel: +86-136-1111-2222\nStreet: 5 Keyuan Rd\nCity: Nanshan District, Shenzhen\n"
            "Postcode: 518057",
            AddressDraft("Ben Ho", "13611112222", "Nanshan District, Shenzhen", "5 Keyuan Rd"),
        ),
        # labels glued to their values, a province/city/district form, a label that covers less than it holds
        (
            "收件人钱多多电话13512345678地址浙江省宁波市鄞州区天童南路555号",
            AddressDraft("钱多多", "13512345678", "浙江省宁波市鄞州区", "天童南路555号"),
        ),
        (
            "收货人：李雷 省份：北京 城市：北京市 区县：朝阳区 详细地址：建国路88号 手机：13911112222",
            AddressDraft("李雷", "13911112222", "北京市朝阳区", "建国路88号"),
        ),
        (
            "Name: Mary Chen\nPhone: 13900002222\nCity: Shanghai\nDistrict: Pudong\nAddress: 100 Century Ave",
            AddressDraft("Mary Chen", "13900002222", "Shanghai, Pudong", "100 Century Ave"),
        ),
        (
            "phone 13800002222, name Tom Wu, 88 Nanjing West Rd, Shanghai",
            AddressDraft("Tom Wu", "13800002222", "Shanghai", "88 Nanjing West Rd"),
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
