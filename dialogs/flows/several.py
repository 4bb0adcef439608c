"""Buying messages that name several products: "olive tent and a headlamp", "三体平装和百年孤独各来一本",
"那都来一个 精华要30的 防晒要50的", "I'll take both".

The message is split on conjunctions and separators (and, &, plus, +, commas, 和, 跟, 还有, 再来,
以及, 、, ；, and - in Chinese - spaces between parts that each name a product). Each part is
resolved like a one-product buying message (its product, options and quantity); every part that
is unambiguous is added, and only a part that lacks an option is asked about, after one summary of
what was added. "both" / "都来一个" / "one of each" without names means the products just shown.
A message that is not several products after all goes to the one-product path (cart.add_intent).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from dialogs import buttons as codes
from dialogs.flows import browse, cart, products
from dialogs.messages import Button, TextReply
from dialogs.ports import ProductView, SearchQuery, VariantView
from dialogs.references import (
    asks_to_buy,
    mentioned_values,
    ordinal,
    pick,
    product_words,
    quantity_in,
    without_context,
    without_greeting,
    without_named_values,
    without_quantity,
    word_groups,
)
from dialogs.turn import Turn

if TYPE_CHECKING:
    from nlu.engine import ParseResult

MAX_PARTS = 4  # a turn resolves at most this many parts (one search each)
MAX_SHOWN_EACH = 4  # "one of each" over at most this many listed products
MAX_WAITING = 3  # parts of a list kept waiting for their option question
MAX_OTHERS_NAMED = 4  # versions still in stock named when the one asked for is sold out

_SEPARATOR = re.compile(
    r"\s*(?:\band\s+also\b|\bas\s+well\s+as\b|\band\b|\bplus\b|&|\+|[,，;；、/\n]|"
    r"还有|再来|另外|以及|外加|加上|和|跟|与)\s*",
    re.I,
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# "each" words: "各来一本", "都来一个", "两个都要", "both", "one of each", "all of them".
_EACH = re.compile(
    r"各|都(?:来|要|买|拿|加|给)|两(?:个|款|样|种)都|一样(?:来)?一|"
    r"\bboth\b|\beach\b|\ball\s+(?:of\s+)?(?:them|those|these|three|two|four)\b",
    re.I,
)
_NEGATED_EACH = re.compile(r"都不|都别|\bneither\b|\bnone\b", re.I)
# Words of a part that are neither product nor option: what is left of "ok i'll get", "那都", "各".
_PART_FILLER = re.compile(
    r"\b(?:ok|okay|fine|then|both|each|all|of|get|also|too|just|and|plus|with|then|sure|yes|yeah|"
    r"packs?|bottles?|boxes|bags?|cups?|pieces?|copies|copy|units?|pairs?|sets?|'ll|'d|i)\b|"
    r"^(?:那|就|先|把|都|各|再|还|也|然后|另外|那就|那先|那都|我|给我)+|(?:各|都|也)+$|[\s'’]+|"
    r"^[盒包袋瓶罐杯根支条件份只](?=[\u4e00-\u9fff]{2})|^[-*•·]+",  # the 盒 of "再来盒挂耳": a count without its number
    re.I,
)
_QUESTION = re.compile(r"[?？]|吗|么|\b(?:do|does|is|are|which|what|how)\b", re.I)
_WEIGHING = re.compile(r"哪个|哪款|哪种|哪一|之间|\b(?:which|between)\b", re.I)
_BROWSING = re.compile(r"看看|推荐|有没有|找|\b(?:looking|find|show|recommend|search|browse|see)\b", re.I)
# Marks of a shopping list without a buying verb: "a headlamp", "2 mugs", "一盒X", "我要X", "... pls", "X一沓".
_LIST_MARK = re.compile(
    r"^\s*(?:a|an|one|two|three|\d{1,2})\s+\S|^\s*[一二两三四五六七八九十\d]\s*[个件份本包盒瓶支双套条]|"
    r"^\s*(?:我要|我想要|要|给我|帮我)|\b(?:please|pls|plz)\b|"
    r"(?:\d{1,3}|[一二两三四五六七八九十俩仨])\s*[个件份台双瓶盒只支条套本包袋罐杯把张对副块提卷片根桶箱束枝朵沓打册盏]\s*$",
    re.I,
)

# "65w charger + the car mount": a "+" between items, "the" before one, or a spec (65w, 100g,
# 6L) makes it a shopping list; "tents and headlamps" stays a search for both kinds.
_PLUS = re.compile(r"\S\s*\+\s*\S|^\s*\+")
_SPEC_MARK = re.compile(
    r"^\s*the\s+\S|(?<![\w.])\d+(?:\.\d+)?\s*(?:w|ml|l|g|kg|cm|mm|m|gb|tb|mah|inch|寸|毫升|升|克|米)(?![a-z])",
    re.I,
)


@dataclass(frozen=True)
class Part:
    """One product named in a buying message: its text and where it sits in the message."""

    text: str
    start: int
    end: int
    words: str  # what names the product (no purchase words, quantities or filler)


# A Chinese count ("两个", "一包", "3盒"): between two products it ends one and starts the next.
_ZH_COUNT = re.compile(
    r"(?:\d{1,3}|[一二两三四五六七八九十俩仨])\s*[个件份台双瓶盒只支条套本包袋罐杯把张对副顶块听提卷片枚颗款根桶箱]"
    r"(?![的装套人月天年次])"
)
_LEAD_VERB = re.compile(r"^\s*(?:我要|我想要|给我|帮我|再|还|也)?\s*(?:来|要|买|拿|加)?\s*")


# A part that only says what the one before it is without ("2 of the 0 ones, no prescription",
# "the black mug, not the glossy one", "two lattes without sugar"): that part's qualifier, no item.
_QUALIFIER = re.compile(r"\s*(?:no|not|without|non|minus|never)\b", re.I)


def _segments(text: str) -> list[tuple[int, int]]:
    """Spans between separators; in Chinese, spaces ("精华要30的 防晒要50的") and counts between
    products ("马克杯两个头灯一个", "来两个马克杯一个头灯") separate too."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SEPARATOR.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    if _chinese(text):
        split: list[tuple[int, int]] = []
        for a, b in spans:
            inner = a
            for space in re.finditer(r"\s+", text[a:b]):
                around = text[a + space.start() - 1 : a + space.start()] + text[a + space.end() : a + space.end() + 1]
                if not _HAN.search(around):
                    continue  # "耐克Air Max 90": a space between Latin words separates nothing
                split.extend(_at_counts(text, inner, a + space.start()))
                inner = a + space.end()
            split.extend(_at_counts(text, inner, b))
        spans = split
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _chinese(text: str) -> bool:
    """A message written in Chinese (a few Latin names inside it, "耐克Air Max 90 运动鞋"), not an
    English one with a Chinese name in it ("add 2 cream 3.5 珐琅锅 to my cart")."""
    latin_words = re.findall(r"[a-z]{2,}", text, re.I)
    han = len(_HAN.findall(text))
    return han > 0 and han >= len(latin_words)


