"""Read Rasa 3.x NLU YAML: intents with entity annotations, synonyms, regexes and lookup tables."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAINING_SUBDIRS = ("shared", "zh", "en")  # nlu/data/test/ is the held-out split, never trained on

# Same grammar as Rasa: [text](entity), [text](entity:value), [text]{"entity": ..., "value": ...}
_ENTITY = re.compile(r"\[(?P<text>[^\]]+?)\](?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|(?P<json>\{[^}]+?\}))")


class TrainingDataError(ValueError):
    """The YAML is not valid Rasa NLU data."""


@dataclass(frozen=True)
class AnnotatedEntity:
    entity: str
    value: str
    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[AnnotatedEntity, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # surface (lower-case) -> canonical
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    def merge(self, other: TrainingData) -> None:
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        for name, patterns in other.regexes.items():
            self.regexes.setdefault(name, []).extend(patterns)
        for name, values in other.lookups.items():
            self.lookups.setdefault(name, []).extend(values)

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})


def parse_annotated(line: str) -> tuple[str, tuple[AnnotatedEntity, ...]]:
    """Strip Rasa entity markup from one example; return plain text and the entity spans."""
    plain: list[str] = []
    entities: list[AnnotatedEntity] = []
    cursor = 0
    length = 0
    for match in _ENTITY.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        surface = match.group("text")
        if match.group("json"):
            try:
                spec = json.loads(match.group("json"))
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"bad entity JSON in {line!r}: {exc}") from exc
            if not isinstance(spec, dict) or "entity" not in spec:
                raise TrainingDataError(f"entity JSON without 'entity' in {line!r}")
            name, value = str(spec["entity"]), str(spec.get("value", surface))
        else:
            name, value = match.group("entity").strip(), (match.group("value") or surface)
        entities.append(AnnotatedEntity(name, value, length, length + len(surface), surface))
        plain.append(surface)
        length += len(surface)
        cursor = match.end()
    plain.append(line[cursor:])
    return "".join(plain), tuple(entities)


def _example_lines(examples: Any) -> list[str]:
    if isinstance(examples, str):
        lines = []
        for raw in examples.splitlines():
            stripped = raw.strip()
            if stripped.startswith("- "):
                lines.append(stripped[2:].strip())
            elif stripped == "-":
                continue
            elif stripped:
                lines.append(stripped)
        return lines
    if isinstance(examples, list):  # the long form: - text: "..." (metadata ignored)
        return [str(item["text"] if isinstance(item, dict) else item).strip() for item in examples]
    return []


def parse_yaml_text(content: str, source: str = "<string>") -> TrainingData:
    try:
        document = yaml.safe_load(content) or {}
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise TrainingDataError(f"{source}: expected a mapping with an 'nlu' key")
    data = TrainingData()
    for item in document.get("nlu") or []:
        if not isinstance(item, dict):
            continue
        lines = _example_lines(item.get("examples"))
        if "intent" in item:
            intent = str(item["intent"])
            for line in lines:
                text, entities = parse_annotated(line)
                if text.strip():
                    data.examples.append(Example(text, intent, entities))
                for entity in entities:
                    if entity.value != entity.raw:
                        data.synonyms[entity.raw.lower()] = entity.value
        elif "synonym" in item:
            canonical = str(item["synonym"])
            for line in lines:
                data.synonyms[line.lower()] = canonical
        elif "regex" in item:
            data.regexes.setdefault(str(item["regex"]), []).extend(lines)
        elif "lookup" in item:
            data.lookups.setdefault(str(item["lookup"]), []).extend(lines)
    return data


def load_file(path: Path) -> TrainingData:
    return parse_yaml_text(path.read_text(encoding="utf-8"), str(path))


def training_files(data_dir: Path = DATA_DIR) -> list[Path]:
    files: list[Path] = []
    for sub in TRAINING_SUBDIRS:
        files.extend(sorted((data_dir / sub).glob("*.yml")))
    return files


def held_out_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted((data_dir / "test").glob("*.yml"))


def load_files(paths: Iterable[Path]) -> TrainingData:
    data = TrainingData()
    for path in paths:
        data.merge(load_file(path))
    return data


def files_digest(paths: Iterable[Path], *extra: str) -> str:
    """Content hash of the training files (and any extra strings) to detect a stale model."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for value in extra:
        digest.update(value.encode())
    return digest.hexdigest()[:16]
