"""What every flow shows and reads about one product: its card, its options, the variant chosen.

Browsing, the cart and option choice all use these helpers; they depend on nothing but the
turn, so the flows depend on this module instead of on each other.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from dialogs import buttons as codes
from dialogs.messages import Button, ProductCard, SpecChoice
from dialogs.name_numbers import number_pattern, without_name_numbers
from dialogs.ports import ProductView, VariantView
from dialogs.references import (
    MODIFIER_GROUPS,
    SIZE_GROUPS,
    ZH_NUMBERS,
    leading_number,
    mentioned_values,
    missing_amounts,
    price_extreme,
    quantity_in,
    same_value,
    scaled_amount,
    shade_words_in,
    spec_text,
    spellings,
    without_named_values,
    without_quoted,
    word_groups,
)
from dialogs.turn import Turn


def price_text(product: ProductView) -> str:
    if product.price_from == product.price_to:
        return product.price_from.format()
    return f"{product.price_from.format()} - {product.price_to.format()}"


def stock_text(turn: Turn, stock: int) -> str:
    if stock <= 0:
        return turn.t("product.out_of_stock")
    if stock <= 5:
        return turn.t("product.low_stock", count=stock)
    return turn.t("product.in_stock")


def selection(turn: Turn, product: ProductView) -> dict[str, str]:
    """The specs chosen so far for the product on screen ({"颜色": "黑色"} in the turn's language)."""
    if turn.state.context.get("product") != product.product_id:
        return {}
    # Stored as positions ({"0": 1} = second value of the first dimension) so a choice made in
    # one language survives the customer switching to the other.
    stored = turn.state.context.get("selection") or {}
    dims = list(product.options.items())
    chosen: dict[str, str] = {}
    for dim_index, value_index in stored.items():
        try:
            dim, values = dims[int(dim_index)]
            chosen[dim] = values[int(value_index)]
        except (ValueError, IndexError, TypeError):
            continue
    return chosen


def set_selection(turn: Turn, product: ProductView, chosen: dict[str, str]) -> dict[str, str]:
    """Remember `chosen` for the product on screen; returns it as stored (unknown values dropped)."""
    stored: dict[str, int] = {}
    for dim_index, (dim, values) in enumerate(product.options.items()):
        if chosen.get(dim) in values:
            stored[str(dim_index)] = values.index(chosen[dim])
    turn.state.context["selection"] = stored
    return selection(turn, product)


def matching_variants(product: ProductView, chosen: dict[str, str]) -> list[VariantView]:
    return [v for v in product.variants if all(v.attributes.get(k) == val for k, val in chosen.items())]


def selection_from_text(turn: Turn, product: ProductView) -> dict[str, str]:
    """Spec values the customer named: "黑色的", "in black, size L", "the warmer one", "便宜的那个",
    or NLU colour/size entities. The numbers of the product's own name are no values ("sunscreen
    spf50" names no 50ml)."""
    text = without_quoted(turn.text or "")  # "write "happy birthday my love" on it": words to write, no option
    chosen = options_named(without_name_numbers(text, product.all_names), product.options)
    words = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    for dim, values in product.options.items():
        if dim not in chosen:
            found = [v for v in values for w in words if same_value(w, v)]
            if found:
                chosen[dim] = found[0]
    if not chosen and turn.text:
        chosen = cheapest_or_priciest(turn.text, product)
    return chosen


def options_named(text: str, options: dict[str, list[str]]) -> dict[str, str]:
    """The option values a text names, by dimension: directly, by alias, or by comparison."""
    chosen: dict[str, str] = {}
    if not text:
        return chosen
    for dim, values in options.items():
        found = mentioned_values(text, values)
        relative = relative_size(text, values)
        if relative and (not found or (relative[0] not in found and not _amount_written(text, found))):
            # "the bigger almond tin" beside "500g 罐装" / "1.5kg 家庭罐装": "tin" is the product's
            # word, the size word decides; "the big one, 500g" keeps the amount written
            found = relative
        value = _most_specific(found, text) if found else None
        if value is not None:
            chosen[dim] = value
    return chosen


_VALUE_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")


def _amount_written(text: str, values: list[str]) -> bool:
    """Does the text write the number of one of these values ("500g", "the 500 one")?"""
    numbers = [m.group(1) for m in map(_VALUE_NUMBER.match, values) if m]
    return any(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", text) for n in numbers)


def _most_specific(found: list[str], text: str) -> str | None:
    """ "iphone 15 pro" names both "iPhone 15" and "iPhone 15 Pro": the value that holds the other;
    "6L×4袋" names "6L单袋" by its number only: the value written out in full. Two values named
    side by side ("21和23寸哪个合适", "S or M?") choose neither: the customer is still weighing them
    (several versions bought at once are read part by part, dialogs/flows/several.py)."""
    written = [value for value in found if value.lower() in spec_text(text)]
    found = written if len(written) == 1 else found
    lowered = [value.lower() for value in found]
    longer = [v for v, low in zip(found, lowered, strict=True) if any(low != o and o in low for o in lowered)]
    if longer:
        return max(longer, key=len)
    if len(found) == 1:
        return found[0]
    asked = [value for value in found if _asked_for(value, text)]
    # "那要30的 我本来就在29和30之间": the value asked for, not the ones weighed around it
    return asked[0] if len(asked) == 1 else None


# A value asked for right after a verb of choosing ("要30的", "换成23寸", "take the 41").
_ASKING = (
    r"(?:(?<!不)(?<!不想)要|来|买|拿|换成|改成|选|\b(?:take|get|want|choose|pick|go\s+with|make\s+it))"
    r"\s*(?:the\s+)?"
)


def _asked_for(value: str, text: str) -> bool:
    lowered = spec_text(text)
    number = leading_number(value)
    forms = [*spellings(value), f"{number:g}" if number is not None else ""]
    patterns = (_ASKING + re.escape(form.lower()) + r"(?![a-z0-9.])" for form in dict.fromkeys(forms) if form)
    return any(re.search(pattern, lowered) for pattern in patterns)


def cheapest_or_priciest(text: str, product: ProductView) -> dict[str, str]:
    """ "the cheaper one" / "便宜的那个" among a product's versions: the options of that version
    (the cheapest one in stock), when the versions' prices differ."""
    extreme = price_extreme(text)
    variants = [v for v in product.variants if v.stock > 0] or list(product.variants)
    if extreme is None or len({v.price.amount for v in variants}) < 2:
        return {}
    pick = min if extreme == "min" else max
    chosen = pick(variants, key=lambda v: v.price.amount)
    return {dim: chosen.attributes[dim] for dim in product.options if dim in chosen.attributes}


_BIGGER = re.compile(
    r"大(?:号|码|瓶|杯|的|款|份|容量|一点|点|些|一号)|更大|最大|\b(?:large|big|bigger|larger|largest|biggest)\b|"
    # more of what the numbers measure: length, thickness, weight, height, width
    r"(?:更|最)(?:长|厚|重|高|宽)|(?:长|厚|重|高|宽)(?:一点|点|些)|"
    r"\b(?:longer|longest|thicker|thickest|heavier|heaviest|taller|tallest|wider|widest)\b",
    re.I,
)
_SMALLER = re.compile(
    r"小(?:号|码|瓶|杯|的|款|份|容量|一点|点|些|一号)|更小|最小|\b(?:small|smaller|smallest|little|mini)\b|"
    r"(?:更|最)(?:短|薄|轻|矮|窄)|(?:短|薄|轻|矮|窄)(?:一点|点|些)|"
    r"\b(?:shorter|shortest|thinner|thinnest|lighter|lightest|narrower|narrowest)\b",
    re.I,
)
# A temperature rating (sleeping bags, jackets): the warmer one is rated for the lower temperature.
_WARMER = re.compile(r"更暖|最暖|暖和|保暖|暖一点|暖点|\bwarm(?:er|est)\b", re.I)
_TEMPERATURE = re.compile(r"°|℃|度|\bdeg", re.I)


_RELATIVE_WORDS = (
    "大号",
    "大码",
    "大瓶",
    "大杯",
    "大的",
    "大一点",
    "大点",
    "更大",
    "最大",
    "小号",
    "小码",
    "小瓶",
    "小杯",
    "小的",
    "小一点",
    "小点",
    "更小",
    "最小",
    "large",
    "big",
    "bigger",
    "biggest",
    "larger",
    "largest",
    "small",
    "smaller",
    "smallest",
    *("longer", "longest", "thicker", "thickest", "heavier", "heaviest", "taller", "tallest", "wider", "widest"),
    *("shorter", "shortest", "thinner", "thinnest", "lighter", "lightest", "narrower", "narrowest"),
    *(f"{more}{word}" for word in "长厚重高宽短薄轻矮窄" for more in ("更", "最")),
    *(f"{word}{bit}" for word in "长厚重高宽短薄轻矮窄" for bit in ("一点", "点", "些")),
)
# Keeping the other option as it was ("那红色的吧 一样大小", "red then, same size"): option talk
# about the product being chosen, naming no other product.
_SAME_OPTION = re.compile(
    r"(?:一样|同样|相同|同一)的?(?:大小|尺寸|尺码|码数|码|容量|规格|款式|型号|大的?)?|"
    r"(?:大小|尺寸|尺码|码数|容量|规格|款式|型号)(?:一样|相同|不变|照旧)|"
    r"\b(?:the\s+)?same(?:\s+(?:size|capacity|style|one|as\s+(?:before|that|the\s+other(?:\s+one)?)))?\b|"
    r"\bas\s+before\b",
    re.I,
)
_WARMER_WORDS = ("更暖和", "更暖", "最暖", "暖和", "保暖", "暖一点", "暖点", "warmer", "warmest", "warm")
_PRICE_WORDS = (
    "最便宜",
    "便宜点",
    "便宜",
    "最贵",
    "贵的",
    "cheapest",
    "cheaper",
    "cheap",
    "least expensive",
    "most expensive",
    "more expensive",
    "expensive",
    "pricier",
    "priciest",
)


def relative_size(text: str, values: list[str]) -> list[str]:
    """ "大瓶的" / "the big one" / "厚一点的" among sizes written as numbers (200ml / 400ml) or as
    sizes ("S 小号" / "L 大号"): the largest; "the warmer one" among temperature ratings (0°C /
    -10°C): the lowest."""
    ranks = value_ranks(values)
    if ranks is None:
        return []
    if any(leading_number(v) is None for v in values):
        text = _CONTAINER_SIZE.sub(" ", text)  # "大瓶的" is a bottle's size, never a clothing size
    ranked = sorted(zip(ranks, values, strict=True), key=lambda pair: pair[0])
    if all(_TEMPERATURE.search(v) for v in values):
        return [ranked[0][1]] if _WARMER.search(text) else []
    if _BIGGER.search(text):
        return [ranked[-1][1]]
    if _SMALLER.search(text):
        return [ranked[0][1]]
    return []


def value_ranks(values: list[str]) -> list[float] | None:
    """The order of a dimension's values from small to large: their numbers ("10kg" / "20kg"), or
    their clothing sizes however written ("S 小号" / "L 大号", "中号"); None when they have none."""
    if len(values) < 2:
        return None
    numbers = [scaled_amount(v) for v in values]
    if any(n is None for n in numbers):
        numbers = [leading_number(v) for v in values]  # no units to scale by: the numbers as written
    if all(n is not None for n in numbers):
        return [(n or 0.0) * _unit_scale(v) for n, v in zip(numbers, values, strict=True)]
    sizes = [_size_rank(v) for v in values]
    if any(rank is None for rank in sizes) or len(set(sizes)) < len(sizes):
        return None
    return [rank or 0.0 for rank in sizes]


# Units of one measure written larger or smaller ("750g" / "1.2kg", "500ml" / "1L"), to one base.
_UNIT_SCALES = {
    "kg": 1000.0, "千克": 1000.0, "公斤": 1000.0, "斤": 500.0, "g": 1.0, "克": 1.0,
    "l": 1000.0, "升": 1000.0, "ml": 1.0, "毫升": 1.0,
    "m": 1000.0, "米": 1000.0, "cm": 10.0, "厘米": 10.0, "mm": 1.0, "毫米": 1.0,
    "tb": 1000.0, "gb": 1.0,
}  # fmt: skip
_UNIT_AFTER_NUMBER = re.compile(
    r"^\s*-?\d+(?:\.\d+)?\s*(kg|千克|公斤|斤|g|克|ml|毫升|l|升|mm|毫米|cm|厘米|m|米|tb|gb)(?![a-z])", re.I
)


def _unit_scale(value: str) -> float:
    """What one unit of the value's number is worth in its measure's base unit ("1.2kg": 1000)."""
    match = _UNIT_AFTER_NUMBER.match(value)
    return _UNIT_SCALES.get(match.group(1).lower(), 1.0) if match else 1.0


# A container's size ("大瓶", "the bigger bottle"): says nothing about S/M/L.
_CONTAINER_SIZE = re.compile(
    r"[大小](?:瓶|杯|罐|桶|袋|盒|包|容量)|"
    r"\b(?:big|bigger|biggest|large|larger|largest|small|smaller|smallest)\s+(?:bottle|cup|can|jar|tub|bag|box|pack)s?\b",
    re.I,
)
_VALUE_WORDS = re.compile(r"[\s/()（）·,，-]+")


def _size_rank(value: str) -> float | None:
    """The place of a size value in the lexicon's size order: the whole value ("XL", "大号") or
    its first word that is a size ("S 小号")."""
    lowered = value.strip().lower()
    for word in (lowered, *_VALUE_WORDS.split(lowered)):
        for rank, group in enumerate(SIZE_GROUPS):
            if word and word in group and "one size" not in group:  # one size for all has no place
                return float(rank)
    return None


# What may surround spec values in a message that only picks specs ("要黑色的 42码", "size L please").
_SPEC_FILLER = re.compile(
    r"我要|要|选|就|换成|改成|来|的|吧|呢|啊|码|号|尺码|尺寸|颜色|款|版|"
    r"\b(?:i'?ll\s+take|i\s+want|i'?d\s+like|give\s+me|let'?s\s+do|size|colou?r|in|the|please|pls|one|a|an|and|with|"
    r"take|go\s+with|version|edition|ok|okay)\b|[\s,，.。!！/+&]+",
    re.I,
)


# Words of a message that only chooses ("那就小的吧", "ok the warmer one", "going with the grey
# one", "大瓶的那个"): pointers, classifiers and choosing verbs around the spec words.
_CHOICE_FILLER = re.compile(
    r"那个|那款|这个|这款|那种|这种|那|这|个|种|一点|点|度|瓶|支|罐|盒|^\s*(?:好的?|嗯+|行|可以|ok)(?=[\s,，]|$)|"
    r"\b(?:i'?ll|i|i'?m|go(?:ing)?|with|then|just|that|this|pick|choose|have|get|want|need|prefer|let'?s|"
    r"fine|sure|yes|yeah|ok|okay|degrees?|bottle|tube|jar|pack|size|option|version)\b|°c?|℃",
    re.I,
)


def _without(text: str, words: list[str]) -> str:
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        if word.isascii():
            text = re.sub(rf"(?<![a-z0-9]){re.escape(word.lower())}(?![a-z0-9])", " ", text)
        else:
            text = text.replace(word.lower(), " ")
    return text


def _spec_words(turn: Turn, options: dict[str, list[str]]) -> list[str]:
    """Every spelling of the product's option values and dimensions, plus NLU colour/size words
    and the lexicon's shades ("coral please": a colour asked for, offered or not)."""
    words = [*(str(v) for v in (*turn.entities("color"), *turn.entities("size"))), *shade_words_in(turn.text)]
    for dim, values in options.items():
        words.append(dim)
        for value in values:
            words.extend(spellings(value))
            number = leading_number(value)
            if number is not None:  # "the 256 one", "500的"
                words.append(f"{number:g}")
        if relative_size("大 large", values):  # sizes written as numbers: "大瓶的", "the big one"
            words.extend(_RELATIVE_WORDS)
        if relative_size("warmer", values):  # temperature ratings: "the warmer one"
            words.extend(_WARMER_WORDS)
    words.extend(_PRICE_WORDS)  # "the cheaper one": a version, when their prices differ
    return words


def unmatched_specs(turn: Turn, product: ProductView) -> list[str]:
    """Colours/sizes the customer asked for that this product does not come in ("黑色" for a green-only item)."""
    offered = [v for values in product.options.values() for v in values]
    title = product.title.lower()
    wanted = [*(str(v) for v in (*turn.entities("color"), *turn.entities("size"))), *shade_words_in(turn.text)]
    unmatched = [
        w
        for w in dict.fromkeys(wanted)
        if w.lower() not in title and not any(same_value(w, v) for v in offered) and not mentioned_values(w, offered)
    ]
    return unmatched + missing_amounts_in(turn.text or "", product)


def missing_amounts_in(text: str, product: ProductView) -> list[str]:
    """ "五阶的有吗", "do you have it in 44": amounts in the unit of an option that no value has (the
    numbers of the product's own name left out)."""
    plain = without_name_numbers(text, product.all_names)
    found = [amount for values in product.options.values() for amount in missing_amounts(plain, list(values))]
    return list(dict.fromkeys(found))


def nothing_but_specs(text: str, options: dict[str, list[str]]) -> bool:
    """The text holds nothing but option words and filler (what is left of a question about a version)."""
    words = [word for dim, values in options.items() for word in (dim, *(w for v in values for w in spellings(v)))]
    rest = _without(_without_values_named(text, options), words)
    return not _SPEC_FILLER.sub("", _CHOICE_FILLER.sub(" ", rest))


def say_unavailable(turn: Turn, product: ProductView) -> bool:
    """Say so when the message asks for a version `product` does not come in, with the real ones."""
    missing = unmatched_specs(turn, product) if product.options else []
    if missing:
        turn.say(
            "product.spec_unavailable", title=product.title, wanted=" ".join(missing), options=options_text(product)
        )
    return bool(missing)


def spec_only(turn: Turn, product: ProductView) -> bool:
    """The message does nothing but name specs of `product` ("白色 M码", "500g please", "精装")."""
    return names_only_specs(turn, product.options)


def names_only_specs(turn: Turn, options: dict[str, list[str]]) -> bool:
    if not turn.text or len(turn.text) > 40:
        return False
    rest = _without(_without_values_named(turn.text, options), _spec_words(turn, options))
    return not _SPEC_FILLER.sub("", _CHOICE_FILLER.sub(" ", rest))


def _without_values_named(text: str, options: dict[str, list[str]]) -> str:
    """The text without the words naming the options' values, however written ("iphone15", "15pro",
    "the 10 pack")."""
    for values in options.values():
        text = without_named_values(text, values)
    return text


def remembered_options(context: dict[str, Any], product_id: str) -> dict[str, list[str]] | None:
    """The options of the product on screen as they were when it was shown (None: not known)."""
    remembered = context.get("product_options")
    if not isinstance(remembered, dict) or remembered.get("id") != product_id:
        return None
    options = remembered.get("options")
    return options if isinstance(options, dict) else None


def options_text(product: ProductView) -> str:
    return "; ".join(f"{dim}: {' / '.join(values)}" for dim, values in product.options.items()) or "-"


def product_card(turn: Turn, product: ProductView, *, detail: bool = False) -> ProductCard:
    chosen = selection(turn, product)
    if product.is_summary:
        availability = turn.t("product.in_stock") if product.in_stock else turn.t("product.out_of_stock")
    else:
        stock = sum(v.stock for v in (matching_variants(product, chosen) if chosen else product.variants))
        availability = stock_text(turn, stock)
    text_parts = [part for part in (shown_brand(product, turn.lang), availability) if part]
    if detail and product.description:
        text_parts.append(product.description[:200])
    buttons: list[Button] = []
    if detail:
        buttons.extend(option_buttons(turn, product, chosen))
        buttons.append(turn.button("button.add_to_cart", codes.ADD_PRODUCT, product.product_id))
        shown = matching_variants(product, chosen) if chosen else product.variants
        if shown and not any(v.stock > 0 for v in shown):  # what is on screen is sold out: 到货提醒
            value = f"s:{shown[0].sku}" if len(shown) == 1 else f"p:{product.product_id}"
            buttons.append(turn.button("button.restock_notice", codes.RESTOCK_NOTICE, value))
        buttons.append(turn.button("button.similar", codes.SIMILAR, product.product_id))
    else:
        buttons.append(Button(label=product.title[:64], payload=turn.payload(codes.PRODUCT, product.product_id)))
        if len(product.variants) == 1 and product.variants[0].stock > 0:
            buttons.append(
                turn.button("button.add_item", codes.ADD_SKU, product.variants[0].sku, title=product.title[:40])
            )
    specs = (
        tuple(
            SpecChoice(name=dim, values=tuple(values), selected=chosen.get(dim))
            for dim, values in product.options.items()
        )
        if detail
        else ()
    )
    variant_price = matching_variants(product, chosen)
    price = variant_price[0].price.format() if chosen and len(variant_price) == 1 else price_text(product)
    return ProductCard(
        product_id=product.product_id,
        title=product.title,
        text=" · ".join(text_parts),
        price=price,
        image_url=product.image_url,
        specs=specs,
        buttons=tuple(buttons),
    )


def option_buttons(turn: Turn, product: ProductView, chosen: dict[str, str]) -> list[Button]:
    """Buttons for the first spec dimension not chosen yet (a chat shows one question at a time)."""
    for dim_index, (dim, values) in enumerate(product.options.items()):
        if dim in chosen or len(values) <= 1:
            continue
        buttons = []
        for value_index, value in enumerate(values[:10]):
            in_stock = any(v.stock > 0 for v in matching_variants(product, {**chosen, dim: value}))
            label = value if in_stock else turn.t("product.value_sold_out", value=value)
            buttons.append(Button(label=label[:64], payload=turn.payload(codes.OPTION, f"{dim_index}.{value_index}")))
        return buttons
    return []


def remember_product(turn: Turn, product: ProductView) -> None:
    context = turn.state.context
    if context.get("product") != product.product_id:
        context["selection"] = {}
    context["product"] = product.product_id
    if product.is_summary:  # a list entry carries no options: whatever was remembered is not this one's
        context.pop("product_options", None)
    else:
        context["product_options"] = {
            "id": product.product_id,
            "options": {dim: list(values) for dim, values in product.options.items()},
        }


def show(turn: Turn, product: ProductView) -> None:
    """The product's detail card, with the options chosen so far."""
    turn.state.context["shown_at"] = turn.state.version  # "要这个" soon after means this product
    turn.reply(product_card(turn, product, detail=True))


def on_screen(turn: Turn) -> str | None:
    """The product whose card was shown in this or one of the last two turns."""
    context = turn.state.context
    shown_at = context.get("shown_at")
    product_id = context.get("product")
    if not product_id or not isinstance(shown_at, int) or turn.state.version - shown_at > 2:
        return None
    return str(product_id)


_SPEC_NUMBER = re.compile(
    r"(?<![a-z0-9.])-?\d+(?:\.\d+)?\s*(?:ml|l|cm|mm|m|g|kg|gb|tb|inch|寸|码|号|升|毫升|度|°c|℃)(?![a-z0-9.])|"
    r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])",
    re.I,
)


