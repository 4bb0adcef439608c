"""Request keywords typed one keystroke off ("rteurn", "refnud", "cancle") are read as meant, and
none of those spellings is an English word of its own (no real word is ever rewritten)."""

from __future__ import annotations

import pytest

from dialogs.references import ONE_EDIT_KEYWORDS, one_edit_typos, ordinal, without_typos
from nlu.english import english_word_counts


def test_no_typo_read_as_a_keyword_is_an_english_word() -> None:
    english = english_word_counts()
    for word in ONE_EDIT_KEYWORDS:
        real = sorted(typo for typo in one_edit_typos(word) if typo in english)
        assert not real, f"{word}: {real}"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("i want to retrun the kettle", "i want to return the kettle"),
        ("can i get a refnud pls", "can i get a refund pls"),
        ("exchnage it for a bigger one", "exchange it for a bigger one"),
        ("pls cancle my order", "pls cancel my order"),
        ("Rteurn it", "return it"),
    ],
)
def test_a_keyword_one_keystroke_off_is_read_as_meant(typed: str, read: str) -> None:
    assert without_typos(typed).lower() == read


@pytest.mark.parametrize("text", ["rerun the report", "a returned parcel", "cancelled", "refunds", "turn it"])
def test_other_words_are_left_alone(text: str) -> None:
    assert without_typos(text) == text


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("the first one", 1),
        ("first", 1),
        ("pick the second", 2),
        ("ok put it in my cart, need to ask my brother first", None),
        ("hang on a second", None),
        ("at first i wanted the red one", None),
        ("the second one please, thanks", 2),
    ],
)
def test_first_and_second_as_adverbs_point_at_nothing(text: str, position: int | None) -> None:
    assert ordinal(text) == position
