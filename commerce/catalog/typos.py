"""Cheap typo tolerance: correct unknown English/pinyin query tokens against known keywords."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MIN_CORRECTABLE_LENGTH = 4


def max_distance(token: str) -> int:
    """Edit distance allowed: 1 for 4-7 characters, 2 from 8 characters on, none below 4."""
    if len(token) < MIN_CORRECTABLE_LENGTH:
        return 0
    return 1 if len(token) < 8 else 2


class TypoCorrector:
    """An in-memory vocabulary of Latin-script keywords (words, stems, pinyin).

    Chinese tokens are never corrected: a wrong character is not a small edit distance away.
    """

    def __init__(self, words: Iterable[str] = ()) -> None:
        self._words: frozenset[str] = frozenset()
        self._choices: list[str] = []
        self.replace(words)

    def replace(self, words: Iterable[str]) -> None:
        self._words = frozenset(w for w in words if w.isascii() and w.isalnum())
        self._choices = sorted(self._words)

    def add(self, words: Iterable[str]) -> None:
        self.replace(self._words | {w for w in words if w.isascii()})

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def corrections(self, token: str, limit: int = 3) -> list[str]:
        """Closest known words (all at the minimal distance found), or [] when known or hopeless."""
        allowed = max_distance(token)
        if not allowed or token in self._words or not token.isascii() or not token.isalnum():
            return []
        found = process.extract(
            token, self._choices, scorer=Levenshtein.distance, score_cutoff=allowed, limit=limit * 4
        )
        if not found:
            return []
        best = min(distance for _, distance, _ in found)
        return sorted(word for word, distance, _ in found if distance == best)[:limit]