def without_option_words(text: str, product: ProductView) -> str:
    """The text without the product's option values, colour and size words, and spec numbers."""
    return without_values(text, [v for values in product.options.values() for v in values])


def without_literal_values(text: str, product: ProductView) -> str:
    """The text without the option values written as the catalog writes them ("10包", "6L单袋"),
    so a count read from it is not a pack size."""
    for value in sorted((v for values in product.options.values() for v in values), key=len, reverse=True):
        if re.search(r"\d", value):
            text = re.sub(re.escape(value), " ", text, flags=re.I)
    return text


# "一对" / "a pair of": counted in pairs. Two of a thing sold singly ("家里俩狗子 狗碗要一对"), one
# of a thing sold as a pair (shoes, earrings, gloves; a title or option that says 对/双/副/pair).
_PAIRS = re.compile(r"(\d{1,2}|[一二两三四五六七八九十]|\ba|\bone|\btwo|\bthree|\bfour|\bfive)\s*(?:对|pairs?\b)", re.I)
_PAIR_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# Goods sold as pairs, or called "a pair of" in one piece (glasses, goggles, trousers, scissors):
# "2 pairs" of them is two.
_SOLD_IN_PAIRS = re.compile(
    r"对|双|副|鞋|袜|手套|耳环|耳钉|耳坠|筷|袖套|冰袖|护膝|护腕|靴|眼镜|墨镜|泳镜|护目镜|望远镜|耳机|裤|剪刀|钳|"
    r"\b(?:pairs?|shoes?|sneakers?|trainers?|socks?|gloves?|mittens?|earrings?|studs?|chopsticks?|sleeves?|"
    r"boots?|slippers?|sandals?|poles?|earbuds?|\w*glasses|goggles|spectacles|binoculars|headphones|earphones|"
    r"trousers|pants|jeans|shorts|leggings|tights|scissors|pliers|tongs)\b",
    re.I,
)


