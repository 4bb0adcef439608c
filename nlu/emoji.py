"""Emoji -> sentiment tokens for the intent classifier.

Training data can only hold a few emoji, but customers use hundreds. Mapping every emoji to the
sentiment it carries lets "气死了🤬" benefit from examples written with 😡, and keeps a lone
angry face from borrowing the meaning of a thumbs-up seen in training.
"""

from __future__ import annotations

import unicodedata

_NEGATIVE = frozenset("😡😠🤬💢👎😤😒🙄😞😟😣😖😫😩😭😢😿💔🤮🤢😾☹🖕😑😔")
_POSITIVE = frozenset("👍👌😊🙂😀😃😄😁😆🥰😍😘❤💕💖💯✨🎉👏🙌😎🤩☺💗💓🌹")
_GRATITUDE = frozenset("🙏🤝💐")
_FAREWELL = frozenset("👋🌙💤")
_SYMBOL_CATEGORIES = frozenset({"So", "Sk"})


def sentiment_tokens(text: str) -> list[str]:
    """One token per emoji/symbol: 'neg', 'pos', 'thanks', 'bye' or 'other'."""
    tokens: list[str] = []
    for char in text:
        if char in _NEGATIVE:
            tokens.append("neg")
        elif char in _POSITIVE:
            tokens.append("pos")
        elif char in _GRATITUDE:
            tokens.append("thanks")
        elif char in _FAREWELL:
            tokens.append("bye")
        elif unicodedata.category(char) in _SYMBOL_CATEGORIES:
            tokens.append("other")
    return tokens
