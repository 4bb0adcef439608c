"""Phrase vocabularies: colours (zh<->en), shop lookup tables, catalog names and synonyms.

Matching is a longest-match scan over the aligned normalised text: Latin phrases must sit on word
boundaries ("red" is not in "ordered"), Chinese phrases need none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from nlu.text import count_script, normalize_aligned

VOCAB_DIR = Path(__file__).resolve().parent / "data" / "vocab"
BLOCK = "_block"  # a phrase that swallows its span without producing an entity ("手机号" is no phone)
BLOCKED_PHRASES = (
    "手机号",
    "手机号码",
    "电话号码",
    "蓝牙",
    "黑五",
    "black friday",
    "白菜价",
    "红包",
    "粉丝",
    "金额",
    "金币",
    "金卡",
    "银行",
    "银行卡",
    "黄金周",
    # foods and powders named with 粉 are not pink ("螺蛳粉的" is not "粉的")
    "米粉",
    "面粉",
    "酸辣粉",
    "粉条",
    "散粉",
    "蜜粉",
    "爽身粉",
    "洗衣粉",
    "粉底",
    "phone number",
    "phone no",
    "phone #",
    "apple pay",
    "google pay",
    "samsung pay",
)


@dataclass(frozen=True)
class PhraseHit:
    entity: str
    value: str
    start: int
    end: int


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


class PhraseMatcher:
    """Longest, leftmost, non-overlapping phrase matches; phrases are matched case-insensitively."""

    def __init__(self) -> None:
        self._phrases: dict[str, tuple[str, str]] = {}
        self._lengths: list[int] = []

    def __len__(self) -> int:
        return len(self._phrases)

    def add(self, surface: str, entity: str, value: str, *, overwrite: bool = True) -> None:
        key = normalize_aligned(surface.strip())
        if len(key) < 2 and not key.isascii():
            return  # single Chinese characters are too ambiguous to match on their own
        if not key or (not overwrite and key in self._phrases):
            return
        self._phrases[key] = (entity, value)
        self._lengths = sorted({len(phrase) for phrase in self._phrases}, reverse=True)

    def add_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        for surface, entity, value in items:
            key = normalize_aligned(surface.strip())
            if key and (len(key) >= 2 or key.isascii()):
                self._phrases[key] = (entity, value)
        self._lengths = sorted({len(phrase) for phrase in self._phrases}, reverse=True)

    def find(self, normalized: str) -> list[PhraseHit]:
        hits: list[PhraseHit] = []
        position = 0
        size = len(normalized)
        while position < size:
            char = normalized[position]
            if _is_word_char(char) and position > 0 and _is_word_char(normalized[position - 1]):
                position += 1
                continue
            matched = 0
            for length in self._lengths:
                end = position + length
                if end > size:
                    continue
                found = self._phrases.get(normalized[position:end])
                if found is None:
                    continue
                if _is_word_char(normalized[end - 1]) and end < size and _is_word_char(normalized[end]):
                    continue
                if found[0] != BLOCK:
                    hits.append(PhraseHit(found[0], found[1], position, end))
                matched = length
                break
            position += matched or 1
        return hits


@dataclass(frozen=True)
class ColorEntry:
    zh: str
    en: str
    aliases: tuple[str, ...]

    def all_forms(self) -> set[str]:
        return {self.zh, self.en, *self.aliases}


@lru_cache(maxsize=1)
def load_colors(path: Path = VOCAB_DIR / "colors.yml") -> tuple[ColorEntry, ...]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        ColorEntry(str(item["zh"]), str(item["en"]), tuple(str(alias) for alias in item.get("aliases", [])))
        for item in document.get("colors", [])
    )


def color_aliases() -> dict[str, set[str]]:
    """Canonical colour (zh and en) -> every known surface form of that colour in both languages.

    `color_aliases()["black"] == color_aliases()["黑色"] == {"黑色", "black", "黑的", "纯黑", ...}`.
    """
    mapping: dict[str, set[str]] = {}
    for entry in load_colors():
        forms = entry.all_forms()
        mapping[entry.zh] = set(forms)
        mapping[entry.en] = set(forms)
    return mapping


def canonical_color(surface: str) -> str | None:
    """The canonical colour for a surface form, in the surface's script; None when unknown."""
    key = normalize_aligned(surface.strip())
    for entry in load_colors():
        if key in {normalize_aligned(form) for form in entry.all_forms()}:
            cjk, _ = count_script(surface)
            return entry.zh if cjk else entry.en
    return None


def color_phrases() -> list[tuple[str, str, str]]:
    phrases: list[tuple[str, str, str]] = [(phrase, BLOCK, "") for phrase in BLOCKED_PHRASES]
    for entry in load_colors():
        for form in entry.all_forms():
            cjk, _ = count_script(form)
            phrases.append((form, "color", entry.zh if cjk else entry.en))
    return phrases
