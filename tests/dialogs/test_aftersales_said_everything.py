"""After-sales requests that already say everything, in the customers' words.

- A request that gives its reason ("the lid is cracked, i want to return it") is filed at once
  with that reason; nobody asks "why?" again. Asked as a question ("could I exchange it?") it is
  confirmed first. Words and "ok / no photos / submit" after the filing go into the request or
  are acknowledged; nothing is filed twice and nobody is handed to a person.
- "yes" / "对" is a confirmation, never a reason; a complaint word at the reason step
  ("qualty issue") is the reason, not a case for a person.
- A paid order that has not shipped: a return is explained, a refund offered, and "yes" files it.
"""

from __future__ import annotations

import pytest

from dialogs.reasons import CHANGED_MIND, DAMAGED, LATE, NOT_AS_DESCRIBED, WRONG_SIZE, reason_in
from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop


async def _order(chat: Chat, lang: str, *, delivered: bool) -> None:
    if lang == "zh":
        await chat("保温杯来一个")
        await chat("结账")
        await chat("张三 13800138000 上海市浦东新区世纪大道100号")
        await chat("快递")
        await chat("没券 直接下单")
    else:
        await chat("one insulated mug please")
        await chat("checkout")
        await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
        await chat("standard")
        await chat("no code, just place it")
    await chat("!pay")
    if delivered:
        await chat("!ship")
        await chat("!deliver")


async def _state(chat: Chat) -> tuple[str | None, str | None]:
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    return state.flow, state.handoff_status


def _asks_why(text: str) -> bool:
    return "原因是" in text or "why would you like" in text.lower()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("they're too tight, I want to send them back", WRONG_SIZE),
        ("还没发货吧 我不想要了 退款", CHANGED_MIND),
        ("becaause quality issue", DAMAGED),
        ("刀收到有个缺口", DAMAGED),
        ("就是背着不合适，东西没坏", WRONG_SIZE),
        ("实物跟图片差太多了", NOT_AS_DESCRIBED),
        ("took so long, it arrived after the trip", LATE),
        ("the sole is brokn", DAMAGED),
        ("nothing is damaged, I just don't want it", CHANGED_MIND),
    ],
)
def test_reasons_in_customers_words(text: str, reason: int) -> None:
    assert reason_in(text) == reason


@pytest.mark.parametrize("text", ["yes", "对 退款", "我要退货", "I want to return it", "没有照片", "is that right?"])
def test_no_reason_in_confirmations_and_bare_requests(text: str) -> None:
    assert reason_in(text) is None


@pytest.mark.parametrize(
    ("lang", "ask", "kind"),
    [
        ("zh", "杯子收到就裂了一道缝，我要退货", "return"),
        ("zh", "盖子漏水 退款吧", "refund"),
        ("zh", "实物跟图片差太多了 退货", "return"),
        ("en", "the lid is cracked, i want to return it", "return"),
        ("en", "arrived way too late for the party, refund please", "refund"),
        ("en", "i want to return it, the qualty is bad", "return"),
    ],
)
async def test_a_delivered_order_request_with_its_reason_is_filed_at_once(
    chat: Chat, shop: FakeShop, lang: str, ask: str, kind: str
) -> None:
    await _order(chat, lang, delivered=True)
    out = await chat(ask)
    text = chat.text(out)
    assert not _asks_why(text), text
    assert [(v.kind, v.status) for _, v in shop.requests] == [(kind, "requested")], text
    assert ask.split()[0] in shop.requests[0][1].reason  # the customer's own words travel with it
    assert (await _state(chat))[1] == "none"


@pytest.mark.parametrize(
    ("lang", "ask", "yes"),
    [("en", "it's too small, could I exchange it?", "yes please"), ("zh", "尺码偏小 可以换货吗", "好的")],
)
async def test_a_request_asked_as_a_question_is_confirmed_first(
    chat: Chat, shop: FakeShop, lang: str, ask: str, yes: str
) -> None:
    await _order(chat, lang, delivered=True)
    out = await chat(ask)
    assert not _asks_why(chat.text(out))
    assert shop.requests == []
    await chat(yes)
    assert [v.kind for _, v in shop.requests] == ["exchange"]


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["the mug leaks, i want a refund", "it leaks every time i fill it", "no photos", "submit"]),
        ("zh", ["杯盖坏了 要退货", "拧不紧，一倒就漏", "没拍照", "好的 提交吧"]),
    ],
)
async def test_after_a_filing_more_words_and_acknowledgements_change_nothing_else(
    chat: Chat, shop: FakeShop, lang: str, lines: list[str]
) -> None:
    await _order(chat, lang, delivered=True)
    for line in lines:
        out = await chat(line)
        assert out.replies, line
    assert len(shop.requests) == 1
    assert lines[1] in shop.requests[0][1].reason
    assert (await _state(chat))[1] == "none"


