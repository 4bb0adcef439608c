"""The shipped YAML: valid Rasa format, every intent covered per language, held-out split disjoint."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from nlu.engine import ENTITY_TYPES, INTENTS
from nlu.training_data import (
    DATA_DIR,
    TrainingDataError,
    held_out_files,
    load_file,
    load_files,
    parse_annotated,
    parse_yaml_text,
    training_files,
)


def test_parse_annotated_plain_and_json_forms() -> None:
    text, entities = parse_annotated('有没有[两百块]{"entity": "price_max", "value": "200"}以内的[蓝牙耳机](product)')
    assert text == "有没有两百块以内的蓝牙耳机"
    assert [(e.entity, e.value, e.start, e.end, e.raw) for e in entities] == [
        ("price_max", "200", 3, 6, "两百块"),
        ("product", "蓝牙耳机", 9, 13, "蓝牙耳机"),
    ]
    text, entities = parse_annotated("add [2](quantity) of [blk](color:black)")
    assert text == "add 2 of blk"
    assert [(e.entity, e.value) for e in entities] == [("quantity", "2"), ("color", "black")]


def test_invalid_yaml_is_a_clear_error() -> None:
    with pytest.raises(TrainingDataError):
        parse_yaml_text("nlu: [unclosed", "bad.yml")
    with pytest.raises(TrainingDataError):
        parse_yaml_text("- just a list", "bad.yml")


def test_long_example_form_and_missing_sections() -> None:
    data = parse_yaml_text('version: "3.1"\nnlu:\n- intent: greet\n  examples:\n  - text: "hi"\n  - text: "hello"\n')
    assert [e.text for e in data.examples] == ["hi", "hello"]
    assert data.synonyms == {}
    assert data.regexes == {}
    assert data.lookups == {}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_at_least_40_examples_per_intent_per_language(language: str) -> None:
    data = load_files(sorted((DATA_DIR / language).glob("*.yml")))
    counts = Counter(example.intent for example in data.examples)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 40, counts.most_common()[-3:]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_held_out_split_covers_every_intent(language: str) -> None:
    data = load_file(DATA_DIR / "test" / f"{language}.yml")
    counts = Counter(example.intent for example in data.examples)
    assert set(counts) == set(INTENTS)
    assert min(counts.values()) >= 15


def test_held_out_sentences_are_not_in_training() -> None:
    train = {example.text.strip().lower() for example in load_files(training_files()).examples}
    overlap = [e.text for e in load_files(held_out_files()).examples if e.text.strip().lower() in train]
    assert overlap == []


def test_no_training_sentence_is_labelled_twice() -> None:
    labels: dict[str, set[str]] = {}
    for example in load_files(training_files()).examples:
        labels.setdefault(example.text.strip().lower(), set()).add(example.intent)
    assert {text: intents for text, intents in labels.items() if len(intents) > 1} == {}


def test_only_known_entity_types_are_annotated() -> None:
    data = load_files([*training_files(), *held_out_files()])
    used = {entity.entity for example in data.examples for entity in example.entities}
    assert used <= set(ENTITY_TYPES)


@pytest.mark.parametrize(
    "path", [*training_files(), *held_out_files()], ids=lambda p: str(Path(p).relative_to(DATA_DIR))
)
def test_files_are_rasa_3_shaped(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["version"] == "3.1"
    for item in document["nlu"]:
        kinds = {"intent", "synonym", "regex", "lookup"} & set(item)
        assert len(kinds) == 1
        assert isinstance(item["examples"], str)
