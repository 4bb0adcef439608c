"""Comparing products or versions: "compare the first two", "这两个有什么区别", "24和28的有啥区别",
"what's the difference between the cleanser and the micellar water".

Side by side: price, options, stock and the key specs of the description. A comparison of
two versions of one product ("the 0 and -10 sleeping bags") compares its variants.
"""

from __future__ import annotations

import re

from dialogs import buttons as codes
from dialogs.flows import browse, cart, products, specs
from dialogs.flows.base import menu_buttons
from dialogs.messages import Button, TextReply
from dialogs.ports import ProductView, SearchQuery, VariantView
from dialogs.references import (
    asks_to_buy,
    mentioned_values,
    ordinal,
    pick,
    product_words,
    quantity_in,
    without_ordinal,
)
from dialogs.turn import Turn

MAX_COMPARED = 3
_COMPARE = re.compile(
    r"区别|差别|不同|不一样|对比|比较|比一下|哪个好|哪个更|哪款好|\bcompare\b|\bcomparison\b|\bdifference\b|\bdiffer\b|"
    r"\bvs\.?\b|\bversus\b|\bwhich\s+(?:one\s+)?is\s+better\b|"
    # how far apart their prices are: "价格差多少", "贵多少", "price diff?"
    r"差价|价格差|价差|差多少钱|贵多少|便宜多少|\bdiff\b|\bprice\s+gap\b",
    re.I,
)
_BOTH = re.compile(r"这两|那两|两个|两款|前两|\bthe\s+(?:first\s+)?two\b|\bboth\b|\bthese\b|\bthose\b", re.I)
_SPLIT = re.compile(r"和|与|跟|还是|\band\b|\bvs\.?\b|\bversus\b|\bor\b|[,，、/]", re.I)
_ASKING = re.compile(r"有什么|有啥|什么|哪个|\bwhat'?s?\b|\bbetween\b|\bthe\b|\bcompare\b", re.I)


def asks_to_compare(text: str) -> bool:
    return bool(_COMPARE.search(text))


async def compare(turn: Turn) -> None:
    product = await _one_product_with_versions(turn)
    if product is not None:
        _compare_versions(turn, product)
        return
    items = await _products_meant(turn)
    if len(items) < 2:
        turn.say("compare.which", *menu_buttons(turn))
        return
    lines = [_product_line(turn, p) for p in items]
    buttons = [Button(label=p.title[:64], payload=turn.payload(codes.PRODUCT, p.product_id)) for p in items]
    context = turn.state.context
    context["results"] = [p.product_id for p in items]
    context["list_kind"] = "results"
    context.pop("product", None)
    turn.reply(TextReply(text=turn.t("compare.products", lines="\n\n".join(lines)), buttons=tuple(buttons)))


async def _one_product_with_versions(turn: Turn) -> ProductView | None:
    """The product whose versions are compared: two of its option values are named ("24和28")."""
    context = turn.state.context
    candidates: list[ProductView] = []
    current = context.get("product")
    if current:
        found = await turn.services.shop.product(str(current), turn.lang)
        if found is not None:
            candidates.append(found)
    words = products.without_values(product_words(turn.text), [])
    if not candidates and words:
        candidates = await _searched(turn, words)
    versioned: list[ProductView] = []
    for product in candidates:
        values = [v for vals in product.options.values() for v in vals]
        if await _asks_about_versions_on_screen(turn, product):
            return product
        if len(mentioned_values(turn.text, values)) >= 2:
            versioned.append(product)
    if versioned:
        return max(versioned, key=lambda p: _title_words_named(p.title, words))  # stable: first on ties
    first = candidates[0] if candidates else None
    if first is not None and len(first.variants) >= 2 and _BOTH.search(turn.text) and not _list_of_two(turn):
        return first
    return None


async def _searched(turn: Turn, words: str) -> list[ProductView]:
    """The products the words may name. The values named ("standard and deluxe") may rank a
    product that has them above the one the other words name ("settlers board game"): the
    words without a hit's values are searched too."""
    found: list[ProductView] = []
    queries = [words]
    while queries and len(found) < MAX_COMPARED * 2:
        query = queries.pop(0)
        result = await turn.services.shop.search(SearchQuery(text=query[:80]), turn.lang, 1, MAX_COMPARED)
        for item in result.items:
            if all(p.product_id != item.product_id for p in found):
                product = await browse.full_product(turn, item)
                found.append(product)
                rest = products.without_values(words, [v for vals in product.options.values() for v in vals])
                if rest.split() and rest != words and rest not in queries:
                    queries.append(rest)
    return found


