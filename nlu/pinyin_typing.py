"""Chinese words typed in pinyin, written back in Chinese before the message is understood.

A customer whose input method slips into Latin mode sends "订单不yao了", "quxiao刚才的订单",
"烟灰色的不yao了" or a whole "wo yao liang ge". Every reader after this one - the intent
classifier, the patterns of the dialogs, the option matching - knows the Chinese words, so
the pinyin is turned back into them once, here: "订单不要了", "取消刚才的订单", "我要两个".

Only what is surely pinyin is touched: a lowercase run of Latin words that the word list
(nlu/pinyin_words.yml, plus the words a caller adds: the option lexicon's colours and sizes)
covers completely. English words ("ok", "M", "iphone", "thank you"), capitalised names
("Li Na") and anything the list does not cover stay as typed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

WORDS_FILE = Path(__file__).parent / "pinyin_words.yml"
# Numbers said with a counting word ("liang ge", "san tao", "ba ping"): written out here rather
# than listed, so 八个 beats 吧 + 个 and 九个 beats 就 + 个.
_NUMBERS = "一二两三四五六七八九十俩仨"
_COUNTING_WORDS = "个件支套瓶盒包袋双条只把口副罐杯台张本块份"
# English words that are also pinyin: never read as Chinese on their own ("thank you", "he").
ENGLISH_LOOKALIKES = frozenset(
    {"a", "an", "he", "she", "me", "you", "men", "can", "man", "long", "pan", "ban", "fan", "hen", "sun", "die", "tie"}
    | {"pie", "lie", "bang", "tan", "ten", "wan", "ran", "hang", "gang", "dang", "lang", "shin", "chin", "bin", "pin"}
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# A run of lowercase Latin words separated by spaces only (a capital marks a name or a brand); a
# count may follow it ("yao4支") but nothing glued before it ("3x3", "500ml" are no pinyin).
_LATIN_RUN = re.compile(r"(?<![A-Za-z0-9])[a-z]+(?:[ \t]+[a-z]+)*(?![A-Za-z])")
_MAX_KEY = 24  # letters of the longest word's pinyin
# One toneless syllable (loosely: a few impossible ones pass); a word made only of them may be pinyin.
_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|ian|iao|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|ui|ue|ve|er|[aoeiuv])"
)
_PINYIN_WORD = re.compile(rf"(?:{_SYLLABLE})+")


def _pinyin(word: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # only when the list is first read

    return [s for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s.isascii() and s.isalpha()]


def everyday_words() -> list[str]:
    """nlu/pinyin_words.yml and the counted numbers, most common reading first."""
    document = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8")) or {}
    words = [str(word) for group in document.get("words") or () for word in group]
    return words + [n + unit for n, unit in itertools.product(_NUMBERS, _COUNTING_WORDS)]


@cache
def pinyin_words(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Toneless pinyin written together ("gouwuche") -> the Chinese word; the first listed wins
    (the everyday words before `extra`)."""
    table: dict[str, str] = {}
    for word in (*everyday_words(), *extra):
        if not word or not all(_HAN.match(ch) for ch in word):
            continue
        syllables = _pinyin(word)
        if len(syllables) != len(word):
            continue
        spellings = {"".join(syllables)}
        if any("v" in s for s in syllables):  # 绿 typed "lv" or "lu"
            spellings.add("".join(s.replace("v", "u") for s in syllables))
        for spelling in spellings:
            table.setdefault(spelling, word)
    return table


def _cover(run: str, table: dict[str, str]) -> str | None:
    """The run written as listed words, fewest words first; None when some part is not listed.

    Spaces may separate words or syllables ("liang ge", "hao de"), never split one."""
    size = len(run)
    best: list[tuple[int, str] | None] = [None] * (size + 1)
    best[0] = (0, "")
    for start in range(size):
        done = best[start]
        if done is None or run[start] == " ":
            continue
        for end in range(start + 1, min(size, start + _MAX_KEY + 8) + 1):
            if run[end - 1] == " ":
                continue
            word = table.get(run[start:end].replace(" ", ""))
            if word is None:
                continue
            stop = end + 1 if end < size and run[end] == " " else end
            candidate = (done[0] + 1, done[1] + word)
            current = best[stop]
            if current is None or candidate[0] < current[0]:
                best[stop] = candidate
    final = best[size]
    return final[1] if final is not None else None