def units_wanted(text: str, product: ProductView, quantity: int | None) -> int | None:
    """The number of units to add when the customer counts in pairs; `quantity` otherwise (the
    "5 pairs" of "Cotton Socks (5 pairs)" is its name, not a count)."""
    match = _PAIRS.search(without_name_numbers(text or "", product.all_names))
    if match is None:
        return quantity
    word = match.group(1).lower()
    pairs = int(word) if word.isdigit() else _PAIR_COUNTS.get(word) or ZH_NUMBERS.get(word, 1)
    described = " ".join([product.title, *(v for values in product.options.values() for v in values)])
    return pairs if _SOLD_IN_PAIRS.search(described) else pairs * 2


def count_outside_values(text: str, product: ProductView, quantity: int | None) -> int | None:
    """`quantity` unless its number only stands inside an option value the text names ("2 clear
    iphone 15 cases" is 2, not 15; "中烘10包的" and "dark roast, the 10 pack" are one pack; "66
    please, he is 3 weeks" is one in size 66): then the count read from the rest of the text."""
    if quantity is None or not text:
        return quantity
    number = re.compile(rf"(?<![\d.]){quantity}(?![\d.])")
    # a dimension whose value is written out ("2m") is read: its number elsewhere ("2 black") is a count
    written = spec_text(text)
    unread = {
        dim: values
        for dim, values in product.options.items()
        if not any(re.search(r"\d", v) and v.lower() in written for v in values)
    }
    rest = _without_values_named(without_literal_values(text, product), unread)
    if not number.search(spec_text(text)) or number.search(rest):
        return quantity
    return quantity_in(rest)


