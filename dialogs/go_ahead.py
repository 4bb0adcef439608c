"""Reading a go-ahead: "ok", "looks good", "对的 确认", "place the order pls", "发链接吧".

Customers who see their address read back do not answer every remaining checkout question; a
bare yes, or a request for the order or its payment link, means "use the defaults for the rest
and place it". This module only reads such messages (the words live in go_ahead.yml); what a
go-ahead does at each step is the checkout flow's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dialogs.step_reply import without_emoji

LEXICON_FILE = Path(__file__).parent / "go_ahead.yml"
_SECTIONS = ("place_order", "assent", "checkout_again", "have_one", "filler", "hold", "later")


@dataclass(frozen=True)
class GoAhead:
    places: bool  # asks for the order or its payment link ("place it", "下单", "send the link")
    bare: bool  # says nothing but go-ahead words ("yep confirm", "嗯 没问题 确认", "looks good")
    only_yes: bool  # nothing but a plain yes ("yes", "有的"): to "any coupon code?" that means "I have one"


def _pattern(words: list[str]) -> re.Pattern[str]:
    """One alternation, longest first; English words whole, Chinese ones anywhere."""
    parts = []
    for word in sorted({w.strip().lower() for w in words if w and w.strip()}, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+").replace("'", "'?")
        parts.append(rf"(?<![a-z0-9']){escaped}(?![a-z0-9'])" if word.isascii() else escaped)
    return re.compile("|".join(parts) or r"(?!)")


@cache
def _lexicon() -> dict[str, re.Pattern[str]]:
    document = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    words: dict[str, list[str]] = {section: [] for section in _SECTIONS}
    for section in _SECTIONS:
        for lang_words in (document.get(section) or {}).values():
            words[section] += [str(word) for word in lang_words or []]
    patterns = {section: _pattern(words[section]) for section in _SECTIONS}
    patterns["go"] = _pattern(words["place_order"] + words["assent"])
    patterns["go_or_filler"] = _pattern(words["place_order"] + words["assent"] + words["filler"])
    patterns["yes_or_filler"] = _pattern(words["have_one"] + words["filler"])
    patterns["checkout_or_filler"] = _pattern(words["checkout_again"] + words["assent"] + words["filler"])
    return patterns


_SCRIPT_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[a-z0-9])")
_PUNCTUATION = re.compile(r"[\s,，.。!！~～;；:：、…^()（）\"“”\-]+")
# A question rather than a go-ahead: a question mark, a Chinese question particle, or an English
# sentence opening with a question word ("is it free shipping", "can i pay later").
_QUESTION = re.compile(
    r"[?？]|吗|么|嘛|呢|(?:^|[,.;!]\s*)(?:can|could|do|does|did|is|are|will|would|should|how|what|when|where|why|which)\b"
)


def _normalized(text: str) -> str:
    lowered = without_emoji(text).lower().replace("’", "'")
    return _SCRIPT_BOUNDARY.sub(" ", lowered).strip()


def _nothing_left(text: str, words: re.Pattern[str]) -> bool:
    return not _PUNCTUATION.sub("", words.sub(" ", text))


def read(text: str) -> GoAhead | None:
    """The message as a go-ahead, or None when it is none (a question, a hold, anything else)."""
    lowered = _normalized(text)
    lexicon = _lexicon()
    if not lowered or _QUESTION.search(lowered) or lexicon["later"].search(lowered):
        return None
    if not lexicon["go"].search(lowered):
        return None
    # "没错" holds 错, "no problem" holds nothing to stop: holds are looked for outside the go words.
    if lexicon["hold"].search(lexicon["go"].sub(" ", lowered)):
        return None
    places = bool(lexicon["place_order"].search(lowered))
    bare = _nothing_left(lowered, lexicon["go_or_filler"])
    only_yes = not places and _nothing_left(lowered, lexicon["yes_or_filler"])
    if not (places or bare):
        return None
    return GoAhead(places=places, bare=bare, only_yes=only_yes)


def asks_for_checkout(text: str) -> bool:
    """Nothing but a request for the checkout ("checkout", "ok checkout pls", "去结算吧")."""
    lowered = _normalized(text)
    lexicon = _lexicon()
    if not lowered or _QUESTION.search(lowered) or not lexicon["checkout_again"].search(lowered):
        return False
    return _nothing_left(lowered, lexicon["checkout_or_filler"])


def place_order_at(text: str) -> int:
    """Where the first word asking for the order or its link starts in `text` (-1: none)."""
    match = _lexicon()["place_order"].search(text.lower())
    return match.start() if match else -1


def asks_to_place(text: str) -> bool:
    """The message asks for the order or its payment link outright ("order it", "下单 付款")."""
    reading = read(text)
    return reading is not None and reading.places


def defers_checkout(text: str) -> bool:
    """ "save the cart, I'll check out later", "先放购物车 晚点再付": keep the cart, pay another time."""
    lowered = _normalized(text)
    return bool(lowered) and not re.search(r"[?？]|吗", lowered) and bool(_lexicon()["later"].search(lowered))


def without_later(text: str) -> str:
    """The message without its "keep it for later" words: what else it asks ("三文鱼的来三袋")."""
    later = re.compile(_lexicon()["later"].pattern, re.I)
    return re.sub(r"\s+", " ", later.sub(" ", _SCRIPT_BOUNDARY.sub(" ", without_emoji(text)))).strip(" ,，.。!！~～")
