"""Misreading classes seen in customer conversations, on new utterances never trained on.

tests/nlu/data/customer_classes.yml lists, per class and language, customer-style messages
(typos, other words) with the intents that class may read as: a product named with a colour
and "N person" is a search (not a handoff), a mistyped short command verb ("ad", "chekout",
"crat", 够物车) is that command, "is it warm enough for …" / "够用吗" is a product question
(not a coupon), "what about the 2L one" / "那个不锈钢的呢" is a product question (not a
complaint or the cart), and choosing by a property ("going with the lighter one") is buying.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu.builtin import BuiltinNluEngine
from nlu.text import feature_text
from nlu.training_data import held_out_files, load_files, training_files

CLASSES_FILE = Path(__file__).parent / "data" / "customer_classes.yml"
# Per class and language; a class is a few dozen sentences, so one miss in ten is allowed.
MIN_CLASS_ACCURACY = 0.9


def _classes() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(CLASSES_FILE.read_text(encoding="utf-8"))
    return data


def _cases() -> list[tuple[str, str]]:
    return [(name, language) for name in _classes() for language in ("zh", "en")]


def test_every_class_has_thirty_sentences_in_two_languages() -> None:
    for name, entry in _classes().items():
        if name.startswith("typo_"):
            continue  # the typo classes count together below
        assert len(entry["zh"]) >= 15, name
        assert len(entry["en"]) >= 15, name
        assert len(entry["zh"]) + len(entry["en"]) >= 30, name
    typos = [entry for name, entry in _classes().items() if name.startswith("typo_")]
    assert sum(len(entry["zh"]) for entry in typos) >= 15
    assert sum(len(entry["en"]) for entry in typos) >= 15


def test_classes_are_never_trained_on() -> None:
    texts = {feature_text(str(text)) for entry in _classes().values() for lang in ("zh", "en") for text in entry[lang]}
    trained = {feature_text(example.text) for example in load_files(training_files()).examples}
    held_out = {feature_text(example.text) for example in load_files(held_out_files()).examples}
    assert not texts & trained, sorted(texts & trained)
    assert not texts & held_out, sorted(texts & held_out)


@pytest.mark.parametrize(("name", "language"), _cases())
def test_class_reads_as_its_intents(engine: BuiltinNluEngine, name: str, language: str) -> None:
    entry = _classes()[name]
    accepted = set(entry["accept"])
    readings = [(str(text), engine.parse_sync(str(text), lang_hint=language).intent.name) for text in entry[language]]
    wrong = [(text, intent) for text, intent in readings if intent not in accepted]
    assert 1 - len(wrong) / len(readings) >= MIN_CLASS_ACCURACY, wrong
