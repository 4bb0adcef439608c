"""Search keywords without a $text index.

At write time every product gets a `keywords` array (multikey-indexed): jieba tokens (search
mode) of its Chinese texts, lowercase English tokens and their Snowball stems, pinyin (full and
initials) of the Chinese title, brand and category names, SKU codes, and synonyms. A query is
tokenised the same way into *terms*; each term is a small set of interchangeable variants
(token, stem, typo corrections) so ranking can count matched terms, not matched spellings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import jieba
import snowballstemmer
import yaml
from pypinyin import Style, lazy_pinyin

from commerce.localized import LocalizedText

from .model import KNOWN_TAGS, Product
from .specs import label_key, label_value

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_TOKEN = re.compile(r"[a-z0-9]+")
# Codes such as "P100-BLK-128" are also kept whole so an exact code finds its product.
_CODE_TOKEN = re.compile(r"[a-z0-9]+(?:[-_./][a-z0-9]+)+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no product meaning in a shopper's request ("I want to buy ...", "我想买...").
ENGLISH_STOPWORDS = _words(
    "a an and are as at be by do does for from have has i in is it its me my of on or our show some "
    "that the this to want with you your please any can could would like looking need get buy find "
    "there what which who how much many"
)
CHINESE_STOPWORDS = _words(
    "的 了 和 与 及 是 在 有 我 你 他 她 它 们 我们 想 要 想要 买 购买 一个 一下 个 件 款 吗 呢 吧 啊 呀 "
    "请 请问 帮 帮我 给 给我 看 看看 找 找找 推荐 什么 哪些 哪个 有没有 没有 一些 些 这 那 这个 那个 "
    "还有 可以 能 能不能 多少 钱 价格 和的 都 也 就 很 最 非常 一款 的话 之 等 及其 以及 或 或者"
)

_stemmer = snowballstemmer.stemmer("english")


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Groups of interchangeable words from synonyms.yml (lowercase)."""
    groups = yaml.safe_load(resources.files(__package__).joinpath("synonyms.yml").read_text(encoding="utf-8"))
    return tuple(tuple(str(word).casefold() for word in group) for group in groups or ())


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, frozenset[str]] = {}
    for group in synonym_groups():
        members = frozenset(str(word).casefold() for word in group)
        for word in members:
            index[word] = index.get(word, frozenset()) | members
    return index


def synonyms_of(token: str) -> frozenset[str]:
    return _synonym_index().get(token, frozenset())


def stem(token: str) -> str:
    return str(_stemmer.stemWord(token)) if token.isalpha() else token


def is_latin(token: str) -> bool:
    return token.isascii()


def _latin_tokens(text: str) -> list[str]:
    return [t for t in _LATIN_TOKEN.findall(text) if len(t) > 1 and t not in ENGLISH_STOPWORDS]


def _cjk_tokens(run: str, *, search_mode: bool) -> list[str]:
    words = jieba.cut_for_search(run) if search_mode else jieba.cut(run)
    return [w for w in words if w.strip() and w not in CHINESE_STOPWORDS]


def text_tokens(text: str, *, search_mode: bool = True) -> list[str]:
    """Lowercase tokens of a (possibly mixed Chinese/English) text, stopwords removed, in order."""
    return list(_text_tokens(text, search_mode))


@lru_cache(maxsize=65536)  # category names, brands and spec values repeat across thousands of products
def _text_tokens(text: str, search_mode: bool) -> tuple[str, ...]:
    lowered = text.casefold()
    tokens: list[str] = []
    position = 0
    for match in _CJK_RUN.finditer(lowered):
        tokens += _latin_tokens(lowered[position : match.start()])
        tokens += _cjk_tokens(match.group(), search_mode=search_mode)
        position = match.end()
    tokens += _latin_tokens(lowered[position:])
    tokens += _CODE_TOKEN.findall(lowered)
    return tuple(tokens)


@lru_cache(maxsize=65536)
def pinyin_forms(text: str) -> frozenset[str]:
    """Full pinyin and initials of each Chinese word and of each whole Chinese run.

    "极光手机" -> {"jiguang", "jg", "shouji", "sj", "jiguangshouji", "jgsj"}: shoppers type
    pinyin when their keyboard is not in Chinese mode.
    """
    forms: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for piece in {run, *(w for w in jieba.cut_for_search(run) if len(w) > 1)}:
            syllables = [s for s in lazy_pinyin(piece, style=Style.NORMAL, errors="ignore") if s.isascii()]
            if len(syllables) < 2:
                continue
            forms.add("".join(syllables))
            forms.add("".join(s[0] for s in syllables))
    return frozenset(forms)


def expand(tokens: Iterable[str]) -> set[str]:
    """Tokens plus English stems and synonyms (and the stems of English synonyms)."""
    out: set[str] = set()
    for token in tokens:
        out.add(token)
        for word in synonyms_of(token) or (token,):
            out.add(word)
            if is_latin(word):
                out.add(stem(word))
    return out


def product_keywords(product: Product, category_names: Sequence[LocalizedText] = ()) -> tuple[str, ...]:
    """The sorted keyword array stored on a product document."""
    texts: list[str] = [*product.title.values(), *product.description.values(), product.brand]
    for name in category_names:
        texts += name.values()
    for sku in product.skus:
        for key, value in sku.specs.items():
            texts += [key, value, *label_key(key).values(), *label_value(value).values()]
    for tag in product.tags:
        texts += [tag, *(KNOWN_TAGS[tag].values() if tag in KNOWN_TAGS else ())]
    tokens: list[str] = []
    for text in texts:
        tokens += text_tokens(text)
    keywords = expand(tokens)
    # Pinyin of the title and brand only: category pinyin would make "erji" (耳机) match speakers.
    keywords |= pinyin_forms(product.title.zh) | pinyin_forms(product.brand)
    keywords |= {product.code.casefold(), *(s.sku.casefold() for s in product.skus)}
    keywords |= {s.barcode for s in product.skus if s.barcode}
    return tuple(sorted(k for k in keywords if k))


def title_keywords(product: Product) -> tuple[str, ...]:
    """Keywords of the title alone: a title hit ranks above a description or category hit."""
    tokens: list[str] = []
    for text in (*product.title.values(), product.brand):
        tokens += text_tokens(text)
    keywords = expand(tokens) | pinyin_forms(product.title.zh) | pinyin_forms(product.brand)
    return tuple(sorted(k for k in keywords if k))


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One word of a query and the spellings that count as a match for it."""

    token: str
    variants: frozenset[str]
    corrected: bool = False


def query_terms(query: str) -> list[QueryTerm]:
    """Terms of a shopper's query; duplicates removed, order kept. No typo correction here.

    Two neighbouring words that make one name of a synonym group ("head torch" for 头灯 /
    headlamp) are one term: each word alone names something else ("head", "torch")."""
    terms: list[QueryTerm] = []
    seen: set[str] = set()
    for token in _joined_synonyms(text_tokens(query)):
        if token in seen:
            continue
        seen.add(token)
        variants = {token, stem(token)} if is_latin(token) else {token}
        variants |= synonyms_of(token) if " " in token else set()
        terms.append(QueryTerm(token=token, variants=frozenset(variants)))
    return terms


def _joined_synonyms(tokens: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    while index < len(tokens):
        pair = " ".join(tokens[index : index + 2])
        if index + 1 < len(tokens) and pair.isascii() and synonyms_of(pair):
            joined.append(pair)
            index += 2
        else:
            joined.append(tokens[index])
            index += 1
    return joined
