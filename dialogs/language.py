"""Which language a message is written in, and when that changes the conversation's language."""

from __future__ import annotations

import re

from dialogs.messages import Lang
from dialogs.turn import Turn

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that show a sentence is English, not just an English product name typed by a Chinese
# speaker ("airpods pro", "iphone 15").
_ENGLISH = re.compile(
    r"\b(i|i'm|im|you|your|my|me|we|the|a|an|is|are|do|does|can|could|would|want|need|have|has|show|find|"
    r"please|how|what|where|when|which|why|hi|hello|hey|thanks|thank|yes|no|ok|okay|order|cart|buy|add|"
    r"remove|cancel|help|to|for|with|of|in|and|or|not|this|that|it|some|any|much|many|price|cheap|ship)\b",
    re.I,
)


def detect_language(text: str, *, first_message: bool = False) -> Lang | None:
    """Chinese characters -> zh; an English sentence -> en; names, digits, emoji -> unknown.

    An English sentence quoting Chinese (an address, a product name: "ship it to 北京市朝阳区...")
    is ambiguous: unknown, so the conversation keeps its language.
    """
    if _CJK.search(text):
        return None if len(_ENGLISH.findall(text)) >= 2 else "zh"
    if _ENGLISH.search(text):
        return "en"
    if first_message and _LATIN_WORD.search(text) and sum(c.isalpha() for c in text) >= 3:
        return "en"
    return None


def detect_language_switch(turn: Turn) -> None:
    """Answer in the language the customer writes in, unless they chose one with /lang."""
    state = turn.state
    if state.lang_locked:
        return
    detected = detect_language(turn.text)
    if detected is not None:
        state.lang = detected
