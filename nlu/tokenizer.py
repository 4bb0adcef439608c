"""Word tokens for the intent classifier: a private, small jieba dictionary plus English stemming.

jieba's full dictionary costs ~60 MB of RAM; the classifier only needs common words, so we keep
the most frequent entries (plus the shop vocabulary) in a dictionary file beside the model and
load it into our own `jieba.Tokenizer`, leaving the process-wide default tokenizer untouched.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba
import snowballstemmer

jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict..." noise on stderr
logging.getLogger("jieba").setLevel(logging.WARNING)

SMALL_DICT_WORDS = 60_000
_LATIN = re.compile(r"^[a-z][a-z'-]*$")
_stemmer = snowballstemmer.stemmer("english")
_load_lock = threading.Lock()
_registry_lock = threading.Lock()


def build_small_dictionary(target: Path, extra_words: Iterable[str] = (), size: int = SMALL_DICT_WORDS) -> None:
    """Write the `size` most frequent jieba words plus `extra_words` as a jieba dictionary."""
    source = Path(jieba.__file__).resolve().parent / "dict.txt"
    entries: list[tuple[int, str]] = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                entries.append((int(parts[1]), parts[0]))
    entries.sort(reverse=True)
    kept = {word: freq for freq, word in entries[:size]}
    for word in extra_words:
        word = word.strip().lower()
        if word and " " not in word and word not in kept:
            kept[word] = 1000
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("".join(f"{word} {freq}\n" for word, freq in sorted(kept.items())), encoding="utf-8")
    tmp.replace(target)


_shared: dict[tuple[str, int, int], WordTokenizer] = {}


def shared_tokenizer(dictionary: Path) -> WordTokenizer:
    """One tokenizer per dictionary file version per process (jieba's prefix dict costs ~0.5 s)."""
    stat = dictionary.stat()
    key = (str(dictionary.resolve()), stat.st_mtime_ns, stat.st_size)
    with _registry_lock:
        tokenizer = _shared.get(key)
        if tokenizer is None:
            tokenizer = _shared[key] = WordTokenizer(dictionary)
    return tokenizer


def stem_word(word: str) -> str:
    """The English stem the classifier's word features use ("colours" -> "colour")."""
    return str(_stemmer.stemWord(word))


class WordTokenizer:
    def __init__(self, dictionary: Path) -> None:
        self._jieba = jieba.Tokenizer(dictionary=str(dictionary))
        self._ready = False

    def warm_up(self) -> None:
        self._ensure_loaded()

    def _ensure_loaded(self) -> None:
        if not self._ready:
            with _load_lock:
                if not self._ready:
                    self._jieba.initialize()
                    self._ready = True

    def tokens(self, feature_text: str) -> list[str]:
        """Lower-case word tokens; English words stemmed, whitespace dropped."""
        self._ensure_loaded()
        result: list[str] = []
        for token in self._jieba.lcut(feature_text, HMM=True):
            token = token.strip()
            if not token:
                continue
            if _LATIN.match(token):
                token = _stemmer.stemWord(token)
            result.append(token)
        return result