def count_for(text: str, product: ProductView, quantity: int | None) -> int | None:
    """How many of `product` a message asks for, given the count read before the product was
    known: not a number of its name, not a number of an option value, else a number left beside
    the options ("mint green plz 2", "30 please 2": the 30ml, two of them)."""
    if not text:
        return quantity
    quantity = count_outside_name(text, product, quantity)
    plain = without_name_numbers(text, product.all_names)
    quantity = count_outside_values(plain, product, quantity)
    return quantity if quantity is not None else count_beside_options(plain, product)


# A number left once option values and the name are read, standing as a count: not "size 42",
# "no. 2", "第2", nor an amount with its unit ("42码", "3 weeks", "10%").
_LONE_COUNT = re.compile(
    r"(?<![\w.\-#])(?<!第)(?<!size )(?<!number )(?<!no )(?<!no\. )(?<!item )(?<!option )(\d{1,2})"
    r"(?![\w.%°])(?!\s*(?:码|号|度|岁|月|周|天|年|cm|mm|ml|kg|g\b|l\b|m\b|w\b|inch|weeks?|months?|years?|days?|yrs?|"
    # "the 3 piece tool set", "the 40 colour markers": what the product is made of, no count
    r"(?:-\s*)?(?:piece|pc|ply|tier|seater|colou?rs?)\b))",
    re.I,
)


