"""The lexicon expansion: reproducible, in sync with the committed files, typos one keystroke away."""

from __future__ import annotations

import random

import pytest
import yaml
from rapidfuzz.distance import OSA

from nlu import augment
from nlu.training_data import DATA_DIR, load_file


def test_committed_generated_files_match_the_lexicon() -> None:
    built = augment.build()
    for language, text in built.items():
        committed = (DATA_DIR / language / augment.GENERATED_NAME).read_text(encoding="utf-8")
        assert committed == text, f"run `python -m nlu.augment` after editing the lexicon ({language})"


def test_generation_is_deterministic() -> None:
    lexicon = yaml.safe_load(augment.LEXICON.read_text(encoding="utf-8"))
    assert augment.generate(lexicon, "zh") == augment.generate(lexicon, "zh")
    assert augment.generate(lexicon, "en", seed=1) != augment.generate(lexicon, "en", seed=2)


@pytest.mark.parametrize("language", augment.LANGUAGES)
def test_generated_files_are_rasa_data_for_known_intents(language: str) -> None:
    from nlu.engine import INTENTS

    data = load_file(DATA_DIR / language / augment.GENERATED_NAME)
    assert len(data.examples) > 500
    assert set(data.intents) <= set(INTENTS)


def test_english_typos_are_one_edit_away() -> None:
    rng = random.Random(3)
    for _ in range(200):
        typo = augment.typo_en("where is my package", rng)
        assert typo is not None
        assert typo != "where is my package"
        assert OSA.distance(typo, "where is my package") == 1


def test_chinese_noise_uses_homophones_or_pinyin() -> None:
    rng = random.Random(5)
    variants = {augment.typo_zh("我的快递到哪了", rng, ["快递"]) for _ in range(60)}
    assert "我的kuaidi到哪了" in variants
    assert any(v and "快第" in v for v in variants)
    assert augment.typo_zh("好", rng, []) is None


def test_wrappers_do_not_repeat_a_politeness_word() -> None:
    rng = random.Random(0)
    for _ in range(100):
        wrapped = augment._wrap(augment.Sentence("refund please", "refund"), "en", rng)
        assert wrapped.text.count("please") == 1


def test_dedup_drops_reserved_and_repeated_sentences() -> None:
    sentences = [
        augment.Sentence("Refund", "refund"),
        augment.Sentence("refund", "refund"),
        augment.Sentence("x", "help"),
    ]
    kept = augment.deduplicated(sentences, reserved={"x"})
    assert [s.text for s in kept] == ["Refund"]


def test_a_group_expands_its_own_terms_in_its_own_frames() -> None:
    lexicon = {
        "en": {
            "shipping_info": {
                "terms": ["postage"],
                "frames": ["how much is {term}"],
                "groups": [{"terms": ["dhl", "fedex"], "frames": ["can it go by {term}"]}],
            }
        }
    }
    texts = {sentence.text for sentence in augment.generate(lexicon, "en") if sentence.intent == "shipping_info"}
    assert {"how much is postage", "can it go by dhl", "can it go by fedex"} <= texts
    assert "how much is dhl" not in texts
    assert "can it go by postage" not in texts
