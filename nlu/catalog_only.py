"""Messages that only name a brand/product, maybe with a model code or options ("新百伦 574", "white M hoodie").

Such a message is a search: the customer answers "what are you looking for?" with a name. The
classifier sees little more than a folded number there ("574" -> "000", which looks like the
"88" goodbye slang), so the engine recognises the shape from the extracted entities instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlu.engine import Entity

CATALOG_ENTITIES = frozenset({"brand", "product", "category"})
# Options said with the name ("黑色的耳机", "navy hoodie XL x2") keep it a search: the words around
# a name are what the classifier would otherwise guess from (a colour word once read as a handoff).
OPTION_ENTITIES = frozenset({"color", "size", "quantity"})
# Glue that may sit between a name and its options without making a request of its own.
GLUE_WORDS = frozenset({"the", "a", "an", "in", "size", "please", "pls", "plz", "one", "的", "款"})
# Words that belong to model names rather than to a request ("iPhone 15 Pro Max").
MODEL_WORDS = frozenset({"pro", "max", "plus", "ultra", "mini", "air", "lite", "se", "neo", "gt", "x"})
_TOKEN = re.compile(r"[^\s,.;:!?，。；：！？、/()（）\[\]\-+]+")
_HAS_DIGIT = re.compile(r"\d")
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


def is_catalog_reference(text: str, entities: Sequence[Entity]) -> bool:
    """True when every word of `text` is a brand/product/category entity, an option or a model code."""
    if not any(e.entity in CATALOG_ENTITIES for e in entities):
        return False
    spans = sorted((e.start, e.end) for e in entities if e.entity in CATALOG_ENTITIES | OPTION_ENTITIES)
    rest, cursor = [], 0
    for start, end in spans:
        rest.append(text[cursor:start])
        cursor = max(cursor, end)
    rest.append(text[cursor:])
    for token in _TOKEN.findall(" ".join(rest).lower()):
        if token in GLUE_WORDS:
            continue
        if not _ASCII_WORD.match(token):
            return False  # any other Chinese or non-ASCII word carries a request of its own
        if not (_HAS_DIGIT.search(token) or token in MODEL_WORDS):
            return False
    return True