def count_beside_options(text: str, product: ProductView) -> int | None:
    """The one number standing alone beside the product's option words ("white 500 3 please":
    the 500ml, three of it); None when the options take every number or more than one is left."""
    rest = _without_values_named(without_literal_values(text, product), product.options)
    numbers = [int(m.group(1)) for m in _LONE_COUNT.finditer(rest)]
    return numbers[0] if len(numbers) == 1 and numbers[0] > 0 else None


def count_outside_name(text: str, product: ProductView, quantity: int | None) -> int | None:
    """`quantity` unless its number only stands inside the product's name ("1 nine-shade palette"
    is one, "Two-Person Tent pls" one tent, "四件套来两套" two sets): then the count read from the
    rest of the text (none: the caller's default)."""
    if not text:
        return quantity
    rest = without_name_numbers(text, product.all_names)
    if rest == text:
        return quantity
    if quantity is not None and re.search(number_pattern(quantity), rest.lower()):
        return quantity
    return quantity_in(rest)


def without_values(text: str, values: list[str]) -> str:
    """The text without these option values (in any spelling), colour and size words, spec numbers."""
    words = [spelling for value in values for spelling in spellings(value)]
    words.extend(_vocabulary_words())
    words.extend((*_RELATIVE_WORDS, *_WARMER_WORDS, *_PRICE_WORDS))  # "大瓶的", "the warmer one": no product
    rest = _SAME_OPTION.sub(" ", _without(spec_text(text), words))
    rest = _SPEC_FILLER.sub(" ", _SPEC_NUMBER.sub(" ", rest))
    return " ".join(rest.split())


