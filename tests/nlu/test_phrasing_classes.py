"""Failure classes from conversation QA, checked on phrasings that are NOT in the training data.

Buying asked as a question or a polite/slangy form must be a shopping intent (never refund or a
handoff), and paying again after a failed payment must read as `pay` (the dialog sends a new link).
"""

from __future__ import annotations

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.text import feature_text
from nlu.training_data import load_files, training_files

SHOPPING = {"add_to_cart", "search_product"}
BUYING = [
    "could i get the olive scarf in M",
    "can i have two of the white ones",
    "i'd like a grey hoodie",
    "lemme get the pink one",
    "black headphones",
    "再来一条黑色的",
    "也来一件白的",
    "那来两盒",
    "可以要一个粉色的吗",
    "蓝色双肩包",
    "黑色耳机",
]
RETRY = [
    "send me the payment link once more",
    "please resend the link",
    "can i retry",
    "再发一次链接",
    "重新发一下链接",
    "我重新付款",
]


def test_probes_are_not_training_sentences() -> None:
    trained = {feature_text(example.text) for example in load_files(training_files()).examples}
    assert not {feature_text(text) for text in BUYING + RETRY} & trained


@pytest.mark.parametrize("text", BUYING)
def test_buying_requests_are_shopping(engine: BuiltinNluEngine, text: str) -> None:
    assert engine.parse_sync(text).intent.name in SHOPPING


@pytest.mark.parametrize("text", RETRY)
def test_payment_retry_is_pay(engine: BuiltinNluEngine, text: str) -> None:
    assert engine.parse_sync(text).intent.name == "pay"
