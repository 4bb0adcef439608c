"""Expand the commerce lexicon into training examples: registers, greetings fused with questions, typos.

`python -m nlu.augment` rewrites nlu/data/{zh,en}/generated.yml from nlu/data/lexicon/commerce.yml.
Everything is drawn from one seeded generator, so the output is the same on every machine and a
test can check that the committed files are what the lexicon gives. Sentences already in the
hand-written training data, the held-out split or the outsider sets are left out, so the
evaluation sets stay unseen.

The noise model imitates what customers type: for English a neighbouring key hit instead, a
letter dropped, a letter doubled, two letters swapped; for Chinese a common chat homophone
(在吗 -> 在嘛, 什么 -> 神马) or a word typed as pinyin without tones (退款 -> tuikuan).
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlu.text import feature_text
from nlu.training_data import DATA_DIR, held_out_files, load_files, training_files

LEXICON = DATA_DIR / "lexicon" / "commerce.yml"
GENERATED_NAME = "generated.yml"
LANGUAGES = ("zh", "en")
SEED = 20261207
TERMS_PER_FRAME = 3  # a frame is expanded with this many of its intent's terms (a sample, not all)
WRAPPED_PER_SENTENCE = 0.35  # share of sentences that also appear with a register wrapper
NOISY_PER_SENTENCE = 0.3  # share of sentences that also appear with one typo
FRAMES_PER_TASK = 4  # a task is asked in this many of the language's task frames (a sample, not all)

# Register wrappers: (prefix, suffix). Polite, rude, terse, long-winded, and a greeting fused with
# the question, which customers send as one message ("你好，在吗，我的快递到哪了").
WRAPPERS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("please ", ""),
        ("could you please ", "?"),
        ("", " please"),
        ("", ", thanks"),
        ("hi, ", ""),
        ("hello, ", "?"),
        ("hey there, ", ""),
        ("hi, quick question: ", ""),
        ("excuse me, ", ""),
        ("sorry to bother you, ", ""),
        ("good morning, ", ""),
        ("seriously, ", "!!"),
        ("come on, ", " already"),
        ("", " asap"),
        ("", " now!"),
        ("hello? ", "??"),
        ("so i bought something from you last week and ", ""),
        ("i have a question, ", ""),
        ("um ", ""),
        ("", " pls"),
        ("", " thx"),
    ],
    "zh": [
        ("你好，", ""),
        ("您好，", ""),
        ("亲，", ""),
        ("在吗，", ""),
        ("你好在吗，", ""),
        ("请问", ""),
        ("麻烦问下，", ""),
        ("您好，请问", ""),
        ("老板，", ""),
        ("客服，", ""),
        ("", "，谢谢"),
        ("", "，麻烦了"),
        ("", "呀"),
        ("", "啊"),
        ("", "？"),
        ("", "！！"),
        ("", "，急"),
        ("", "，在线等"),
        ("搞什么，", ""),
        ("能不能快点，", ""),
        ("我上周在你们家买了东西，", ""),
        ("问一下，", ""),
        ("", "哈"),
        ("", "呢"),
    ],
}

# Neighbouring keys on a QWERTY keyboard (lower case).
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    result: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, char in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    near += [_KEYBOARD_ROWS[other][i] for i in (c - 1, c) if 0 <= i < len(_KEYBOARD_ROWS[other])]
            result[char] = "".join(near)
    return result


KEY_NEIGHBOURS = _neighbours()

# Chat homophones and near-homophones customers type (input-method picks, slang).
HOMOPHONES: dict[str, tuple[str, ...]] = {
    "在吗": ("在嘛", "在麽", "再吗"),
    "什么": ("神马", "啥", "什麽"),
    "怎么": ("肿么", "咋", "怎莫"),
    "没有": ("木有", "没", "莫有"),
    "可以": ("阔以", "可已"),
    "好的": ("好滴", "好哒", "好d"),
    "谢谢": ("谢谢谢", "蟹蟹", "xx"),
    "这个": ("这个个", "酱个", "介个"),
    "快递": ("快第", "块递"),
    "退款": ("腿款", "退宽"),
    "发票": ("发漂", "发飘"),
    "地址": ("地止", "递址"),
    "订单": ("定单", "订丹"),
    "取消": ("去消", "取销"),
    "优惠": ("优会", "有惠"),
    "喜欢": ("稀饭",),
    "客服": ("刻服", "客户"),
    "一下": ("以下", "一哈"),
    "多少": ("多小", "都少"),
    "到了": ("倒了",),
    "的": ("滴", "得"),
    "吗": ("嘛", "么"),
    "呢": ("捏", "涅"),
}


# The words of a wrapper that must not already be in the sentence ("please ... please").
_MARKERS = re.compile(r"[a-z]{3,}|[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Sentence:
    text: str
    intent: str


def typo_en(text: str, rng: random.Random) -> str | None:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return None
    index = rng.choice(candidates)
    word = words[index]
    position = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("neighbour", "drop", "double", "swap"))
    if kind == "neighbour":
        near = KEY_NEIGHBOURS.get(word[position], "")
        if not near:
            return None
        word = word[:position] + rng.choice(near) + word[position + 1 :]
    elif kind == "drop":
        word = word[:position] + word[position + 1 :]
    elif kind == "double":
        word = word[:position] + word[position] + word[position:]
    else:
        word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    words[index] = word
    return " ".join(words)


def typo_zh(text: str, rng: random.Random, terms: Sequence[str]) -> str | None:
    from pypinyin import lazy_pinyin

    present = [key for key in HOMOPHONES if key in text]
    spelled = [term for term in terms if term in text and len(term) >= 2]
    if spelled and (not present or rng.random() < 0.35):
        term = rng.choice(spelled)
        return text.replace(term, "".join(lazy_pinyin(term)), 1)
    if not present:
        return None
    key = rng.choice(present)
    return text.replace(key, rng.choice(HOMOPHONES[key]), 1)


def _expand(entry: dict[str, Any], intent: str, rng: random.Random, task_frames: Sequence[str] = ()) -> list[Sentence]:
    sentences = [Sentence(str(act), intent) for act in entry.get("acts") or []]
    # A task ("track my order") asked as a request for help, a how-to question, a wish or a
    # command: the words around it ("can you help me", "i don't know how to", "怎么") must not
    # decide the intent, the task must.
    for task in entry.get("tasks") or []:
        for frame in rng.sample(list(task_frames), min(FRAMES_PER_TASK, len(task_frames))):
            sentences.append(Sentence(frame.replace("{task}", str(task)), intent))
    # The intent's own terms and frames, then its groups: a family of words with frames of its own
    # (courier names in "can it go by {term}"), which the intent's general terms would not fit.
    for family in [entry, *(entry.get("groups") or [])]:
        terms = [str(term) for term in family.get("terms") or []]
        for frame in family.get("frames") or []:
            frame = str(frame)
            if "{term}" not in frame:
                sentences.append(Sentence(frame, intent))
                continue
            for term in rng.sample(terms, min(TERMS_PER_FRAME, len(terms))):
                sentences.append(Sentence(frame.replace("{term}", term), intent))
    return sentences


def _all_terms(entry: dict[str, Any]) -> list[str]:
    """The intent's terms and its groups' terms (the words the noise model may type as pinyin)."""
    return [str(term) for family in [entry, *(entry.get("groups") or [])] for term in family.get("terms") or []]


def _wrap(sentence: Sentence, language: str, rng: random.Random) -> Sentence:
    text = sentence.text
    choices = [(p, s) for p, s in WRAPPERS[language] if not any(m in text for m in _MARKERS.findall(p + " " + s))]
    prefix, suffix = rng.choice(choices)
    if suffix and text[-1:] in "?？!！":
        text = text[:-1]
    return Sentence(f"{prefix}{text}{suffix}", sentence.intent)


def generate(lexicon: dict[str, Any], language: str, seed: int = SEED) -> list[Sentence]:
    """The examples one language's lexicon gives: sentences, wrapped variants, typo variants."""
    rng = random.Random(f"{seed}:{language}")
    task_frames = [str(frame) for frame in (lexicon.get("task_frames") or {}).get(language) or []]
    result: list[Sentence] = []
    for intent in sorted(lexicon[language]):
        entry = lexicon[language][intent]
        base = _expand(entry, intent, rng, task_frames)
        terms = _all_terms(entry)
        variants: list[Sentence] = []
        for sentence in base:
            if entry.get("wrappable", True) and rng.random() < WRAPPED_PER_SENTENCE:
                variants.append(_wrap(sentence, language, rng))
            if rng.random() < NOISY_PER_SENTENCE:
                noisy = typo_en(sentence.text, rng) if language == "en" else typo_zh(sentence.text, rng, terms)
                if noisy:
                    variants.append(Sentence(noisy, intent))
        result.extend(base + variants)
    return result


