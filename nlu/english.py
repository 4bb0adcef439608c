"""Everyday English words, so the spelling normaliser leaves real words alone.

The normaliser (nlu/spelling.py) corrects a Latin word it never saw in training to the nearest
training word. Without knowing which words are English, that turned real words the data does
not happen to use into other ones: "olive" -> "live", "tent" -> "sent", "pour" -> "your",
"four" -> "for", "cast" -> "cart" ("olive two person tent" read as "live two person sent", a
request for a person). A word of this list is corrected only when the training word is far more
common in English (`RATIO`): "pleas" -> "please" still happens, "olive" -> "live" does not.

The list comes from pyspellchecker's English frequency table (a package from the registry,
~160k words, 650 kB), read at training time only and stored in the model as sorted 64-bit
hashes with counts (~2 MB of arrays): serving never imports the package.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass

import numpy as np

# A known English word is corrected to a training word only when that word is this many times
# more frequent (a noisy channel: a typo is rarer than the word typed correctly).
RATIO = 1000
MIN_LENGTH = 3  # correction candidates start at three letters ("now", "for")
_WORD = re.compile(r"[a-z]+")


def word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def english_word_counts() -> dict[str, int]:
    """pyspellchecker's English word frequencies (training time only)."""
    from importlib.resources import files

    raw = (files("spellchecker") / "resources" / "en.json.gz").read_bytes()
    counts = json.loads(gzip.decompress(raw).decode("utf-8"))
    return {
        str(word): int(count)
        for word, count in counts.items()
        if len(word) >= MIN_LENGTH and _WORD.fullmatch(word) and int(count) > 0
    }


@dataclass(frozen=True)
class EnglishWords:
    hashes: np.ndarray  # uint64, sorted
    counts: np.ndarray  # uint32, same order

    @classmethod
    def empty(cls) -> EnglishWords:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint32))

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> EnglishWords:
        pairs = sorted((word_hash(word), min(count, 2**32 - 1)) for word, count in counts.items())
        return cls(
            np.array([h for h, _ in pairs], dtype=np.uint64),
            np.array([c for _, c in pairs], dtype=np.uint32),
        )

    def __len__(self) -> int:
        return len(self.hashes)

    def count(self, word: str) -> int:
        """How common `word` is in English (0: not an English word, or a typo)."""
        if not len(self.hashes):
            return 0
        key = np.uint64(word_hash(word))
        index = int(np.searchsorted(self.hashes, key))
        if index < len(self.hashes) and self.hashes[index] == key:
            return int(self.counts[index])
        return 0

    def keeps(self, word: str, correction: str) -> bool:
        """True when `word` is a real word that should not become `correction`."""
        count = self.count(word)
        return count > 0 and self.count(correction) < RATIO * count
