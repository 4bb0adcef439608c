"""Recognise input that carries no shop intent: markup, code, bare digits, mashing, repetition.

A linear classifier always spreads probability over the known intents, so without these checks
`<script>alert(1)</script>` or `jfkdlsa` would come out as a confident commerce intent. The checks
are deliberately conservative: they only fire when nothing in the text looks like language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from nlu.text import MAX_FEATURE_CHARS, count_script

# Script/style bodies are code, not words: drop them whole; other tags are stripped to their text.
_CODE_BLOCK = re.compile(r"<\s*(script|style)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*[a-zA-Z][\w:-]*(\s[^<>]*)?/?\s*>", re.DOTALL)
# SQL statements are unmistakable on their own ("DROP TABLE orders" is not a cancellation).
_SQL = re.compile(
    r"^\s*(select\s+(\*|[\w.]+(\s*,\s*[\w.]+)*)\s+from\s+\w+|drop\s+(table|database)\s+\w+"
    r"|insert\s+into\s+\w+\s*(\(|values)|delete\s+from\s+\w+\s*(where|;)|update\s+\w+\s+set\s+\w+\s*=)"
    r"|\bunion\s+(all\s+)?select\b|'\s*or\s+'?1'?\s*=\s*'?1",
    re.IGNORECASE,
)
_CODE_SIGNALS = (
    re.compile(r"\b[A-Za-z_][\w.]{0,40}\s*\([^()\u4e00-\u9fff]{0,200}\)\s*;?\s*$"),  # print('x'), alert(1);
    _SQL,
    re.compile(r"\b(function|def|return|var|const|let|import|lambda|console\.log|eval)\b.*[(){};=]"),
    re.compile(r"=>|==|!=|&&|\|\||::|\$\{|\{\{|\}\}|;\s*$"),
    re.compile(r"^\s*[\[{].*[\]}]\s*$", re.DOTALL),  # JSON / array literals
)
_CODE_CHARS = set("{}[]()<>;=$\\|`^~&*+#")
_LATIN_TOKEN = re.compile(r"[a-z]+")
_DIGITS_ONLY = re.compile(r"^[\d\s.,:;/+*=\-#()]+$")
# Digits are folded to 0 for the classifier, so a bare number would look like "88" (bye-bye);
# only that slang keeps its meaning, any other bare number is an answer or noise, not an intent.
NUMBER_SLANG = frozenset({"88", "886", "8888"})


def strip_markup(text: str) -> str:
    """The start of the text with HTML/XML markup removed (script and style bodies included)."""
    text = text[: MAX_FEATURE_CHARS * 2]  # only the classifier reads the result, and it reads the start
    if "<" not in text:
        return text
    return _TAG.sub(" ", _CODE_BLOCK.sub(" ", text))


def looks_like_code(text: str) -> bool:
    """Program code or a query pasted into the chat (no Chinese, code punctuation or syntax)."""
    sample = text[:MAX_FEATURE_CHARS].strip()
    cjk, _ = count_script(sample)
    if cjk or not sample:
        return False
    visible = [char for char in sample if not char.isspace()]
    code_share = sum(char in _CODE_CHARS for char in visible) / len(visible)
    signals = sum(bool(pattern.search(sample)) for pattern in _CODE_SIGNALS)
    if _SQL.search(sample):
        return True
    return signals >= 2 or (signals >= 1 and code_share >= 0.12) or code_share >= 0.3


def is_bare_number(text: str) -> bool:
    """Only digits and separators (an order number, a phone, "3"), except number slang like "88"."""
    sample = text[:MAX_FEATURE_CHARS].strip()
    return bool(_DIGITS_ONLY.match(sample)) and any(c.isdigit() for c in sample) and sample not in NUMBER_SLANG


REPETITION_MIN_CHARS = 30
REPETITION_MAX_DISTINCT = 3


def is_repetitive(text: str) -> bool:
    """A long run of one to three characters ("我我我我…", "aaaaaa…"): stuck keys, not a request."""
    visible = [char for char in text[:MAX_FEATURE_CHARS] if not char.isspace()]
    return len(visible) >= REPETITION_MIN_CHARS and len(set(visible)) <= REPETITION_MAX_DISTINCT


# Sounds that carry no request on their own (a sigh, a groan, a scream). "嗯" (yes), "哦" (oh, ok)
# and "哈" (laughter) are left out: they answer or react, and the classifier knows them.
FILLER_CHARS = frozenset("啊呃额唉哎噢嗷喔欸诶")
# Sentence-final particles: with filler sounds and nothing else ("啊吧啊吧", "呃呢") there is still
# no word to act on; after a word they soften it ("好吧", "退款呢") and the classifier reads it.
FINAL_PARTICLES = frozenset("吧呀呢嘛啦")
_FILLER_IGNORED = re.compile(r"[\s\W_~～…]+")


def is_filler_only(text: str) -> bool:
    """Only filler sounds ("啊啊啊", "呃……", "唉唉"), nothing the shop could act on."""
    visible = _FILLER_IGNORED.sub("", text[:MAX_FEATURE_CHARS])
    return (
        bool(visible)
        and any(char in FILLER_CHARS for char in visible)
        and all(char in FILLER_CHARS or char in FINAL_PARTICLES for char in visible)
    )


def latin_words(text: str) -> list[str]:
    """The lower-cased Latin words of the (feature-length) start of `text`."""
    return _LATIN_TOKEN.findall(text[:MAX_FEATURE_CHARS].lower())


def unknown_word_share(text: str, is_known: Callable[[str], bool]) -> float | None:
    """Share of Latin words never seen in training, for texts without Chinese; None when not applicable.

    Keyboard mashing ("jfkdlsa", "qwerty uiop") is made only of unknown words; a typo in a real
    sentence ("wher is my oder") still has known words around it.
    """
    sample = text[:MAX_FEATURE_CHARS].lower()
    cjk, _ = count_script(sample)
    if cjk:
        return None
    words = _LATIN_TOKEN.findall(sample)
    if not words:
        return None
    return sum(not is_known(word) for word in words) / len(words)


# Arithmetic asked of the shop ("1+1等于几", "what's 7 times 8"): a quiz, not a request. Only an
# expression between two numbers counts, and word operators need a question around them, so
# "满200减30" (a promotion) or "x2" (a quantity) are never taken for sums.
_NUMERAL = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百]+)"
_SYMBOL_SUM = re.compile(rf"^\s*{_NUMERAL}(?:\s*[+*/×÷=]\s*{_NUMERAL})+\s*[=?？]*\s*$")
_WORD_SUM = re.compile(
    rf"{_NUMERAL}\s*(?:[+*/×÷-]|加上?|减去?|乘以?|除以|plus|minus|times|multiplied by|divided by)\s*{_NUMERAL}"
    r"\s*(?:[=?？]|等于几?|等于多少|是多少|得多少|是几|得几|$)",
    re.IGNORECASE,
)
_SUM_QUESTION = re.compile(r"^\s*(?:what(?:'s| is)|how much is|calculate|计算|算一下|请问)?\s*", re.IGNORECASE)


def is_arithmetic(text: str) -> bool:
    """The whole message is a sum to work out, maybe with "what is" / "等于几" around it."""
    sample = text[:MAX_FEATURE_CHARS].strip()
    if _SYMBOL_SUM.match(sample):
        return True
    rest = _SUM_QUESTION.sub("", sample, count=1)
    match = _WORD_SUM.match(rest)
    return match is not None and not rest[match.end() :].strip(" ?？。.!！")


# Words that only glue other words together. A message made only of them ("的的的的", "the the
# the") says nothing; "this"/"that"/"it"/"one" are left out, they point at something on screen.
FUNCTION_CHARS = frozenset("的了着过地得之")
FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "and", "or", "to", "is", "in", "on", "at", "for", "with", "by"})
_WORDS_AND_CHARS = re.compile(r"[a-z']+|[\u4e00-\u9fff]", re.IGNORECASE)


def is_function_words_only(text: str) -> bool:
    """Only particles/articles ("的的的的的", "了了了", "the the the"): no content to act on."""
    tokens = _WORDS_AND_CHARS.findall(text[:MAX_FEATURE_CHARS].lower())
    return bool(tokens) and all(token in FUNCTION_CHARS or token in FUNCTION_WORDS for token in tokens)
