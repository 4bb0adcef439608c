"""A coupon code said outside the coupon step, haggling, and "keep my cart for later"
(dialogs/flows/coupons.py, the router's asides), with the real NLU and the in-memory shop
(SAVE10: ¥10 off; WINTER: expired; nothing else is a code)."""

from __future__ import annotations

from bot.terminal.runner import TurnOutput
from dialogs.messages import Lang
from dialogs.render import render_as_text
from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CART = "C-terminal-u1"
ADDRESS_EN = "Ann Lee, 13800138000, 100 Century Ave, Pudong, Shanghai"
ADDRESS_ZH = "王芳 13912345678 上海市浦东新区世纪大道100号"


def said(out: TurnOutput, lang: Lang = "en") -> str:
    return render_as_text(out.replies, lang)


def summaries(out: TurnOutput) -> list[object]:
    return [r for r in out.replies if r.type == "order_summary"]


async def test_a_code_riding_on_a_buying_message_is_kept_and_the_item_added(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("insulated mug")
    out = await chat("great, i'll get it - and apply save10 please")
    assert shop.carts[CART] == {"P300": 1}
    assert "SAVE10" in said(out)
    await chat("checkout")
    await chat(ADDRESS_EN)
    out = await chat("@Express")
    text = said(out)
    assert "SAVE10" in text, text  # applied without being asked for again
    assert summaries(out)
    await chat("yes")
    assert shop.orders_list
    assert shop.orders_list[0].total.to_decimal_string() == "101.00"


async def test_an_expired_code_is_said_so_and_the_next_one_taken(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯来两个")
    assert shop.carts[CART] == {"P300": 2}
    out = await chat("我有个券 winter 能用吗")
    text = said(out, "zh")
    assert "WINTER" in text, text
    assert "过期" in text, text
    assert out.intent == "use_coupon"
    out = await chat("啊这样 那save10呢")
    assert "SAVE10" in said(out, "zh")
    summary = await chat.runner.summary()
    assert summary["summary"]["handoff"] == "none"
    await chat("结账")
    await chat(ADDRESS_ZH)
    out = await chat("@顺丰")
    assert "SAVE10" in said(out, "zh")
    await chat("确认")
    assert shop.orders_list[0].total.to_decimal_string() == "190.00"  # 178 + 22 - 10


async def test_the_last_code_named_is_the_one_tried(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("2 insulated mugs")
    out = await chat("winter doesnt work? try save10")
    text = said(out)
    assert "SAVE10" in text, text
    assert "expired" not in text, text


async def test_an_unknown_code_is_said_unknown_and_shopping_goes_on(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("2 insulated mugs")
    out = await chat("use code BOGUS99")
    assert "BOGUS99" in said(out)
    assert "unknown" in said(out)
    out = await chat("checkout")
    assert out.intent == "checkout"


async def test_a_shop_word_that_is_no_code_is_left_alone(chat: Chat, shop: FakeShop) -> None:
    """WINTER is a code of this shop, yet "winter" in a question about goods names none."""
    await chat("/lang en")
    out = await chat("any mugs good for winter?")
    assert out.intent != "use_coupon"


async def test_a_code_at_the_address_step_is_kept_and_the_address_asked_again(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("2 insulated mugs")
    await chat("checkout")
    out = await chat("oh wait, try save10 then")
    text = said(out)
    assert "SAVE10" in text, text
    assert "address" in text, text  # the question still open, asked again
    await chat(ADDRESS_EN)
    out = await chat("@Express")
    assert "SAVE10" in said(out)
    await chat("yes")
    assert shop.orders_list[0].total.to_decimal_string() == "190.00"


async def test_keeping_the_cart_for_later_starts_no_checkout(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("2 insulated mugs")
    out = await chat("keep my cart please, i'll pay for it later")
    assert out.intent == "keep_cart"
    assert "saved" in said(out)
    assert shop.carts[CART] == {"P300": 2}
    assert not shop.orders_list
    out = await chat("checkout")
    assert out.intent == "checkout"  # the saved cart checks out whenever asked


async def test_keeping_the_cart_adds_what_the_same_message_asks_for(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯")
    out = await chat("来三个 先放购物车 回头再付")
    assert shop.carts[CART] == {"P300": 3}
    assert "留着" in said(out, "zh")


async def test_putting_a_checkout_down_for_later(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯来两个")
    await chat("结账")
    out = await chat("算了 先放购物车 晚点再付")
    assert "留着" in said(out, "zh")
    summary = await chat.runner.summary()
    assert summary["summary"]["cart"]
    assert not shop.orders_list
    await chat(ADDRESS_ZH)  # no checkout is waiting for it any more: kept or a new checkout
    assert not shop.orders_list


async def test_haggling_gets_an_honest_answer_and_the_product_stays(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("insulated mug")
    out = await chat("89 is kinda steep.. 70 and i'll take it?")
    assert out.intent == "bargain"
    assert "same for everyone" in said(out)
    await chat("come on, any discount at all?")
    await chat("ok fine, i'll take it")
    assert shop.carts[CART] == {"P300": 1}


async def test_haggling_in_chinese(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯多少钱")
    out = await chat("有点贵啊 两个算150呗")
    assert out.intent == "bargain"
    assert "统一标价" in said(out, "zh")
    assert CART not in shop.carts or not shop.carts[CART]  # an offer is no purchase
    await chat("好吧 原价来两个")
    assert shop.carts[CART] == {"P300": 2}


async def test_putting_an_option_in_the_cart_for_later_adds_it(chat: Chat, shop: FakeShop) -> None:
    """ "放购物车" both buys and keeps: the option named goes in, then the cart is kept."""
    await chat("/lang zh")
    await chat("无线蓝牙耳机")
    out = await chat("那先把白色的放购物车吧 我再想想")
    assert shop.carts[CART] == {"P100-WHT": 1}
    assert "留着" in said(out, "zh")


async def test_an_offer_naming_an_option_buys_nothing_until_agreed(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("无线蓝牙耳机")
    out = await chat("那黑色的 买三个能便宜点不")
    assert out.intent == "bargain"
    assert not shop.carts.get(CART)
    await chat("好吧 原价来三个")
    assert shop.carts[CART] == {"P100-BLK": 3}


async def test_an_offer_in_english_then_the_purchase_at_full_price(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang en")
    await chat("wireless bluetooth earbuds")
    await chat("the first one")
    out = await chat("i'd take the black ones if u can do 250")
    assert out.intent == "bargain"
    assert not shop.carts.get(CART)
    await chat("fine, i'll take them")
    assert shop.carts[CART] == {"P100-BLK": 1}


async def test_keeping_the_cart_right_after_adding_adds_nothing_more(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯来两个")
    out = await chat("先放购物车 月底再买")
    assert shop.carts[CART] == {"P300": 2}
    assert "留着" in said(out, "zh")


async def test_no_coupon_with_a_checkout_request_starts_the_checkout(chat: Chat, shop: FakeShop) -> None:
    await chat("/lang zh")
    await chat("保温杯来两个")
    out = await chat("优惠券就不用了 直接结算")
    assert "地址" in said(out, "zh")
    await chat(ADDRESS_ZH)
    out = await chat("@顺丰")
    assert summaries(out)  # no coupon question again
