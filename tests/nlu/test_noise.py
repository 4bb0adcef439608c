"""Markup, code, bare numbers and keyboard mashing must not come out as a confident shop intent."""

from __future__ import annotations

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.engine import FALLBACK_INTENT, INTENTS
from nlu.noise import is_bare_number, is_filler_only, looks_like_code, strip_markup, unknown_word_share

# Intents a dialog would act on (cart, orders, money): every intent of the contract but the
# conversational ones; noise must never land on one of these.
CONVERSATIONAL_INTENTS = {"greet", "goodbye", "thanks", "help", "affirm", "deny", "chitchat"}
COMMERCE_INTENTS = set(INTENTS) - CONVERSATIONAL_INTENTS


def test_strip_markup_drops_script_bodies_and_tags() -> None:
    assert strip_markup("<script>alert(1)</script>").strip() == ""
    assert strip_markup("<STYLE type='x'>p{}</style>ok").strip() == "ok"
    assert strip_markup("<b>hi</b> there").split() == ["hi", "there"]
    assert strip_markup("价格 < 100 元") == "价格 < 100 元"  # a lone "<" is not markup


@pytest.mark.parametrize(
    "text", ["print('hello')", "SELECT * FROM users;", '{"a": 1}', "console.log(x) && y", "def f(x): return x;"]
)
def test_code_is_recognised(text: str) -> None:
    assert looks_like_code(text)


@pytest.mark.parametrize(
    "text", ["add (2) please", "is it < 100 yuan?", "where is my order 20261125-0042?", "我要退货（急）", "ok :)"]
)
def test_ordinary_messages_are_not_code(text: str) -> None:
    assert not looks_like_code(text)


def test_bare_numbers_except_slang() -> None:
    assert is_bare_number("1234567")
    assert is_bare_number("20261125-0042")
    assert is_bare_number(" 555 ")
    assert not is_bare_number("88")  # chat slang for bye-bye
    assert not is_bare_number("order 1234")
    assert not is_bare_number("...")


def test_unknown_word_share() -> None:
    known = {"where", "is", "my", "order"}.__contains__
    assert unknown_word_share("jfkdlsa qwe", known) == 1.0
    assert unknown_word_share("wher is my oder", known) == 0.5
    assert unknown_word_share("我要退货", known) is None
    assert unknown_word_share("123", known) is None


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "print('hello')",
        "SELECT * FROM users;",
        '{"a": 1}',
        "asdfgh",
        "jfkdlsa",
        "qwerty uiop",
        "zzzz",
        "。。。",
        "？？？",
        "!!!!",
        "1234567",
        "555",
        "0000000000",
        "20261125-0042",
        "1+1=?",
    ],
)
def test_noise_gives_fallback(engine: BuiltinNluEngine, text: str) -> None:
    result = engine.parse_sync(text)
    assert result.intent.name == FALLBACK_INTENT, (text, result.intent)


@pytest.mark.parametrize(
    "text", ["嗯嗯嗯哦哦哦", "哈哈哈", "啊啊啊啊", "lorem ipsum dolor sit amet", "😀😀", "DROP TABLE orders"]
)
def test_filler_is_never_a_commerce_intent(engine: BuiltinNluEngine, text: str) -> None:
    result = engine.parse_sync(text)
    assert result.intent.name not in COMMERCE_INTENTS, (text, result.intent)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("<b>hi</b>", "greet"),
        ("88", "goodbye"),
        ("ok", "affirm"),
        ("helo", "greet"),
        ("thx", "thanks"),
        ("add (2) please", "add_to_cart"),
        ("SF1234567890123 到哪了", "track_shipment"),
        ("我要退货", "return_goods"),
    ],
)
def test_real_messages_survive_the_noise_checks(engine: BuiltinNluEngine, text: str, intent: str) -> None:
    assert engine.parse_sync(text).intent.name == intent


def test_a_bare_number_is_fallback_but_keeps_its_entity(engine: BuiltinNluEngine) -> None:
    result = engine.parse_sync("13812345678")
    assert result.intent.name == FALLBACK_INTENT
    assert result.first("phone") == "13812345678"
    assert engine.parse_sync("20261125-0042").first("order_id") == "20261125-0042"


def test_food_named_with_fen_is_not_pink(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync("有卖酸辣粉的吗").entity_values("color") == []
    assert engine.parse_sync("有粉的吗").first("color") == "粉色"


def test_filler_sounds_alone_are_not_requests(engine: BuiltinNluEngine) -> None:
    for text in ("啊啊啊啊啊啊呃呃呃", "唉……", "呃", "啊啊啊!!", "啊吧啊吧", "呃呢", "哎呀呀"):
        assert is_filler_only(text), text
        assert engine.parse_sync(text).intent.name == FALLBACK_INTENT, text
    for text in ("嗯嗯", "哦哦 好的", "哈哈哈", "啊，我的快递呢", "好吧", "退款呢", "啊好吧"):
        assert not is_filler_only(text), text
    assert engine.parse_sync("嗯嗯").intent.name == "affirm"


def test_mostly_gibberish_falls_back_though_one_word_is_near_a_real_one(engine: BuiltinNluEngine) -> None:
    # "snarf" is one letter from "scarf"; the rest is nonsense, so no shop intent may win.
    for text in ("blorp snarf wibble", "qwzx hoodiee plimbr"):
        assert engine.parse_sync(text).intent.name == FALLBACK_INTENT, text


def test_a_message_of_typos_is_still_understood(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync("refnud plz").intent.name == "refund"
    assert engine.parse_sync("helo").intent.name == "greet"


def test_a_change_of_address_names_a_place(engine: BuiltinNluEngine) -> None:
    # Exchanging for another version shares "send ... instead" with a new delivery address.
    assert engine.parse_sync("I got the wrong version, can you send the pro instead?").intent.name == "exchange_goods"
    for text in ("send it to my office instead", "收件人改一下", "帮我改下收货地址"):
        assert engine.parse_sync(text).intent.name == "change_address", text
