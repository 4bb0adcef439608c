"""Spelling normaliser: Latin words never seen in training are corrected to the nearest word that was.

"whre is my pakage" reaches the classifier as "where is my package": one or two keystrokes away
from a training word (a neighbouring key, a dropped or doubled letter, two letters swapped) is
taken as that word; anything further is left alone, so gibberish stays gibberish and still falls
back. Ties go to the word seen more often in training. Only words of four letters or more are
touched: short words are too close to each other to guess. Real English words the training data
does not use ("olive", "tent", "pour") are kept as they are (nlu/english.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

from nlu.english import EnglishWords

MIN_LENGTH = 4
_WORD = re.compile(r"[a-z]+")
# Shorter words are corrected only to these command words, one keystroke away and with the same
# first letter ("ad" -> add, "byu" -> buy, "pya" -> pay, "crt" -> cart), unless they are a pinyin
# syllable ("bu", "ca") or an English word.
SHORT_COMMANDS = ("add", "buy", "pay", "cart")
# A training word seen this rarely that is no English word is a typo the data generator made
# ("crat" in "that item in my crat"): it is corrected like an unknown word when the training
# word it is next to is TYPO_RATIO times as frequent.
RARE_TYPO_COUNT = 2
TYPO_RATIO = 20


def max_distance(word: str) -> int:
    return 1 if len(word) < 7 else 2


def _is_single_for_double(word: str, candidate: str) -> bool:
    """`candidate` is `word` with one of its letters doubled ("helo" -> "hello")."""
    if len(candidate) != len(word) + 1:
        return False
    return any(
        candidate[i] == candidate[i + 1] and candidate[:i] + candidate[i + 1 :] == word for i in range(len(word))
    )


class SpellingNormaliser:
    def __init__(
        self,
        word_counts: Mapping[str, int],
        english: EnglishWords | None = None,
        syllables: Collection[str] = (),
    ) -> None:
        self._counts = dict(word_counts)
        self._english = english if english is not None and len(english) else None
        self._syllables = syllables
        self._by_length: dict[int, list[str]] = {}
        for word in self._counts:
            if len(word) >= MIN_LENGTH - 1:
                self._by_length.setdefault(len(word), []).append(word)

    def __len__(self) -> int:
        return len(self._counts)

    def is_known(self, word: str) -> bool:
        return word in self._counts

    def correct_word(self, word: str) -> str | None:
        """The training word `word` was probably meant to be, or None (known, short, or too far off)."""
        if len(word) < MIN_LENGTH:
            return self._short_command(word)
        known = self._counts.get(word, 0)
        if known and (known > RARE_TYPO_COUNT or self._english is None or self._english.count(word)):
            return None
        limit = max_distance(word)
        best: tuple[float, int, str] | None = None  # (nearness, -count, word)
        for length in range(len(word) - limit, len(word) + limit + 1):
            candidates = self._by_length.get(length)
            if not candidates:
                continue
            for candidate, distance, _ in process.extract(
                word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if candidate == word or self._counts[candidate] < TYPO_RATIO * known:
                    continue
                # A doubled letter typed once ("helo", "adress") is the commonest slip: it wins a
                # tie against another word as near ("help"), whatever their frequencies.
                nearness = distance - 0.5 if _is_single_for_double(word, candidate) else distance
                key = (nearness, -self._counts[candidate], candidate)
                if best is None or key < best:
                    best = key
        if best is None or (self._english is not None and self._english.keeps(word, best[2])):
            return None
        return best[2]

    def _short_command(self, word: str) -> str | None:
        if len(word) < 2 or word in self._counts or word in self._syllables:
            return None
        if self._english is not None and self._english.count(word):
            return None
        for command in SHORT_COMMANDS:
            if command in self._counts and command[0] == word[0] and OSA.distance(word, command) == 1:
                return command
        return None

    def correct(self, text: str) -> str:
        """`text` (already lower-cased) with unknown Latin words replaced by their corrections."""
        if not self._counts or not _WORD.search(text):
            return text
        pieces: list[str] = []
        cursor = 0
        for match in _WORD.finditer(text):
            correction = self.correct_word(match.group())
            if correction is not None:
                pieces += [text[cursor : match.start()], correction]
                cursor = match.end()
        if not pieces:
            return text
        pieces.append(text[cursor:])
        return "".join(pieces)