@pytest.mark.parametrize(("lang", "yes"), [("zh", "对"), ("en", "yes")])
async def test_yes_at_the_reason_step_is_not_a_reason(chat: Chat, shop: FakeShop, lang: str, yes: str) -> None:
    await _order(chat, lang, delivered=True)
    await chat("我要退货" if lang == "zh" else "i want to return it")
    out = await chat(yes)
    assert _asks_why(chat.text(out))  # asked again
    out = await chat("质量不太行" if lang == "zh" else "becuase qualty issue")
    assert (await _state(chat))[1] == "none"
    await chat("没有照片" if lang == "zh" else "no photos")
    await chat("确认" if lang == "zh" else "yes")
    assert len(shop.requests) == 1
    reason = shop.requests[0][1].reason
    assert reason not in ("对", "yes")


@pytest.mark.parametrize(
    ("lang", "ask", "yes"),
    [
        ("zh", "不想要了 退货", "好的"),
        ("en", "send it back, i don't need it anymore", "yes please"),
        ("en", "i want to return it, changed my mind", "ok refund it"),
    ],
)
async def test_an_unshipped_return_becomes_the_refund_offered(
    chat: Chat, shop: FakeShop, lang: str, ask: str, yes: str
) -> None:
    await _order(chat, lang, delivered=False)
    out = await chat(ask)
    assert any(b.payload.startswith("aftersales:refund.") for r in out.replies for b in r.buttons)
    assert shop.requests == []
    await chat(yes)
    assert [v.kind for _, v in shop.requests] == ["refund"]
    assert shop.requests[0][1].reason not in ("好的", "yes please", "ok refund it")


async def test_an_unshipped_return_without_a_reason_asks_it_once_then_files(chat: Chat, shop: FakeShop) -> None:
    await _order(chat, "zh", delivered=False)
    await chat("我要退货")
    out = await chat("行")
    assert _asks_why(chat.text(out))
    await chat("买多了")
    assert [(v.kind, v.reason) for _, v in shop.requests] == [("refund", "买多了")]


@pytest.mark.parametrize(
    ("lang", "ask"),
    [("zh", "还没发货的话就退款吧 不需要了"), ("en", "please refund me, i changed my mind")],
)
async def test_an_unshipped_refund_with_its_reason_is_filed_at_once(
    chat: Chat, shop: FakeShop, lang: str, ask: str
) -> None:
    await _order(chat, lang, delivered=False)
    out = await chat(ask)
    assert not _asks_why(chat.text(out))
    assert [v.kind for _, v in shop.requests] == ["refund"]


async def test_declining_the_offer_files_nothing(chat: Chat, shop: FakeShop) -> None:
    await _order(chat, "en", delivered=False)
    await chat("i'd like to return this")
    await chat("no thanks")
    assert shop.requests == []


@pytest.mark.parametrize(
    ("lang", "ask"),
    [("zh", "耳机用了两天就没声音了，坏了 要退货"), ("en", "the earbuds stopped working, i want to return them")],
)
async def test_with_several_orders_the_one_holding_the_named_item_is_meant(
    chat: Chat, shop: FakeShop, lang: str, ask: str
) -> None:
    await _order(chat, lang, delivered=True)  # a mug
    if lang == "zh":
        for line in ("黑色蓝牙耳机来一个", "结账", "1", "快递", "没券 直接下单"):
            await chat(line)
    else:
        for line in ("one pair of black earbuds", "checkout", "1", "standard", "no code, just place it"):
            await chat(line)
    await chat("!pay")
    await chat("!ship")
    await chat("!deliver")
    assert len([o for o in shop.orders_list if o.status == "delivered"]) == 2
    out = await chat(ask)
    earbuds = next(o.number for o in shop.orders_list if any(line[0].startswith("P100") for line in o.lines))
    assert [(v.order_number, v.kind) for _, v in shop.requests] == [(earbuds, "return")], chat.text(out)