def _read_run(run: str, table: dict[str, str], *, all_pinyin: bool = False) -> str | None:
    """The Chinese of one run, or None when none of it is a listed word. A run only partly
    listed ("wo yao liang ge bisai mofang") has its listed words written in Chinese and keeps the
    rest ("我要两个 bisai mofang": the catalog search reads product names in pinyin itself).

    `all_pinyin`: the whole message is pinyin in a Chinese conversation, so a word that is also
    English ("you" of "you zixingche deng ma") is read as pinyin too, once some other word is."""
    words = run.split()
    if all(word in ENGLISH_LOOKALIKES for word in words):
        return None
    whole = _cover(run, table)
    if whole is not None or len(words) < 2:
        return whole
    pieces = _read_pieces(words, table, all_pinyin=all_pinyin)
    if all_pinyin and all(reading is None for piece, reading in pieces if piece not in ENGLISH_LOOKALIKES):
        return None  # only the English-looking words would be read: "you can pan" stays as typed
    if all(reading is None for _, reading in pieces):
        return None
    out = ""
    for piece, reading in pieces:
        out += reading if reading is not None else f" {piece} "
    return re.sub(r"\s+", " ", out).strip()


def _read_pieces(words: list[str], table: dict[str, str], *, all_pinyin: bool) -> list[tuple[str, str | None]]:
    """The words of a run read left to right, each time the longest span of words that is listed
    ("yao yi tao ji yong": 要, 一套 - the count's two syllables together -, then ji, yong unread)."""
    pieces: list[tuple[str, str | None]] = []
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            span = words[start:end]
            if len(span) == 1 and span[0] in ENGLISH_LOOKALIKES and not all_pinyin:
                continue
            reading = _cover(" ".join(span), table)
            if reading is not None:
                pieces.append((" ".join(span), reading))
                start = end
                break
        else:
            pieces.append((words[start], None))
            start += 1
    return pieces


def chinese_for_pinyin(text: str, lang: str, extra: tuple[str, ...] = ()) -> str:
    """`text` with its pinyin-typed Chinese words (the everyday ones and `extra`) written in Chinese.

    In a message with Chinese characters every fully listed lowercase run is rewritten; a message
    with none is rewritten only in a Chinese conversation and only when all of it is pinyin
    ("wo yao liang ge", "quxiao dingdan"), so an English sentence is never touched."""
    if not re.search(r"[a-z]", text):
        return text
    table = pinyin_words(extra)
    has_han = bool(_HAN.search(text))
    if not has_han:
        if lang != "zh" or re.search(r"[A-Z]", text):
            return text
        runs = list(_LATIN_RUN.finditer(text))
        all_pinyin = all(_PINYIN_WORD.fullmatch(word) for match in runs for word in match.group().split())
        readings = [_read_run(match.group(), table, all_pinyin=all_pinyin) for match in runs]
        words = [word for match in runs for word in match.group().split()]
        if not runs or any(reading is None for reading in readings) or not all(map(_PINYIN_WORD.fullmatch, words)):
            return text
        pieces: Iterable[tuple[re.Match[str], str | None]] = zip(runs, readings, strict=True)
    else:
        pieces = ((m, _read_run(m.group(), table)) for m in _LATIN_RUN.finditer(text))
    out, last = [], 0
    for match, reading in pieces:
        if reading is None:
            continue
        out += [text[last : match.start()], reading]
        last = match.end()
    return "".join(out) + text[last:] if out else text