def _reserved_texts(data_dir: Path, extra_files: Iterable[Path]) -> set[str]:
    """Normalised sentences the generator must not produce (hand-written data and evaluation sets)."""
    generated = {data_dir / language / GENERATED_NAME for language in LANGUAGES}
    files = [path for path in training_files(data_dir) if path not in generated]
    files += held_out_files(data_dir) + list(extra_files)
    return {feature_text(example.text) for example in load_files(files).examples}


def deduplicated(sentences: Iterable[Sentence], reserved: set[str]) -> list[Sentence]:
    seen = set(reserved)
    kept: list[Sentence] = []
    for sentence in sentences:
        key = feature_text(sentence.text)
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return kept


def _yaml_line(text: str) -> str:
    # Rasa entity markup would be read from square brackets; the lexicon has none, keep it that way.
    if any(char in text for char in "[]{}"):
        raise ValueError(f"lexicon sentence with markup characters: {text!r}")
    return text


def render(sentences: Sequence[Sentence]) -> str:
    by_intent: dict[str, list[str]] = {}
    for sentence in sentences:
        by_intent.setdefault(sentence.intent, []).append(_yaml_line(sentence.text))
    lines = [
        "# Generated by `python -m nlu.augment` from nlu/data/lexicon/commerce.yml: edit the lexicon, not this file.",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in by_intent[intent]]
    return "\n".join(lines) + "\n"


def outsider_files() -> list[Path]:
    """The independent generalisation sets under tests/ (present in a checkout, not in a wheel)."""
    root = DATA_DIR.parent.parent / "tests" / "nlu" / "data"
    return sorted(root.glob("outsider_*.yml"))


def build(data_dir: Path = DATA_DIR, lexicon_path: Path = LEXICON) -> dict[str, str]:
    """language -> the generated YAML text."""
    lexicon = yaml.safe_load(lexicon_path.read_text(encoding="utf-8"))
    reserved = _reserved_texts(data_dir, outsider_files())
    return {language: render(deduplicated(generate(lexicon, language), reserved)) for language in LANGUAGES}


def main(argv: Sequence[str] = ()) -> int:
    for language, text in build().items():
        path = DATA_DIR / language / GENERATED_NAME
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {text.count(chr(10) + '    - ')} examples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
