"""The spelling normaliser corrects near misses of training words and leaves everything else."""

from __future__ import annotations

from nlu.builtin import BuiltinNluEngine
from nlu.spelling import SpellingNormaliser

WORDS = {"where": 9, "package": 5, "invoice": 4, "refund": 6, "receipt": 2, "recipe": 1, "order": 8}


def test_near_misses_become_training_words() -> None:
    speller = SpellingNormaliser(WORDS)
    assert speller.correct("whre is my pakage") == "where is my package"
    assert speller.correct("refnud and invocie") == "refund and invoice"  # swapped letters count once


def test_far_off_short_and_known_words_are_left_alone() -> None:
    speller = SpellingNormaliser(WORDS)
    assert speller.correct("asdfghjk qwpo") == "asdfghjk qwpo"
    assert speller.correct("oder") == "order"
    assert speller.correct("ordr is") == "order is"
    assert speller.correct("ode") == "ode"  # under four letters: too ambiguous to guess
    assert speller.correct("我的 pakage 呢") == "我的 package 呢"


def test_ties_go_to_the_more_frequent_word() -> None:
    speller = SpellingNormaliser({"receipt": 5, "recipe": 1})
    assert speller.correct_word("recipt") == "receipt"


async def test_engine_understands_typos_it_was_not_trained_on(engine: BuiltinNluEngine) -> None:
    assert len(engine.speller) > 500
    for text, intent in [
        ("wher is my pakage", "track_shipment"),
        ("i need an invocie for my ordr", "invoice"),
        ("cancle my oder", "cancel_order"),
    ]:
        result = await engine.parse(text)
        assert result.intent.name == intent, (text, result.intent)