def _at_counts(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """A span cut at its counts: after each count when counts follow the products ("马克杯两个头灯一个"),
    before each later count when they come first ("来两个马克杯一个头灯")."""
    segment = text[a:b]
    counts = list(_ZH_COUNT.finditer(segment))
    if not counts:
        return [(a, b)]
    count_first = counts[0].start() == _LEAD_VERB.match(segment).end()  # type: ignore[union-attr]
    cuts = [m.start() for m in counts[1:]] if count_first else [m.end() for m in counts if m.end() < len(segment)]
    edges = [0, *cuts, len(segment)]
    return [(a + x, a + y) for x, y in itertools.pairwise(edges) if y > x]


def part_words(segment: str) -> str:
    """The product-naming words of one part ("ok i'll get the cleanser" -> "cleanser")."""
    words = product_words(segment)
    return " ".join(_PART_FILLER.sub(" ", words).split())


# Only which size of the product before ("大的那个", "小的", "最大的"): no product of its own.
_RELATIVE_SIZE_ONLY = re.compile(r"^(?:最|更)?[大小中](?:一点|点|些)?$")


def _names_a_product(words: str) -> bool:
    """Words left once options, sizes and spec numbers are gone ("200ml", "黑色", "大号", "大的那个"
    name none)."""
    rest = products.without_values(words, [])
    return bool(rest) and not _RELATIVE_SIZE_ONLY.match(rest)


def split_parts(text: str) -> list[Part]:
    """The parts of a message that each name a product; a part naming only options or a count
    ("黑色", "一个", "size 42") belongs to the product part before it (or after it, at the start)."""
    parts: list[Part] = []
    leading: tuple[int, int] | None = None
    text = without_context(text)
    for a, b in _segments(text):
        words = part_words(text[a:b])
        if words and _names_a_product(words) and not (parts and _QUALIFIER.match(text[a:b])):
            if leading is not None and not _EACH.search(text[leading[0] : leading[1]]):
                a = leading[0]
                words = part_words(text[a:b])
            leading = None
            parts.append(Part(text[a:b], a, b, words))
        elif parts:
            last = parts[-1]
            parts[-1] = Part(text[last.start : b], last.start, b, part_words(text[last.start : b]))
        else:
            leading = (a, b) if leading is None else (leading[0], b)
    return parts


def names_each(text: str) -> bool:
    """ "都来一个", "各来两个", "both", "one of each": every product meant, not one."""
    return bool(_EACH.search(text)) and not _NEGATED_EACH.search(text)


def buys_several(text: str) -> bool:
    """A buying message naming two or more products ("olive tent and a headlamp", "A和B各来一个"),
    not a question or a search ("do you have tents and headlamps?", "show me tents and chairs")."""
    text = without_greeting(text)  # "亲 在吗 A一个 B两个": the opening "在吗" asks nothing
    if _QUESTION.search(text) or _BROWSING.search(text):
        return False
    parts = split_parts(text)
    if len(parts) < 2:
        return False
    return (
        asks_to_buy(text)
        or names_each(text)
        or bool(_PLUS.search(text))
        or any(_LIST_MARK.search(p.text) or _SPEC_MARK.search(p.text) for p in parts)
    )


# --- adding ---------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    product: ProductView | None
    variant: VariantView | None = None
    quantity: int = 1
    note: str = ""  # why it was not added (already in the customer's language)
    chosen: dict[str, str] | None = None  # options known so far when one is still missing
    more: bool = False  # the part asks for more of it ("再来一个", "another"): added even when just added


async def add_intent(turn: Turn) -> None:
    """The add-to-cart intent: several products when the message names several, else one."""
    if not turn.text or not await add_several(turn):
        await cart.add_intent(turn)


async def add_several(turn: Turn) -> bool:
    """Add every product (or version) the message names; False (nothing done) when it names one."""
    text = turn.text
    if _WEIGHING.search(text):
        return False  # "21和23寸哪个合适", "S or M, which runs bigger?": choosing between them, buying neither yet
    parts = split_parts(text)[:MAX_PARTS]
    each = names_each(text)
    shared = quantity_in(_EACH.sub(" ", text)) if each else None  # "两个都来一份": one each
    meant: list[tuple[Turn, ProductView | None, Part | None]] = []
    if len(parts) >= 2:
        for part in parts:
            part_turn = _part_turn(turn, part)
            meant.append((part_turn, await _product_of(part_turn, part), part))
        meant = await _with_option_parts_joined(turn, meant)
        found = {p.product_id for _, p, _ in meant if p is not None}
        if len(meant) == 1 and found and not _title_names_a_value(meant[0][1]):
            pass  # "冻干咖啡原味一盒 燕麦拿铁一盒": one product's parts, maybe in several versions
        elif len(found) < 2 or await _one_title_names_all(turn, parts):
            meant = []  # "salt and pepper grinder": one product after all (maybe in several versions)
    if meant:
        pass
    elif _versions_named(text) or await _screen_versions_named(turn):
        # "black and white tumblers", "黑色M和白色L各一副" (the product on screen): one product, several versions
        whole = Part(text, 0, len(text), parts[0].words if parts else "")
        product = await _product_of(_part_turn(turn, whole), parts[0]) if parts else await _on_screen(turn)
        if product is None and parts:
            # "那中文平装来俩 英文平装一本" under the book's card: only its option words, so the card's product
            shown = await _on_screen(turn)
            if shown is not None and not any(products.without_option_words(p.words, shown) for p in parts):
                product = shown
        if product is None:
            return False
        meant = [(turn, product, whole)]
    elif each and len(parts) <= 1:
        listed = await _listed(turn)
        if len(listed) < 2:
            return False
        meant = [(turn, product, None) for product in listed]
    else:
        return False
    expanded = [item for entry in meant for item in await _versions(turn, *entry)]
    if len(expanded) < 2:
        return False
    turn.intent = "add_to_cart"
    outcomes = [await _resolve(part_turn, product, part, shared) for part_turn, product, part in expanded]
    await _add_and_summarise(turn, outcomes)
    return True


def _title_names_a_value(product: ProductView | None) -> bool:
    """ "焦糖瓜子" names its Caramel flavour: its title words would read as a version of their own."""
    if product is None:
        return False
    return any(mentioned_values(product.title, values) for values in product.options.values())


async def _with_option_parts_joined(
    turn: Turn, meant: list[tuple[Turn, ProductView | None, Part | None]]
) -> list[tuple[Turn, ProductView | None, Part | None]]:
    """A part naming only options of the product before it belongs to that product's item
    ("再来盒挂耳 中烘10包的": 中烘 and 10包 are the drip bags' roast and pack, no product of their own)."""
    joined: list[tuple[Turn, ProductView | None, Part | None]] = []
    for entry in meant:
        part = entry[2]
        before = joined[-1] if joined else None
        if before is not None and before[1] is not None and before[2] is not None and part is not None:
            product = await browse.full_product(turn, before[1])
            if product.options and _only_options_named(part, product):
                whole = Part(turn.text[before[2].start : part.end], before[2].start, part.end, before[2].words)
                joined[-1] = (_part_turn(turn, whole), product, whole)
                continue
        joined.append(entry)
    return joined


def _only_options_named(part: Part, product: ProductView) -> bool:
    """The part names options of the product and nothing else - read with its number too, which
    the part's words lose as a count ("white tulip bouquet, 10 stems": the bouquet's 10枝)."""
    if not products.without_option_words(part.words, product):
        return True
    return not part_words(products.without_option_words(part.text, product))


async def _product_of(part_turn: Turn, part: Part) -> ProductView | None:
    """The product a part names: "the second one" in the list shown, else found like a buying message;
    when its words find nothing, the same words without what names no product in them ("香槟玫瑰19枝一束":
    a count in a unit the search does not know; "hey lavender candle": a greeting before the name)."""
    context = part_turn.state.context
    position = ordinal(part.text)
    if position is not None and context.get("list_kind", "results") == "results":
        chosen = pick(list(context.get("results") or []), position)
        return await part_turn.services.shop.product(chosen, part_turn.lang) if chosen else None
    shown_id = products.on_screen(part_turn)
    shown = await part_turn.services.shop.product(shown_id, part_turn.lang) if shown_id else None
    if shown is not None and part.words and _only_options_of(part.words, shown):
        return shown  # "中文平装来俩" under the book's card: its options, not another product titled 平装
    found = await browse.find_to_buy(part_turn)
    for words in _narrower_words(part.words) if found is None else []:
        found = await browse.find_to_buy(_words_turn(part_turn, words))
        if found is not None:
            break
    return found


def _only_options_of(words: str, product: ProductView) -> bool:
    """The words name options of the product and nothing else: each word left is part of one of its
    values ("中文平装": 中文 of 中文版, 平装), none a product's name ("三体平装": 三体)."""
    values = [value for named in product.options.values() for value in named]
    if not values or not products.options_named(words, product.options):
        return False
    rest = products.without_values(without_named_values(words, values), [])
    return all(any(word in value.lower() for value in values) for word in rest.lower().split())


# A count in a unit of its own ("19枝", "一束", "两沓"), or a unit left alone ("再来张 卡片"): no product.
_UNITS = "个件份台双瓶盒只支条套本包袋罐杯把张对副顶块听提卷片枚颗款根桶箱束枝朵沓打斤册部盏粒串捆盆株棵"
_ANY_COUNT = re.compile(
    rf"(?:\d{{1,3}}|[一二两三四五六七八九十俩仨半])\s*[{_UNITS}](?![的装套人月天年次])|(?:^|\s)[{_UNITS}](?=\s|$)"
)
MAX_DROPPED = 2  # leading words that may be chat before a product's name ("hey", "yo so")


def _narrower_words(words: str) -> list[str]:
    """Other ways to read a part's words that found nothing: without its counts, then without one or
    two leading words; each still naming a product."""
    tried: list[str] = []
    counted = " ".join(_ANY_COUNT.sub(" ", words).split())
    if counted != words:
        tried.append(counted)
    tokens = counted.split()
    for dropped in range(1, min(MAX_DROPPED, len(tokens) - 1) + 1):
        tried.append(" ".join(tokens[dropped:]))
    return [w for w in dict.fromkeys(tried) if _long_enough(w) and _names_a_product(w)]


def _long_enough(words: str) -> bool:
    """ "卡片" still names a product; the "Ho" of "Name: Lily Ho" would find anything."""
    return len(words) >= (2 if _HAN.search(words) else 3)


def _words_turn(turn: Turn, words: str) -> Turn:
    """The turn as if the customer had typed only these words (no entities: they were read elsewhere)."""
    message = turn.message.model_copy(update={"text": words})
    parse = replace(turn.parse, text=words, entities=[]) if turn.parse is not None else None
    return replace(turn, message=message, parse=parse, replies=[])


async def _on_screen(turn: Turn) -> ProductView | None:
    current = turn.state.context.get("product")
    return await turn.services.shop.product(str(current), turn.lang) if current else None


def _versions_named(text: str) -> bool:
    """Two or more segments naming option values ("black and white", "黑色M一副 白色L一副"): text only."""
    return sum(1 for a, b in _segments(text) if _option_like(text[a:b])) >= 2


async def _screen_versions_named(turn: Turn) -> bool:
    """Two or more segments naming different values of the product on screen ("豆沙色来两支 正红一支",
    "单袋来俩 4袋装一份" under its card): several versions of it, even in words no alias list knows."""
    product_id = products.on_screen(turn)
    product = await turn.services.shop.product(product_id, turn.lang) if product_id else None
    if product is None or not product.options:
        return False
    return names_versions_of(turn.text or "", product)


def names_versions_of(text: str, product: ProductView) -> bool:
    """Two or more segments of the text naming different values of one option of the product
    ("黑色42码来俩 白色44码一双"); "black, size L" names one version, its colour and its size."""
    values: dict[str, set[str]] = {}
    for a, b in _segments(text):
        for dim, value in products.options_named(text[a:b], product.options).items():
            values.setdefault(dim, set()).add(value)
    return any(len(named) > 1 for named in values.values())


@cache
def _option_aliases() -> tuple[str, ...]:
    return tuple(sorted({alias for group in word_groups() for alias in group}))


def _option_like(segment: str) -> bool:
    return bool(mentioned_values(segment, _option_aliases()) or re.search(r"\d", _ZH_COUNT.sub(" ", segment)))


async def _versions(
    turn: Turn, part_turn: Turn, product: ProductView | None, part: Part | None
) -> list[tuple[Turn, ProductView | None, Part | None]]:
    """One entry per version the part names ("black and white tumblers": the black one and the white
    one); the part itself when it names one version (or options of different kinds: "black, size 42")."""
    if product is None or part is None or not product.options:
        return [(part_turn, product, part)]
    text = turn.text
    pieces = [(a, b) for a, b in _segments(text) if part.start <= a and b <= part.end]
    full = await browse.full_product(turn, product)
    chosen = [products.selection_from_text(_part_turn(turn, Part(text[a:b], a, b, "")), full) for a, b in pieces]
    values: dict[str, set[str]] = {}
    for selection in chosen:
        for dim, value in selection.items():
            values.setdefault(dim, set()).add(value)
    differing = {dim for dim, named in values.items() if len(named) > 1}
    if not differing:
        return [(part_turn, full, part)]
    items: list[tuple[int, int]] = []
    common: list[str] = []
    for (a, b), selection in zip(pieces, chosen, strict=True):
        if differing & set(selection):
            items.append((a, b))
        elif items and not selection and quantity_in(text[a:b]) is not None and items[-1][1] <= a:
            items[-1] = (items[-1][0], b)  # "一副" after "白色L": its count
        else:
            common.append(text[a:b])  # "保温杯", "500ml": true of every version
    total = quantity_in(" ".join(common)) if len(items) >= 2 and not names_each(text) else None
    if total is not None and total == sum(quantity_in(text[a:b]) or 1 for a, b in items):
        # "2 pairs in black, one 39 and one 40", "两双黑色的 39一双40一双": the count of them all, not of each
        common = [without_quantity(words) for words in common]
    versions: list[tuple[Turn, ProductView | None, Part | None]] = []
    for a, b in items:
        version = Part(" ".join([text[a:b], *common]), a, b, part.words)
        versions.append((_part_turn(turn, version), full, version))
    return versions


def _part_turn(turn: Turn, part: Part) -> Turn:
    """The turn as if the customer had typed only this part (its own entities, no others)."""
    message = turn.message.model_copy(update={"text": part.text})
    return replace(turn, message=message, parse=_part_parse(turn.parse, part), replies=[])


def _part_parse(parse: ParseResult | None, part: Part) -> ParseResult | None:
    if parse is None:
        return None
    inside = [
        replace(e, start=e.start - part.start, end=e.end - part.start)
        for e in parse.entities
        if e.start >= part.start and e.end <= part.end
    ]
    return replace(parse, text=part.text, entities=inside)


async def _one_title_names_all(turn: Turn, parts: list[Part]) -> bool:
    """ "salt and pepper grinder": one product's title holds the words of every part."""
    words = " ".join(p.words for p in parts)
    found = await turn.services.shop.search(SearchQuery(text=words[:80]), turn.lang, 1, 1)
    if not found.items:
        return False
    title = found.items[0].title.lower()
    title_words = set(re.split(r"[^\w]+", title))
    tokens = products.without_values(words, []).split()
    return all(t in title if _HAN.search(t) else t in title_words or t.rstrip("s") in title_words for t in tokens)


async def _listed(turn: Turn) -> list[ProductView]:
    """The products shown last (a result list, a comparison), when there are few enough to mean all."""
    context = turn.state.context
    if context.get("list_kind", "results") != "results":
        return []
    listed = list(context.get("results") or [])
    if not 2 <= len(listed) <= MAX_SHOWN_EACH:
        return []
    found = [await turn.services.shop.product(str(pid), turn.lang) for pid in listed]
    return [p for p in found if p is not None]


async def _resolve(part_turn: Turn, product: ProductView | None, part: Part | None, shared: int | None) -> _Outcome:
    if product is None:
        words = part.words if part is not None else ""
        return _Outcome(None, note=part_turn.t("several.not_found", words=words))
    product = await browse.full_product(part_turn, product)
    quantity = (_own_quantity(part.text, product) if part is not None else None) or shared or 1
    quantity = (products.units_wanted(part.text, product, quantity) if part is not None else None) or quantity
    chosen = products.selection_from_text(part_turn, product) if part is not None else {}
    missing = products.unmatched_specs(part_turn, product) if part is not None and product.options else []
    if missing and not chosen:
        note = part_turn.t(
            "product.spec_unavailable",
            title=product.title,
            wanted=" ".join(missing),
            options=products.options_text(product),
        )
        return _Outcome(product, quantity=quantity, note=note)
    candidates = product.variants if len(product.variants) == 1 else products.matching_variants(product, chosen)
    if len(candidates) > 1:
        in_stock = [v for v in candidates if v.stock > 0]
        candidates = in_stock if len(in_stock) == 1 else candidates
    if not candidates:
        return _Outcome(product, quantity=quantity, note=part_turn.t("several.no_such_variant", title=product.title))
    if len(candidates) > 1:
        return _Outcome(product, quantity=quantity, chosen=chosen)
    return _Outcome(product, candidates[0], quantity, more=part is None or cart.says_more(part.text))


def _own_quantity(text: str, product: ProductView) -> int | None:
    """The count in a part, not a number of the name ("the three body trilogy" is one book, "two
    olive Two-Person Tents" two tents) nor an option value that looks like a count ("中烘10包的":
    the 10-bag pack, one of it)."""
    text = re.sub(r"^\s*[-*•·]+\s*", "", text)  # "- 2 baby wipes": a bullet of a pasted list
    return products.count_for(text, product, quantity_in(products.without_literal_values(text, product)))


async def _add_and_summarise(turn: Turn, outcomes: list[_Outcome]) -> None:
    shop = turn.services.shop
    notes: list[str] = []
    offers: list[Button] = []  # "Add 1" when fewer are left than asked for
    added: list[str] = []
    view = None
    in_cart: dict[str, int] | None = None
    context = turn.state.context
    recent = cart.recently_touched(turn)
    sold_out: list[_Outcome] = []
    for outcome in outcomes:
        product, variant = outcome.product, outcome.variant
        if product is None or variant is None:
            if outcome.note:
                notes.append(outcome.note)
            continue
        title = _title(product, variant)
        if variant.stock <= 0:
            notes.append(turn.t("cart.out_of_stock", title=title))
            sold_out.append(outcome)
            continue
        if in_cart is None:
            current = await shop.cart(turn.customer_id, turn.lang)
            in_cart = {line.sku: line.quantity for line in current.lines}
        if variant.sku in recent and not outcome.more and in_cart.get(variant.sku) == outcome.quantity:
            # "ok so 2 mats and a dumbbell" right after the 2 mats went in: those are the ones in the cart
            notes.append(turn.t("several.already_in_cart", title=title, qty=outcome.quantity))
            recent.discard(variant.sku)
            continue
        if outcome.quantity > cart.MAX_QTY or in_cart.get(variant.sku, 0) + outcome.quantity > variant.stock:
            left = max(0, variant.stock - in_cart.get(variant.sku, 0))
            notes.append(turn.t("several.only_left", title=title, count=left))
            if left:
                offers.append(turn.button("button.add_n", codes.ADD_QUANTITY, f"{variant.sku}*{left}", count=left))
            continue
        view = await shop.add_to_cart(turn.customer_id, variant.sku, outcome.quantity, turn.lang)
        in_cart[variant.sku] = in_cart.get(variant.sku, 0) + outcome.quantity
        added.append(turn.t("several.line", title=title, qty=outcome.quantity))
        context["last_sku"] = variant.sku
        cart.touch(turn, variant.sku)
        products.remember_product(turn, product)
    context.pop("added_at", None)  # "两件" next is not about one of several lines just added
    text_parts = []
    if view is not None:
        count = sum(line.quantity for line in view.lines)
        text_parts.append(turn.t("several.added", lines="\n".join(added), count=count, subtotal=view.subtotal.format()))
    text_parts.extend(notes)
    open_choices = [o for o in outcomes if o.product is not None and o.chosen is not None]
    if not open_choices and len(sold_out) == 1:
        text_parts.extend(_waits_for_another_value(turn, sold_out[0]))
    if not open_choices:
        buttons = (
            *offers[:2],
            *(
                (
                    turn.button("button.checkout", codes.CHECKOUT),
                    turn.button("menu.cart", codes.CART),
                    turn.button("button.continue", codes.INTENT, "search_product"),
                )
                if view is not None
                else ()
            ),
        )
        turn.reply(TextReply(text="\n".join(text_parts) or turn.t("several.nothing_added"), buttons=buttons))
        return
    for later in open_choices[1:]:
        if later.product is not None:
            text_parts.append(turn.t("several.choose_later", title=later.product.title))
    if text_parts:
        turn.reply(TextReply(text="\n".join(text_parts)))
    first = open_choices[0]
    assert first.product is not None
    assert first.chosen is not None
    _wait_in_turn(turn, open_choices[1:])
    products.remember_product(turn, first.product)
    chosen = products.set_selection(turn, first.product, first.chosen)
    await cart.choose_variant(turn, first.product, chosen, first.quantity)


def _wait_in_turn(turn: Turn, later: list[_Outcome]) -> None:
    """The parts still to choose after the one asked now wait their turn: each answer brings up the
    next question ("平装" for the book, then the shoes' size), so none is forgotten."""
    queued = [
        {"product": o.product.product_id, "qty": o.quantity, "chosen": dict(o.chosen or {})}
        for o in later
        if o.product is not None
    ]
    if not queued:
        return
    context = turn.state.context
    named = {entry["product"] for entry in queued}
    waiting = [w for w in context.get("waiting_choices") or [] if w.get("product") not in named]
    context["waiting_choices"] = [*queued, *waiting][:MAX_WAITING]


def _waits_for_another_value(turn: Turn, outcome: _Outcome) -> list[str]:
    """A part sold out in the version asked for waits for another one ("tomato is out? make it the
    spicy ones then, still 3" adds 3 spicy), with the versions still in stock named."""
    product, variant = outcome.product, outcome.variant
    if product is None or variant is None:
        return []
    others = [v for v in product.variants if v.stock > 0 and v.sku != variant.sku]
    if not others:
        return []
    turn.state.context["pending_add"] = {
        "product": product.product_id,
        "qty": outcome.quantity,
        "chosen": dict(variant.attributes),
        "sold_out": True,  # the version asked for: another value of it is the answer
    }
    values = " / ".join("/".join(v.attributes.values()) for v in others[:MAX_OTHERS_NAMED])
    return [turn.t("several.sold_out_other", values=values, qty=outcome.quantity)]


def _title(product: ProductView, variant: VariantView) -> str:
    spec = "/".join(variant.attributes.values())
    return f"{product.title}{f' ({spec})' if spec else ''}"
