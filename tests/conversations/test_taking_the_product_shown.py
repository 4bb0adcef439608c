"""Taking the product whose card is on screen - on the books / coffee / sneakers catalog
(conftest.custom_shop), which the flows were not written for.

After a card, "要这个" / "I'll take it" / "buy" adds it; "结账" / "checkout" with an empty cart
takes it and goes on to the address; with an option still open the option is asked first and
the checkout follows the answer. Nothing on screen: an empty cart is still an empty cart.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversations.talk import converse

ADDRESS = "王芳 13700002222 广东省广州市天河区天河路300号"


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["新百伦574 灰色42码", "要这个"], {"S3-GR-42": 1}),
        ("zh", ["百年孤独", "就它了"], {"B2-1": 1}),
        ("en", ["new balance 574 navy 42", "ok I'll take it"], {"S3-NV-42": 1}),
        ("en", ["espresso blend beans", "buy"], {"C2-1": 1}),
    ],
    ids=lambda v: str(v)[:30],
)
async def test_taking_words_under_a_card_add_that_product(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="take")
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["百年孤独", "结账"], {"B2-1": 1}),
        ("en", ["new balance 574 grey 42", "checkout"], {"S3-GR-42": 1}),
    ],
    ids=lambda v: str(v)[:30],
)
async def test_checkout_with_an_empty_cart_takes_the_card_and_asks_the_address(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, [*lines, ADDRESS], who="take")
    assert talk.cart == expected, talk.transcript()
    assert talk.turns[-1]["intent"].startswith("checkout:"), talk.transcript()  # the address answered the checkout


async def test_an_open_option_is_asked_first_and_the_checkout_follows_the_answer(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "zh", ["阿迪达斯samba", "结账", "40码", ADDRESS], who="take")
    assert talk.cart == {"S2-40": 1}, talk.transcript()
    assert talk.turns[1]["intent"] == "checkout"
    assert talk.turns[-1]["intent"].startswith("checkout:"), talk.transcript()


async def test_nothing_on_screen_leaves_an_empty_cart_empty(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "en", ["hi", "checkout", ADDRESS], who="take")
    assert talk.cart == {}
    assert not talk.turns[-1]["intent"].startswith("checkout:"), talk.transcript()
