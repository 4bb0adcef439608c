"""Which language a message is written in, and when that changes the conversation's language."""

from __future__ import annotations

import re

from dialogs.address import PHONE_CN, PHONE_INTL, label_spans, looks_like_place, parse_address
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


# Text that is code, a query or a link, not a sentence in a language ("SELECT * FROM orders").
_CODE = re.compile(
    r"[=;{}<>$`|\\]|\(\s*\)|\b(?:select|insert|update|delete|drop|from|where|union|null|true|false|function|def|"
    r"return|import|https?|www)\b.*\b(?:from|where|into|table|set|values|or|and|import|def|return|com|cn)\b|"
    r"https?://|www\.|\w+\.\w+\(",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
# Characters that make a few Chinese characters a sentence rather than a name ("王芳", "保温杯").
_ZH_SENTENCE = re.compile(r"[的了吗呢吧我你要有是么在不这那想请帮买]")


_CHUNKS = re.compile(r"[\s,，;；:：、/|｜()（）\[\]【】]+")
_COMPACT = re.compile(r"\s+")


def _without_names(text: str, names: tuple[str, ...] = ()) -> str:
    """The message without what is no sentence: an address's parts (labels, phone, region, street,
    recipient), product or brand names the NLU found, anything holding a digit.

    "收货人：王芳 手机号码：137… 所在地区：广东省 广州市 天河区 详细地址：天河路385号" leaves nothing;
    "我还是用中文吧，地址我一会发" stays whole."""
    for name in sorted(names, key=len, reverse=True):
        if name.strip():
            text = text.replace(name, " ")
    draft = parse_address(text)
    values = [_COMPACT.sub("", value) for value in draft.to_dict().values() if value]
    is_address = bool(draft.phone) or len(values) >= 2
    for start, end in reversed(label_spans(text)):
        text = text[:start] + " " + text[end:]
    text = PHONE_INTL.sub(" ", PHONE_CN.sub(" ", text))
    kept: list[str] = []
    for chunk in _CHUNKS.split(text):
        if not chunk or any(ch.isdigit() for ch in chunk) or looks_like_place(chunk):
            continue
        if is_address and any(_COMPACT.sub("", chunk) in value for value in values):
            continue
        kept.append(chunk)
    return " ".join(kept)


def language_switch(text: str, current: Lang, names: tuple[str, ...] = ()) -> Lang | None:
    """The language to change to, only on a clear signal: a full sentence in the other language.

    Code, SQL-like text, a product or brand name, a person's name, "ok" or a number never
    switch ("SELECT * FROM orders", "airpods pro", "王芳", "ok"); neither does a pasted address
    (a WeChat card in Chinese in an English chat) - only the words around it count. `names`:
    the product / brand / category words found in the message (a Chinese product name typed by
    an English speaker)."""
    other_script = bool(_CJK.search(text)) == (current == "en")  # Chinese in an English chat, or back
    if other_script:
        text = _without_names(text, names)
    detected = detect_language(text)
    if detected is None or detected == current:
        return None
    if detected == "en":
        if _CODE.search(text) or _CJK.search(text):
            return None
        words = _WORD.findall(text)
        if len(words) < 3 or len(_ENGLISH.findall(text)) < 2 or text.isupper():
            return None
        return "en"
    cjk = len(_CJK.findall(text))
    return "zh" if cjk >= 4 or (cjk >= 2 and _ZH_SENTENCE.search(text)) else None


def detect_language_switch(turn: Turn) -> None:
    """Answer in the language the customer writes in, unless they chose one with /lang (or a button)."""
    state = turn.state
    if state.lang_locked:
        return
    names = tuple(
        str(entity.raw)
        for entity in (turn.parse.entities if turn.parse else [])
        if entity.entity in ("product", "brand", "category") and entity.raw
    )
    switched = language_switch(turn.text, state.lang, names)
    if switched is not None:
        state.lang = switched
