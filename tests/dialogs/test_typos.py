"""Typos of everyday English words (dialogs/typos.yml) read as the words meant, and nothing else."""

from __future__ import annotations

import pytest

from dialogs.references import without_typos

FIXED = [
    ("droop teh mug", "drop the mug"),
    ("remvoe the blue one pls", "remove the blue one pls"),
    ("sur thx", "sure thx"),
    ("Sur, go ahead", "sure, go ahead"),
    ("make it 2 insted", "make it 2 instead"),
    ("chekout", "checkout"),
]

KEPT = [
    "drooping flowers",  # a real word that only starts like a typo
    "Ye Lin, 13800138000, 5 Xinhua Rd",  # names are never corrected
    "Wei Chang, 13900001111",
    "teh北京",  # not a whole word
    "双人帐篷 两顶",
]


@pytest.mark.parametrize(("typed", "meant"), FIXED)
def test_a_typo_reads_as_the_word_meant(typed: str, meant: str) -> None:
    assert without_typos(typed) == meant


@pytest.mark.parametrize("text", KEPT)
def test_other_words_are_left_alone(text: str) -> None:
    assert without_typos(text) == text
