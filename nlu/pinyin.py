"""Pinyin features: Chinese homophone typos and words typed as pinyin read the same as the real word.

Input methods make customers pick the wrong character with the right sound (快第 for 快递, 腿款 for
退款) or send the word in pinyin ("我要fapiao"). Both share their toneless syllables with the
intended word, so the classifier also sees syllable bigrams ("kuai di", "fa piao").

pypinyin costs ~55 MB of RAM once imported (its phrase dictionary), so it is only used at training
time to write a character -> syllable table for the few thousand common characters beside the
model; serving reads that table and never imports pypinyin.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

PINYIN_TABLE = "pinyin.json"
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z]{4,}")
MAX_SYLLABLE = 6  # "zhuang"


def build_table(chars: Iterable[str]) -> dict[str, str]:
    """Character -> its most common toneless reading (training time only: imports pypinyin)."""
    from pypinyin import Style, lazy_pinyin

    table: dict[str, str] = {}
    for char in sorted(set(chars)):
        if _CJK_RUN.fullmatch(char):
            reading = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
            if reading and reading[0].isascii() and reading[0].isalpha():
                table[char] = reading[0]
    return table


def save_table(table: Mapping[str, str], model_dir: Path) -> None:
    tmp = model_dir / (PINYIN_TABLE + ".tmp")
    tmp.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(model_dir / PINYIN_TABLE)


def load_table(model_dir: Path) -> dict[str, str] | None:
    try:
        data = json.loads((model_dir / PINYIN_TABLE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(char): str(reading) for char, reading in data.items()} if isinstance(data, dict) else None


class PinyinReader:
    """Syllable bigrams of a normalised message, from a character table."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = dict(table)
        self.syllables = frozenset(self.table.values())

    def segment(self, word: str) -> list[str] | None:
        """A Latin word split into pinyin syllables (longest first), or None when it is not pinyin."""
        result: list[str] = []
        position = 0
        while position < len(word):
            for size in range(min(MAX_SYLLABLE, len(word) - position), 0, -1):
                piece = word[position : position + size]
                if piece in self.syllables:
                    result.append(piece)
                    position += size
                    break
            else:
                return None
        return result

    def bigrams(self, text: str) -> list[str]:
        """Syllable bigrams of the Chinese runs and, in a Chinese message, of pinyin-typed words."""
        if not self.table:
            return []
        runs = _CJK_RUN.findall(text)
        if not runs:
            return []
        sequences: list[list[str]] = []
        for run in runs:
            current: list[str] = []
            for char in run:
                reading = self.table.get(char)
                if reading is None:
                    sequences.append(current)
                    current = []
                else:
                    current.append(reading)
            sequences.append(current)
        for word in _LATIN_WORD.findall(text):
            syllables = self.segment(word)
            if syllables and len(syllables) >= 2:
                sequences.append(syllables)
        return [f"{a} {b}" for seq in sequences for a, b in itertools.pairwise(seq)]
