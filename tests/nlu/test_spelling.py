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


# --- real English words, short command words, typos the generator put in the data -------------

ENGLISH = {"olive": 9000, "live": 2_500_000, "tent": 12000, "sent": 300_000, "pleas": 900, "please": 3_000_000}


def _english_speller(words: dict[str, int]) -> SpellingNormaliser:
    from nlu.english import EnglishWords

    return SpellingNormaliser(words, EnglishWords.from_counts(ENGLISH), syllables={"bu", "ca"})


def test_real_english_words_are_not_turned_into_training_words() -> None:
    speller = _english_speller({"live": 5, "sent": 3, "please": 40, "two": 9, "person": 7})
    assert speller.correct("olive two person tent") == "olive two person tent"
    assert speller.correct_word("pleas") == "please"  # far rarer than the word it is one key from


def test_short_command_words_are_corrected_only_to_commands() -> None:
    speller = _english_speller({"add": 30, "buy": 20, "pay": 25, "cart": 40, "and": 90, "to": 99})
    assert speller.correct("ad to cart") == "add to cart"
    assert speller.correct("byu it") == "buy it"
    assert speller.correct("pya now") == "pay now"
    assert speller.correct_word("bu") is None  # a pinyin syllable (不)
    assert speller.correct_word("an") is None  # not a command word's typo


def test_rare_generated_typos_in_the_data_are_still_corrected() -> None:
    speller = _english_speller({"cart": 60, "crat": 1, "tent": 1})
    assert speller.correct_word("crat") == "cart"
    assert speller.correct_word("tent") is None  # rare in the data, but an English word


def test_the_engine_keeps_colour_and_product_words(engine: BuiltinNluEngine) -> None:
    assert "olive" in engine.speller.correct("olive tent")
    assert engine.speller.correct("ad to cart") == "add to cart"
