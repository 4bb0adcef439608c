"""Reading a message as the answer to the step a flow is on, before anything else.

Every flow step first asks: is this message an answer to me? - "yes", "no", "skip", "just
place it", "the first one", "没券 直接下单", "对 全删了". Only when it is not does the router try a
side question (answered, then the step is asked again) and then a change of topic. One
reader, shared by every flow, so "no code, just place it" means the same at the coupon
step of checkout as "没有照片" at the photo step of after-sales.

These are patterns over what customers type, not texts shown to them, so they live here
rather than in the message catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from dialogs.i18n import t_both
from dialogs.references import ordinal

if TYPE_CHECKING:
    from dialogs.turn import Turn


class Reply(Enum):
    YES = "yes"
    NO = "no"
    SKIP = "skip"  # "no coupon", "没有", "none": leave this step empty and go on
    PROCEED = "proceed"  # "just place it", "直接下单", "submit": finish with what is there
    SAME = "same"  # "same as last time", "还是那个": the first remembered choice


@dataclass(frozen=True)
class Expects:
    """What the current step can take; also what the NLU is told to expect."""

    yes_no: bool = False
    skippable: bool = False
    proceed: bool = False
    choices: int = 0  # how many options are offered ("the second one", "2")
    same: bool = False  # a remembered choice can be reused ("same address as before")
    answers: tuple[str, ...] = ()  # intents a typed value for this step reads as (a coupon code: use_coupon)

    def intents(self) -> tuple[str, ...]:
        """The NLU intents an answer to this step reads as."""
        names: list[str] = list(self.answers)
        if self.yes_no or self.skippable:
            names += ["affirm", "deny"]
        if self.proceed:
            names += ["checkout", "pay"]
        return tuple(names)


@dataclass(frozen=True)
class StepReply:
    kinds: frozenset[Reply]
    position: int | None = None  # 1-based (or -1 for "the last one") when a choice was named

    def has(self, kind: Reply) -> bool:
        return kind in self.kinds


_SKIP_WORDS = (
    "skip",
    "none",
    "no code",
    "no coupon",
    "no coupons",
    "without",
    "no thanks",
    "no photos",
    "no photo",
    "not needed",
    "don't have",
    "dont have",
    "没有",
    "没券",
    "没码",
    "没有码",
    "没有券",
    "不用券",
    "不用优惠券",
    "没有优惠码",
    "没有照片",
    "不用了",
    "不用",
    "不需要",
    "跳过",
    "无",
    "没",
    "不要",
    # the same typed with the input method in Latin mode
    "mei you",
    "meiyou",
    "bu yong",
    "buyong",
    "bu xu yao",
)
_PROCEED_WORDS = (
    "place it",
    "place the order",
    "place order",
    "place my order",
    "just order",
    "order it",
    "go ahead",
    "go on",
    "proceed",
    "submit",
    "send it",
    "check out",
    "checkout",
    "finish",
    "continue",
    "that's all",
    "thats all",
    "that's it",
    "confirm",
    "直接下单",
    "下单",
    "提交",
    "结算",
    "去结算",
    "结账",
    "确认",
    "就这样",
    "好了",
    "继续",
    "付款",
    "买了",
    "就这些",
)
_SAME_WORDS = (
    "same",
    "same as before",
    "same address",
    "same one",
    "as before",
    "last time",
    "usual",
    "还是那个",
    "还是刚才",
    "刚才那个",
    "刚才的",
    "上次的",
    "上次那个",
    "老地址",
    "原来的",
    "一样",
    "之前的",
)
_PHRASE_SPLIT = re.compile(r"[\s,，.。!！~～;；、]+")
# Emoji and their joiners carry no answer: "nope 👍", "好的🙏" read as "nope", "好的".
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d]")
_NUMBER = re.compile(r"^\s*(\d{1,2})\s*$")


def without_emoji(text: str) -> str:
    return _EMOJI.sub(" ", text)


# A Latin word typed against Chinese ("haode哈", "ok哦") is a word of its own.
_SCRIPT_BOUNDARY = re.compile(r"(?<=[a-z])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[a-z])")


def _phrases(text: str) -> list[str]:
    lowered = _SCRIPT_BOUNDARY.sub(" ", _EMOJI.sub(" ", text).lower()).strip()
    return [p for p in _PHRASE_SPLIT.split(lowered) if p]


_QUESTION = re.compile(
    r"[?？]|吗|么|有没有|是不是|能不能|可不可以|\b(?:do|does|is|are|can|could|what|how|which)\b", re.I
)


def is_question(text: str) -> bool:
    """The message asks something ("快递几天到？", "do you ship to Tibet?") rather than answers."""
    return bool(_QUESTION.search(text))


# A clause that asks: a question mark, a Chinese question word or particle, or an English clause
# opening with a question word ("how long does it take"); "whichever is cheaper" asks nothing.
_ASKS = re.compile(
    r"[?？]|吗|么|呢|几|多少|多久|多长|什么|怎么|哪|是否|能不能|可不可以|有没有|"
    r"(?:^|[,，.。;；!！]\s*|\b(?:and|but|also|so)\s+)"
    r"(?:do|does|did|is|are|can|could|will|would|what|how|which|when|where|why)\b",
    re.I,
)


def asks(text: str) -> bool:
    """Stricter than `is_question`: some clause of the message is asked, not merely a verb "is"."""
    return bool(_ASKS.search(without_emoji(text).strip()))


# A word of going ahead said with a negation in front of it is the opposite: "算了不买了", "先别下单",
# "还不确认", "don't place the order yet", "not ready to check out".
_NEGATION_BEFORE = re.compile(
    r"(?:(?<!要)不|别|没|甭|不想|不要|不用|不能)\s*$|"  # "要不下单吧" suggests it
    r"\b(?:don'?t|dont|do\s+not|(?<!why\s)not|never|no\s+need\s+to|not\s+ready\s+to|won'?t)\s+(?:\w+\s+)?$"
)


def _negated(lowered: str, start: int) -> bool:
    return bool(_NEGATION_BEFORE.search(lowered[max(0, start - 24) : start]))


def _found(text: str, words: tuple[str, ...] | list[str], *, negatable: bool = False) -> bool:
    """A word is the whole message, a whole phrase of it, or (for longer words, in a message
    that is not a question: "有没有优惠码?" holds "没有") inside a phrase. `negatable`: a word
    inside a phrase does not count behind a negation ("不买了" holds "买了")."""
    loose = not _QUESTION.search(text)
    lowered = " ".join(_phrases(text))
    phrases = set(_phrases(text))
    for word in words:
        word = word.lower()
        if word == lowered:
            return True
        if word in phrases and not (negatable and _negated(lowered, lowered.find(word))):
            return True
        if not loose:
            continue
        if " " in word:
            found = re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", lowered)
            at = found.start() if found else -1
        else:
            at = lowered.find(word) if not word.isascii() and len(word) >= 2 else -1
        if at >= 0 and not (negatable and _negated(lowered, at)):
            return True
    return False


def _leading(text: str, words: list[str]) -> bool:
    """The message opens with one of the words ("对 全删了", "yes please do", "好的，下单吧")."""
    phrases = _phrases(text)
    return bool(phrases) and phrases[0] in {w.lower() for w in words}


def _is_yes(turn: Turn, yes_words: list[str], short: bool) -> bool:
    text = turn.text
    whole = " ".join(_phrases(text))
    if short and whole in {w.lower() for w in yes_words}:
        return True
    if _leading(text, yes_words) and _found(text, [w for w in yes_words if len(w) > 1], negatable=True):
        return True  # "好的，下单吧", "yes please do"
    if _leading(text, yes_words) and len(_phrases(text)) > 1:
        return True  # "对 全删了"
    return short and turn.nlu_intent == "affirm" and turn.confidence >= 0.5


def _is_no(turn: Turn, no_words: list[str], short: bool, skippable: bool) -> bool:
    whole = " ".join(_phrases(turn.text))
    if whole in {w.lower() for w in no_words}:
        return True
    if _leading(turn.text, no_words) and not skippable:
        return True
    return short and turn.nlu_intent == "deny" and turn.confidence >= 0.5


def read(turn: Turn, expects: Expects) -> StepReply | None:
    """The message as an answer to a step expecting `expects`, or None when it is not one."""
    text = turn.text
    if not text:
        return None
    kinds: set[Reply] = set()
    position: int | None = None
    if expects.choices:
        number = _NUMBER.match(text)
        position = int(number.group(1)) if number else ordinal(text)
        if position is not None and not (position == -1 or 1 <= position <= expects.choices):
            position = None
    short = len(_phrases(text)) <= 2 and len(text) <= 16
    if (expects.yes_no or expects.proceed) and _is_yes(turn, t_both("words.yes"), short):
        kinds.add(Reply.YES)
    if expects.proceed and _found(text, _PROCEED_WORDS, negatable=True):
        kinds.add(Reply.PROCEED)
    if expects.skippable and _found(text, _SKIP_WORDS):
        kinds.add(Reply.SKIP)
    no = expects.yes_no and Reply.YES not in kinds and Reply.SKIP not in kinds
    if no and _is_no(turn, t_both("words.no"), short, expects.skippable):
        kinds.add(Reply.NO)
    if expects.same and _found(text, _SAME_WORDS):
        kinds.add(Reply.SAME)
    if not kinds and position is None:
        kinds = _misspelt(text, expects)  # "lookks good", "confrim", "go ahaed"
    if not kinds and position is None:
        return None
    return StepReply(frozenset(kinds), position)


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) turning `a` into `b`."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _misspelt(text: str, expects: Expects) -> set[Reply]:
    """A short English answer typed with a slip of the finger: within one edit per five letters of
    a yes / go-ahead / skip phrase of at least six letters (short words are too easily another)."""
    whole = " ".join(_phrases(text))
    if not whole.isascii() or len(whole) > 24 or _QUESTION.search(text):
        return set()
    candidates: list[tuple[Reply, str]] = []
    if expects.yes_no or expects.proceed:
        candidates += [(Reply.YES, w.lower()) for w in t_both("words.yes")]
    if expects.proceed:
        candidates += [(Reply.PROCEED, w) for w in _PROCEED_WORDS]
    if expects.skippable:
        candidates += [(Reply.SKIP, w) for w in _SKIP_WORDS]
    return {
        kind
        for kind, word in candidates
        if word.isascii() and len(word) >= 6 and _distance(whole, word) <= len(word) // 5
    }


_SKIP_TYPO_TARGETS = ("skip", "none", "nope")


def misspelt_skip(text: str) -> bool:
    """ "skp", "sikp 🙏", "skkip thx": the first word one slip of the finger from skip / none / nope
    (three letters or more: a shorter word is too easily something else)."""
    phrases = _phrases(text)
    word = phrases[0] if phrases else ""
    if not (word.isascii() and word.isalpha() and len(word) >= 3):
        return False
    return any(_distance(word, target) <= 1 for target in _SKIP_TYPO_TARGETS)
