"""Each step first reads a message as an answer to itself, then as a side question, and only then
as a change of topic - and a change of topic never throws away a half-done checkout."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CUSTOMER = "C-terminal-u1"


async def _to_coupon_step(chat: Chat, *, lang: str = "zh") -> None:
    if lang == "zh":
        await chat("保温杯来一个")
        await chat("结账")
        await chat("张三 13800138000 上海市浦东新区世纪大道100号")
        out = await chat("快递")
    else:
        await chat("one insulated mug please")
        await chat("checkout")
        await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
        out = await chat("standard")
    assert out.intent == "checkout:shipping", out.intent  # the step took it as its answer


async def _state(chat: Chat) -> tuple[str | None, str | None]:
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    return state.flow, state.step


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh", "没券 直接下单"),
        ("zh", "好了就这样下单吧"),
        ("zh", "啊过期了啊 那不用了 直接下单"),
        ("en", "no code, just place it"),
        ("en", "ok place it"),
        ("en", "none, go ahead and place the order"),
    ],
)
async def test_no_coupon_and_place_it_places_the_order(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    out = await chat(answer)
    assert len(shop.orders_list) == 1, chat.text(out)
    assert any(r.type == "payment_link" for r in out.replies)
    assert any(r.type == "order_summary" for r in out.replies)  # what was ordered is shown with it


@pytest.mark.parametrize(
    ("lang", "answer"), [("zh", "没有"), ("zh", "无"), ("zh", "不用"), ("en", "none"), ("en", "skip")]
)
async def test_no_coupon_shows_the_summary_and_waits(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    out = await chat(answer)
    assert any(r.type == "order_summary" for r in out.replies)
    assert shop.orders_list == []
    assert await _state(chat) == ("checkout", "confirm")


@pytest.mark.parametrize(("lang", "answer"), [("zh", "确认"), ("zh", "提交订单"), ("en", "confirm"), ("en", "yes")])
async def test_the_summary_is_confirmed_in_words(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    await chat("没有" if lang == "zh" else "no")
    await chat(answer)
    assert len(shop.orders_list) == 1


async def test_checkout_said_again_mid_checkout_continues_it(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯来一个")
    await chat("结账")
    await chat("张三 13800138000 上海市浦东新区世纪大道100号")
    out = await chat("结账")  # at the shipping question: go on with the default, never start over
    assert await _state(chat) == ("checkout", "confirm")
    assert any(r.type == "order_summary" for r in out.replies)
    assert shop.orders_list == []
    assert len(shop.addresses_by_customer[CUSTOMER]) == 1


async def test_a_side_question_is_answered_and_the_step_asked_again(chat: Chat) -> None:
    await _to_coupon_step(chat)
    out = await chat("运费怎么算？")
    assert await _state(chat) == ("checkout", "coupon")
    assert len(out.replies) >= 2  # the answer, then the coupon question again


async def test_a_change_of_topic_keeps_the_checkout(chat: Chat, shop: FakeShop) -> None:
    await _to_coupon_step(chat)
    await chat("我要退货")  # nothing to return: answered, then back to the coupon
    flow, _ = await _state(chat)
    assert flow == "checkout"
    await chat("没券 直接下单")
    assert len(shop.orders_list) == 1


@pytest.mark.parametrize("answer", ["skip", "just the normal delivery", "快递就行"])
async def test_shipping_answered_in_the_customers_words(chat: Chat, answer: str) -> None:
    await chat("one insulated mug please")
    await chat("checkout")
    await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    await chat(answer)
    assert await _state(chat) == ("checkout", "coupon")


async def test_the_same_address_as_last_time(chat: Chat, shop: FakeShop) -> None:
    await _to_coupon_step(chat)
    await chat("没券 直接下单")
    await chat("保温杯来一个")
    await chat("结账")
    await chat("地址还是刚才那个")
    assert await _state(chat) in (("checkout", "shipping"), ("checkout", "coupon"))
    assert len(shop.addresses_by_customer[CUSTOMER]) == 1


async def test_a_yes_with_more_words_confirms(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯来一个")
    await chat("耳机 黑色 一个")
    await chat("购物车清空")
    await chat("对 全删了")
    assert not shop.carts.get(CUSTOMER)


# --- the address steps read a message as an answer to themselves first -----------------------


async def _to_address_entry(chat: Chat, lang: str) -> None:
    await chat("保温杯来一个" if lang == "zh" else "one insulated mug please")
    await chat("结账" if lang == "zh" else "checkout")
    assert await _state(chat) == ("checkout", "addr_entry")


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh", "没有码 直接下单吧"),
        ("zh", "不用了谢谢"),
        ("zh", "好的"),
        ("en", "no code, just place it"),
        ("en", "ok go ahead"),
    ],
)
async def test_place_it_is_no_address(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_address_entry(chat, lang)
    out = await chat(answer)
    assert await _state(chat) == ("checkout", "addr_entry")
    assert not shop.addresses_by_customer.get(CUSTOMER)
    assert answer not in chat.text(out)  # never read back as an address


@pytest.mark.parametrize(
    ("lang", "partial", "answer"),
    [
        ("zh", "钱多多 13512345678", "没有码 直接下单吧"),
        ("zh", "钱多多 13512345678", "不用了"),
        ("zh", "钱多多 13512345678", "下单吧"),
        ("en", "Amy Lee, 13512345678", "no coupon, just place the order"),
        ("en", "Amy Lee, 13512345678", "skip"),
    ],
)
async def test_a_missing_field_is_not_filled_with_a_reply(
    chat: Chat, shop: FakeShop, lang: str, partial: str, answer: str
) -> None:
    await _to_address_entry(chat, lang)
    await chat(partial)
    flow, step = await _state(chat)
    assert flow == "checkout"
    assert step in ("addr_region", "addr_detail"), step
    out = await chat(answer)
    assert await _state(chat) == ("checkout", step)
    assert not shop.addresses_by_customer.get(CUSTOMER)
    assert answer not in chat.text(out)
    # the real answer still goes in
    await chat("浙江省宁波市鄞州区天童南路555号" if lang == "zh" else "5 Keyuan Rd, Nanshan District, Shenzhen")
    saved = shop.addresses_by_customer[CUSTOMER][0]
    assert saved.detail in ("天童南路555号", "5 Keyuan Rd")


@pytest.mark.parametrize(
    ("lang", "pasted", "expected"),
    [
        ("zh", "收件人 孙小美 电话 13612345678 地址 江苏省苏州市姑苏区人民路666号", ("孙小美", "人民路666号")),
        (
            "zh",
            "收货人：陈晨\n联系方式：86-18612345678\n收货地址：北京 北京市 朝阳区 望京街10号",
            ("陈晨", "望京街10号"),
        ),
        (
            "en",
            "Ben Ho / +86 136 1111 2222 / Room 9, 5 Keyuan Rd, Nanshan, Shenzhen",
            ("Ben Ho", "Room 9, 5 Keyuan Rd"),
        ),
        (
            "en",
            "Receiver: Kim Park\nMobile: +86 139 0000 1111\nAddress: 12 Wulumuqi Rd, Xuhui District, Shanghai 200031",
            ("Kim Park", "12 Wulumuqi Rd"),
        ),
    ],
)
async def test_a_pasted_address_goes_straight_to_shipping_and_is_read_back(
    chat: Chat, shop: FakeShop, lang: str, pasted: str, expected: tuple[str, str]
) -> None:
    await _to_address_entry(chat, lang)
    out = await chat(pasted)
    flow, step = await _state(chat)
    assert flow == "checkout"
    assert step in ("shipping", "coupon"), step
    saved = shop.addresses_by_customer[CUSTOMER][0]
    assert (saved.name, saved.detail) == expected
    assert saved.name in chat.text(out)  # what was understood, read back
    assert saved.phone in chat.text(out)


# --- "is it good enough for …?": an honest answer from the catalog, then the step again ---------


@pytest.mark.parametrize(
    ("lang", "show", "ask"),
    [
        ("zh", "保温杯", "冬天带去爬山够用吗"),
        ("zh", "保温杯", "这个适合带去露营吗？"),
        ("zh", "保温杯", "零下的天气扛得住吗"),
        ("en", "insulated mug", "is it warm enough for winter hiking?"),
        ("en", "insulated mug", "would it work for camping in the snow"),
        ("en", "insulated mug", "good for a toddler?"),
    ],
)
async def test_a_suitability_question_about_the_product_on_screen(chat: Chat, lang: str, show: str, ask: str) -> None:
    await chat(show)
    out = await chat(ask)
    assert out.intent == "product_question", out.intent
    text = chat.text(out)
    assert ("保温杯" if lang == "zh" else "Insulated Mug") in text
    assert "优惠码" not in text
    assert "coupon" not in text.lower()


@pytest.mark.parametrize(
    ("lang", "ask"),
    [("zh", "这个杯子冬天够用吗"), ("zh", "适合送人吗？"), ("en", "is the mug good enough for camping?")],
)
async def test_a_suitability_question_mid_checkout_keeps_the_step(
    chat: Chat, shop: FakeShop, lang: str, ask: str
) -> None:
    await _to_coupon_step(chat, lang=lang)
    out = await chat(ask)
    assert await _state(chat) == ("checkout", "coupon")
    assert len(out.replies) >= 2  # the answer, then the coupon question again
    await chat("没有" if lang == "zh" else "no code, just place it")
    if lang == "zh":
        await chat("确认")
    assert len(shop.orders_list) == 1


@pytest.mark.parametrize(("lang", "ask"), [("zh", "冬天用够暖吗"), ("en", "is it warm enough for winter?")])
async def test_a_suitability_question_at_the_address_step(chat: Chat, shop: FakeShop, lang: str, ask: str) -> None:
    await _to_address_entry(chat, lang)
    await chat(ask)
    assert await _state(chat) == ("checkout", "addr_entry")
    assert not shop.addresses_by_customer.get(CUSTOMER)


@pytest.mark.parametrize("ask", ["精华和防晒霜哪个适合夏天用", "which one is good for running?", "有没有适合送人的"])
async def test_picking_among_products_is_no_suitability_question(chat: Chat, ask: str) -> None:
    await chat("保温杯")
    out = await chat(ask)
    assert out.intent != "product_question"


@pytest.mark.parametrize(
    ("lang", "ask"), [("zh", "快递一般几天能到？"), ("en", "how long does express delivery take?")]
)
async def test_a_question_at_the_shipping_step_is_answered_not_taken_as_the_choice(
    chat: Chat, lang: str, ask: str
) -> None:
    await _to_address_entry(chat, lang)
    await chat("张三 13800138000 上海市浦东新区世纪大道100号")
    assert await _state(chat) == ("checkout", "shipping")
    out = await chat(ask)
    assert await _state(chat) == ("checkout", "shipping")
    assert len(out.replies) >= 2


# --- what was understood of the address is read back, and a part of it can be fixed ----------


async def _to_step(chat: Chat, lang: str, step: str) -> None:
    await _to_address_entry(chat, lang)
    if lang == "zh":
        await chat("张三 13800138000 上海市浦东新区世纪大道100号")
    else:
        await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    if step in ("coupon", "confirm"):
        await chat("快递" if lang == "zh" else "standard")
    if step == "confirm":
        await chat("没有" if lang == "zh" else "no")
    assert await _state(chat) == ("checkout", step)


@pytest.mark.parametrize(
    ("lang", "step", "fix", "field", "value"),
    [
        ("zh", "shipping", "电话写错了 是13900001111", "phone", "13900001111"),
        ("zh", "confirm", "收件人名字改成李四", "name", "李四"),
        ("zh", "coupon", "手机号不对，应该是139 0000 2222", "phone", "13900002222"),
        ("zh", "confirm", "地址错了，是上海市徐汇区漕溪北路88号", "detail", "漕溪北路88号"),
        ("en", "coupon", "sorry the phone number should be 139 0000 1111", "phone", "13900001111"),
        ("en", "confirm", "the name is wrong, it should be Jane Smith", "name", "Jane Smith"),
        ("en", "confirm", "wrong street, it's 200 Century Ave", "detail", "200 Century Ave"),
    ],
)
async def test_a_part_of_the_address_is_fixed_where_the_customer_is(
    chat: Chat, shop: FakeShop, lang: str, step: str, fix: str, field: str, value: str
) -> None:
    await _to_step(chat, lang, step)
    out = await chat(fix)
    assert await _state(chat) == ("checkout", step)
    assert value in chat.text(out)  # the corrected address, read back
    latest = shop.addresses_by_customer[CUSTOMER][-1]
    assert getattr(latest, field) == value
    if step == "confirm":
        await chat("确认" if lang == "zh" else "confirm")
        assert getattr(shop.orders_list[0].address, field) == value


@pytest.mark.parametrize(
    ("lang", "fix", "answer", "field"),
    [("zh", "电话写错了", "13900001111", "phone"), ("en", "the name is wrong", "Jane Smith", "name")],
)
async def test_a_wrong_part_without_the_right_value_is_asked_for(
    chat: Chat, shop: FakeShop, lang: str, fix: str, answer: str, field: str
) -> None:
    await _to_step(chat, lang, "confirm")
    await chat(fix)
    assert await _state(chat) == ("checkout", f"addr_{field}")
    out = await chat(answer)
    assert await _state(chat) == ("checkout", "confirm")
    assert answer in chat.text(out)
    assert shop.orders_list == []


@pytest.mark.parametrize(
    ("lang", "text"), [("zh", "手机壳换成黑色的"), ("en", "change the number of mugs to 2"), ("zh", "优惠码改一下")]
)
async def test_other_changes_at_the_summary_do_not_touch_the_address(
    chat: Chat, shop: FakeShop, lang: str, text: str
) -> None:
    await _to_step(chat, lang, "confirm")
    await chat(text)
    assert len(shop.addresses_by_customer[CUSTOMER]) == 1
    _, step = await _state(chat)
    assert not (step or "").startswith("addr_")


@pytest.mark.parametrize("answer", ["loos god", "lookks good", "losok good", "sounds good", "confrim", "go ahaed"])
async def test_a_misspelt_go_ahead_at_the_summary_places_the_order(chat: Chat, shop: FakeShop, answer: str) -> None:
    await _to_step(chat, "en", "confirm")
    await chat(answer)
    assert len(shop.orders_list) == 1


@pytest.mark.parametrize("answer", ["looks bad", "not good", "no good", "hold on"])
async def test_a_no_at_the_summary_is_not_read_as_a_misspelt_yes(chat: Chat, shop: FakeShop, answer: str) -> None:
    await _to_step(chat, "en", "confirm")
    await chat(answer)
    assert shop.orders_list == []