def may_name_options(text: str) -> bool:
    """Does the text carry option words at all (a colour, a size, a spec number, "the bigger one",
    "暖色")? Cheap: decides whether search hits are worth reading in full to match them."""
    if not text:
        return False
    plain = " ".join(_SPEC_FILLER.sub(" ", text.lower()).split())
    if without_values(text, []) != plain:
        return True
    lowered = spec_text(text)
    return any(_alias_in_text(alias, lowered) for group in MODIFIER_GROUPS for alias in group)


def _alias_in_text(alias: str, lowered: str) -> bool:
    if alias.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", lowered) is not None
    return alias in lowered


@cache
def _vocabulary_words() -> tuple[str, ...]:
    return tuple(sorted({alias for group in word_groups() for alias in group}, key=len, reverse=True))


def title_mentions(title: str, words: str, *, whole: bool = False) -> bool:
    """Do the customer's words name this title? ("mugs" ~ "Ceramic Mug", "保温杯" ~ "真空保温杯").

    `whole`: every word must (a search for "water bottle" is not the "Water Filter").
    """
    lowered = title.lower()
    tokens = [w for w in re.split(r"[\s,，/]+", words.lower()) if w]
    hits = [_token_in_title(token, lowered) for token in tokens]
    if not hits:
        return False
    return all(hits) if whole else any(hits)


