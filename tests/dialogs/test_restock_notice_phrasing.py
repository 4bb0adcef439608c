"""Back-in-stock notices (到货提醒) asked for in customers' words: offered with a sold-out answer;
"yes", "notify me", "到货了通知我" right after it, or one message naming the product, sign the
customer up for the sold-out versions only; "no" or other business signs nobody up."""

from __future__ import annotations

import pytest

from dialogs.flows.restock import asks_to_be_told
from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CUSTOMER = "C-terminal-u1"


@pytest.mark.parametrize(
    "text",
    [
        "到货了通知我一下",
        "有货了提醒我",
        "补货了告诉我一声",
        "can you let me know when it's back",
        "notify me",
        "pls ping me",
    ],
)
def test_asking_to_be_told(text: str) -> None:
    assert asks_to_be_told(text)


@pytest.mark.parametrize("text", ["不用通知我", "don't notify me", "什么时候有货", "when is it back in stock?"])
def test_not_asking_to_be_told(text: str) -> None:
    assert not asks_to_be_told(text)


@pytest.mark.parametrize(
    ("ask", "answer"),
    [
        ("降噪耳机什么时候有货", "到货了通知我"),
        ("降噪耳机还有货吗", "好"),
        ("when will the noise cancelling headphones be back in stock?", "yes please"),
        ("are the headphones sold out", "ok let me know when they're back"),
    ],
)
async def test_the_offer_then_yes_or_notify_me_signs_up(chat: Chat, shop: FakeShop, ask: str, answer: str) -> None:
    out = await chat(ask)
    payloads = [b.payload for r in out.replies for b in r.buttons]
    assert any(p.startswith("restock_notice:") for p in payloads), chat.text(out)
    out = await chat(answer)
    assert shop.stock_notices == {(CUSTOMER, "P400")}, chat.text(out)


@pytest.mark.parametrize(
    "ask", ["降噪耳机到货了提醒我一下", "notify me when the noise cancelling headphones are back in stock"]
)
async def test_one_message_naming_the_product_signs_up(chat: Chat, shop: FakeShop, ask: str) -> None:
    await chat(ask)
    assert shop.stock_notices == {(CUSTOMER, "P400")}


async def test_a_partly_sold_out_product_signs_up_the_sold_out_version_only(chat: Chat, shop: FakeShop) -> None:
    await chat("跑鞋43码什么时候补货")
    await chat("43码有货了通知我")
    assert shop.stock_notices == {(CUSTOMER, "P200-BLK-43")}


@pytest.mark.parametrize(
    ("ask", "answer"), [("降噪耳机什么时候有货", "不用了"), ("are the headphones sold out", "no thanks")]
)
async def test_no_thanks_signs_nobody_up(chat: Chat, shop: FakeShop, ask: str, answer: str) -> None:
    await chat(ask)
    await chat(answer)
    assert shop.stock_notices == set()


async def test_asking_twice_is_answered_as_already_on_the_list(chat: Chat, shop: FakeShop) -> None:
    await chat("降噪耳机到货了通知我")
    out = await chat("降噪耳机到货提醒我")
    assert "登记过" in chat.text(out)
    assert shop.stock_notices == {(CUSTOMER, "P400")}