def _title_words_named(title: str, words: str) -> int:
    """How many of the customer's words the title holds ("settlers board game": three of
    "Settlers Strategy Board Game", one of "Werewolf Party Game")."""
    return sum(products.title_mentions(title, word) for word in words.split())


async def _asks_about_versions_on_screen(turn: Turn, product: ProductView) -> bool:
    """ "price diff?", "哪个更耐用" right after this product's versions were compared: the same
    versions again, unless the message names another product."""
    compared = turn.state.context.get("compared_versions")
    return (
        isinstance(compared, dict)
        and compared.get("product") == product.product_id
        and products.on_screen(turn) == product.product_id
        and len(product.variants) >= 2
        and not await specs.names_other_product(turn, product)
    )


def _list_of_two(turn: Turn) -> bool:
    context = turn.state.context
    return context.get("list_kind", "results") == "results" and len(context.get("results") or []) >= 2


async def _products_meant(turn: Turn) -> list[ProductView]:
    shop = turn.services.shop
    context = turn.state.context
    named: list[ProductView] = []
    for part in _SPLIT.split(_COMPARE.sub(" ", turn.text)):
        words = products.without_values(product_words(_ASKING.sub(" ", part)), [])
        if len(words) < 2:
            continue
        result = await shop.search(SearchQuery(text=words[:80]), turn.lang, 1, 1)
        if result.items and all(p.product_id != result.items[0].product_id for p in named):
            named.append(await browse.full_product(turn, result.items[0]))
    if len(named) >= 2:
        return named[:MAX_COMPARED]
    listed = list(context.get("results") or []) if context.get("list_kind", "results") == "results" else []
    if len(listed) >= 2:
        found = [await shop.product(pid, turn.lang) for pid in listed[:2]]
        return [p for p in found if p is not None]
    return named


def _product_line(turn: Turn, product: ProductView) -> str:
    options = "; ".join(f"{dim}: {' / '.join(values)}" for dim, values in product.options.items())
    stock = sum(v.stock for v in product.variants) if product.variants else None
    return turn.t(
        "compare.product_line",
        title=product.title,
        price=products.price_text(product),
        options=options or "-",
        stock=products.stock_text(turn, stock) if stock is not None else turn.t("product.in_stock"),
        specs=(product.description or "-")[:120],
    )


def _compare_versions(turn: Turn, product: ProductView) -> None:
    values = [v for vals in product.options.values() for v in vals]
    named = mentioned_values(turn.text, values)
    variants = [v for v in product.variants if not named or any(val in v.attributes.values() for val in named)]
    lines = [_variant_line(turn, v) for v in variants[:6]]
    products.remember_product(turn, product)
    # The versions compared are what "the bigger one" / "要20的" / "deluxe then" / "第二个" choose
    # among next.
    context = turn.state.context
    context["shown_at"] = turn.state.version
    context["compared_versions"] = {"product": product.product_id, "skus": [v.sku for v in variants[:6]]}
    turn.reply(
        TextReply(
            text=turn.t(
                "compare.versions", title=product.title, lines="\n".join(lines), specs=product.description[:120]
            ),
            buttons=tuple(products.option_buttons(turn, product, {})),
        )
    )


def _variant_line(turn: Turn, variant: VariantView) -> str:
    return turn.t(
        "compare.version_line",
        spec="/".join(variant.attributes.values()) or "-",
        price=variant.price.format(),
        stock=products.stock_text(turn, variant.stock),
    )


async def picks_compared_version(turn: Turn) -> bool:
    """ "第二个吧 买一个", "the first one": a version out of the comparison of one product's versions
    just shown, chosen (and added when the message buys)."""
    context = turn.state.context
    compared = context.get("compared_versions")
    product_id = products.on_screen(turn)
    if not isinstance(compared, dict) or not product_id or compared.get("product") != product_id:
        return False
    sku = pick(list(compared.get("skus") or []), ordinal(turn.text or ""))
    product = await turn.services.shop.product(product_id, turn.lang) if sku else None
    variant = product.variant(sku) if product is not None and sku else None
    if product is None or variant is None:
        return False
    chosen = {dim: variant.attributes[dim] for dim in product.options if dim in variant.attributes}
    current = products.set_selection(turn, product, chosen)
    rest = without_ordinal(turn.text or "")
    pending = context.get("pending_add")
    if asks_to_buy(rest) or (pending and pending.get("product") == product_id):
        turn.intent = "add_to_cart"
        await cart.choose_variant(turn, product, current, quantity_in(rest) or 1)
        return True
    turn.intent = "select_spec"
    products.show(turn, product)
    return True