def title_holds(title: str, words: str) -> bool:
    """Does the title hold all of the customer's words, a Chinese one whole ("粉郁金香" in
    "粉郁金香混搭花束", not in "白色郁金香花束")? Stricter than `title_mentions(whole=True)`."""
    lowered = title.lower()
    tokens = [w for w in re.split(r"[\s,，/]+", words.lower()) if w]
    return bool(tokens) and all(
        _token_in_title(token, lowered) if token.isascii() else token in lowered for token in tokens
    )


def _token_in_title(token: str, title: str) -> bool:
    if token.isascii():
        # a four-letter title word beginning a short token ("tofu" of "tofus"); "dripper" is no "drip"
        stem = token[:4] in title.split() and len(token) <= 6
        plural = any(form in title.split() for form in _singulars(token))
        return len(token) >= 3 and (token in title or token.rstrip("s") in title or stem or plural)
    # A pair with a digit in it names no title: the "0粒" of "鱼油180粒" is in "维生素D3 120粒" too.
    pairs = [token[i : i + 2] for i in range(max(1, len(token) - 1))]
    return any(pair in title for pair in pairs if len(pair) == 2 and not any(c.isdigit() for c in pair))


def title_coverage(title: str, words: str) -> float:
    """How much of the customer's words the title holds: the share of their Chinese characters and
    Latin words found in it ("收纳凳" is all in "折叠收纳凳", two thirds in "旅行收纳袋"), so the
    product named by the most specific words wins when a looser reading finds several."""
    lowered = title.lower()
    pieces = [*_HAN.findall(words), *(w for w in re.findall(r"[a-z]{2,}", words.lower()))]
    if not pieces:
        return 0.0
    return sum(1 for piece in pieces if piece in lowered) / len(pieces)


def _singulars(token: str) -> list[str]:
    """ "plushies" -> plush; "boxes" -> box; "puppies" -> puppy: a plural as a title writes it in the
    singular, a whole title word (forms of three letters or more)."""
    forms = []
    if token.endswith("es"):
        forms.append(token[:-2])
    if token.endswith("ies"):
        forms.extend((token[:-3] + "y", token[:-3]))
    return [form for form in forms if len(form) >= 3]


_HAN = re.compile(r"[\u4e00-\u9fff]")


def shown_brand(product: ProductView, lang: str) -> str:
    """The brand for a card. Catalog brands have one spelling; a Chinese-only one ("森木") in an
    English reply is an untranslated word, and the English title already names the brand
    ("Mori Cotton T-Shirt"), so English cards leave it out."""
    if lang == "en" and _HAN.search(product.brand):
        return ""
    return product.brand
