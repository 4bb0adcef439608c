"""What staff read, without a server: shop-zone times, transcript labels, audit values,
category dropdown order, addresses."""

from __future__ import annotations

from datetime import UTC, datetime

from admin_web.console.hub import message_event
from admin_web.console.shown import show_message
from admin_web.queries import customer_label
from admin_web.readable import readable_fields
from admin_web.views.catalog import category_options
from admin_web.views.orders import address_lines, spec_text
from commerce.catalog.model import Category
from commerce.customers.model import Address, AddressIn
from commerce.localized import LocalizedText
from core.shop_time import ShopClock

SHANGHAI = ShopClock("Asia/Shanghai")
AT = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


def test_times_are_shown_in_the_shop_zone_whatever_the_server_zone() -> None:
    assert SHANGHAI.format(AT) == "2026-12-07 09:30"
    assert SHANGHAI.format(AT.replace(tzinfo=None), "time") == "09:30"  # BSON dates come back naive UTC
    assert SHANGHAI.format(None) == ""
    assert ShopClock("Europe/Berlin").format(AT, "time") == "02:30"


def test_live_and_loaded_console_messages_render_alike() -> None:
    doc = {"conversation_id": "webchat:v", "sender": "customer", "kind": "text", "text": "在吗", "at": AT, "key": "k1"}
    for lang, label in (("zh", "客户"), ("en", "Customer")):
        live = message_event(doc, lang, SHANGHAI)["shown"]
        loaded = show_message(lang, SHANGHAI, key="k1", sender="customer", kind="text", text="在吗", at=AT)
        assert live == loaded.to_event()
        assert live["time"] == "09:30"
        assert live["sender_label"] == label


def test_pressed_buttons_read_as_labels_not_codes() -> None:
    def shown(text: str, lang: str = "zh", kind: str = "button", images: tuple[str, ...] = ()) -> str:
        return show_message(lang, SHANGHAI, key="", sender="customer", kind=kind, text=text, at=AT, images=images).text

    assert shown("[p:P112] 查看详情") == "查看详情"
    assert shown("[p:P112]") == "查看商品 P112"
    assert shown("[rsn:0]") == "选择原因"
    assert shown("[photos:done]") == "照片已传完"
    assert shown("[photos:done]", "en") == "Done with photos"
    assert shown("[mystery:1]", "en") == "Pressed a button"
    photo = show_message(
        "zh", SHANGHAI, key="", sender="customer", kind="image", text="[image x1] 破了", at=AT, images=("/media/a.jpg",)
    )
    assert photo.text == "照片 ×1 · 破了"
    assert photo.images == ("/media/a.jpg",)
    assert "[" not in shown("[location 31.2,121.4]", kind="location")
    # what the bot said keeps its text, codes included (they are not button presses)
    bot = show_message("zh", SHANGHAI, key="", sender="bot", kind="text", text="[p:P1]", at=AT)
    assert bot.text == "[p:P1]"


def test_audit_values_are_readable_text() -> None:
    fields = readable_fields({"carrier": "顺丰", "lines": [{"sku": "A", "title": "黑色"}], "paid": True, "note": None})
    assert fields == [("carrier", "顺丰"), ("lines", '[{"sku": "A", "title": "黑色"}]'), ("paid", "✓"), ("note", "—")]
    assert "\\u" not in str(fields)


class _Catalog:
    def __init__(self, categories: list[Category]) -> None:
        self.categories = categories

    async def list_categories(self) -> list[Category]:
        return self.categories


def _category(code: str, zh: str, parent: str | None = None, sort: int = 0) -> Category:
    return Category(code=code, name=LocalizedText(zh, code), parent=parent, sort=sort)


async def test_category_dropdown_lists_each_parent_with_its_own_children() -> None:
    flat_by_depth = [
        _category("food", "食品", sort=1),
        _category("clothes", "服装", sort=2),
        _category("digital", "数码", sort=3),
        _category("snacks", "零食", "food"),
        _category("tops", "上衣", "clothes"),
        _category("phones", "手机", "digital"),
        _category("lost", "无主", "gone"),
    ]
    options = await category_options(_Catalog(flat_by_depth))
    assert [(o.code, o.depth) for o in options] == [
        ("food", 0),
        ("snacks", 1),
        ("clothes", 0),
        ("tops", 1),
        ("digital", 0),
        ("phones", 1),
        ("lost", 0),
    ]


def _address(region: dict[str, str], detail: str) -> Address:
    data = {"recipient": "Amy Wang", "phone": "13911112222", "region": region, "detail": detail}
    return Address.from_input("a1", AddressIn.model_validate(data))


def test_order_address_and_options_read_properly() -> None:
    english = _address({"province": "Shanghai", "city": "Shanghai", "district": "Huangpu"}, "88 Nanjing Rd")
    assert address_lines(english) == ["Amy Wang 13911112222", "88 Nanjing Rd, Huangpu, Shanghai"]
    chinese = _address({"province": "上海市", "city": "上海市", "district": "黄浦区"}, "南京东路88号")
    assert address_lines(chinese) == ["Amy Wang 13911112222", "上海市黄浦区 南京东路88号"]
    assert spec_text({"color": "black", "size": "L"}, "en") == "Color: Black · Size: L"


def test_customers_are_named_by_name_phone_or_address_never_an_id() -> None:
    assert customer_label({"_id": "abc", "name": "小王"}) == "小王"
    assert customer_label({"_id": "abc", "phone": "+8613800138000"}) == "13800138000"
    assert customer_label({"_id": "abc", "addresses": [{"recipient": "张三", "phone": "+8613900000000"}]}) == (
        "张三 13900000000"
    )
    assert customer_label({"_id": "abc"}) == ""
