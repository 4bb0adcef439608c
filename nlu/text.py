"""Text clean-up and language detection.

`normalize_aligned` keeps one output character per input character so entity offsets found in the
normalised text are valid offsets into the customer's original message.
"""

from __future__ import annotations

import re
import unicodedata

MAX_FEATURE_CHARS = 500  # long pastes are truncated for features; intent lives in the first lines
MAX_EXTRACT_CHARS = 2000  # entity extraction scans a little further (order ids at the end of a rant)

_FULLWIDTH_OFFSET = 0xFEE0


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F
    )


def _normalize_char(char: str) -> str:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII (Ａ１，) -> ASCII
        char = chr(code - _FULLWIDTH_OFFSET)
    elif code == 0x3000:  # ideographic space
        return " "
    category = unicodedata.category(char)
    if category in ("Cc", "Cf", "Zl", "Zp") or category == "Cs":
        return " "
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def normalize_aligned(text: str) -> str:
    """Lower-case, half-width, control characters -> spaces; same length as the input."""
    return "".join(_normalize_char(char) for char in text)


_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")


def feature_text(text: str) -> str:
    """The text the intent classifier sees: normalised, digits folded, whitespace squeezed."""
    cleaned = normalize_aligned(text[:MAX_FEATURE_CHARS])
    cleaned = unicodedata.normalize("NFKC", cleaned).lower()
    cleaned = _DIGITS.sub("0", cleaned)
    return _SPACES.sub(" ", cleaned).strip()


_LATIN_WORD = re.compile(r"[a-zA-Z]{2,}|[a-zA-Z](?=\s|$)")


def count_script(text: str) -> tuple[int, int]:
    """(CJK characters, Latin words) in `text`."""
    cjk = sum(1 for char in text if _is_cjk(char))
    latin_words = len(_LATIN_WORD.findall(text))
    return cjk, latin_words


def detect_language(text: str, lang_hint: str | None = None) -> str:
    """'zh' or 'en' from the share of Chinese characters; the hint decides when there is no signal.

    A Chinese word is about 1.5 characters, so CJK characters are weighed against Latin words
    on that scale: "我想买iPhone 15" is Chinese, "add 2 of the 黑色 one" is English.
    """
    hint = lang_hint if lang_hint in ("zh", "en") else None
    cjk, latin_words = count_script(text[:MAX_FEATURE_CHARS])
    if cjk == 0 and latin_words == 0:
        return hint or "zh"
    return "zh" if cjk / 1.5 >= latin_words else "en"


def has_meaningful_content(text: str) -> bool:
    """True when the text has at least one letter, CJK character or digit."""
    return any(char.isalnum() for char in text[:MAX_FEATURE_CHARS])
