"""How real typing differs from clean text: typos, pinyin, dropped punctuation, mixed
language and emoji. Noise never touches the slots that must stay exact (phone numbers,
coupon codes) - those are filled in after the noise is applied."""

from __future__ import annotations

import random
import re

EMOJI = ["😊", "👍", "🙏", "😂", "~", "哈", "!!"]
EN_EMOJI = ["🙂", "👍", "🙏", "lol", "thx", "!!"]

# Words a Chinese shopper types in pinyin or English when the IME is in the wrong mode.
ZH_SWAPS = {
    "结账": ["jiezhang", "checkout"],
    "购物车": ["gouwuche", "cart"],
    "确认": ["queren", "ok"],
    "快递": ["kuaidi"],
    "好的": ["hao de", "ok", "好滴"],
    "不用": ["bu yong", "不用了"],
    "要": ["yao"],
    "没有": ["mei you", "木有", "没"],
    "取消": ["quxiao"],
    "退货": ["tuihuo"],
}
EN_SWAPS = {"please": ["pls", "plz"], "you": ["u"], "thanks": ["thx"], "okay": ["ok", "k"], "the": ["teh"]}
ZH_FILLERS = ["呀", "哈", "嘛", "啊", "哦"]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def add_noise(text: str, lang: str, level: int, rng: random.Random) -> str:
    """level 0: as written; 1: light (punctuation, case, one swap); 2: heavy (typos, pinyin,
    fillers, emoji)."""
    if level <= 0:
        return text
    if rng.random() < 0.6:
        text = re.sub(r"[，。！？,.!?]", " ", text).strip()
    if lang == "en":
        if rng.random() < 0.6:
            text = text.lower()
        for word, swaps in EN_SWAPS.items():
            if re.search(rf"\b{word}\b", text) and rng.random() < 0.5:
                text = re.sub(rf"\b{word}\b", rng.choice(swaps), text, count=1)
        if level >= 2:
            words = text.split(" ")
            for _ in range(rng.randint(1, 2)):
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
            text = " ".join(words)
    else:
        for word, swaps in ZH_SWAPS.items():
            if word in text and rng.random() < (0.3 if level == 1 else 0.6):
                text = text.replace(word, rng.choice(swaps), 1)
        if level >= 2 and rng.random() < 0.5:
            text += rng.choice(ZH_FILLERS)
    if level >= 2 and rng.random() < 0.4:
        text += " " + rng.choice(EMOJI if lang == "zh" else EN_EMOJI)
    return re.sub(r"\s+", " ", text).strip()
