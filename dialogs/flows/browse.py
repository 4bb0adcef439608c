"""Browsing: search with filters, result pages, product detail with spec choice, recommendations."""

from __future__ import annotations

import re
from typing import Any

from dialogs.flows.base import menu_buttons
from dialogs.messages import Button, Carousel, ProductCard, SpecChoice
from dialogs.ports import ProductView, SearchQuery, VariantView
from dialogs.references import (
    asks_for_similar,
    mentioned_values,
    ordinal,
    page_request,
    pick,
    price_extreme,
    refers_to_current,
    same_value,
    spellings,
    strip_filler,
)
from dialogs.turn import Turn

MAX_FALLBACK_QUERY = 30


# --- helpers --------------------------------------------------------------------------------


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
    """Spec values the customer named: "黑色的", "in black, size L", or NLU colour/size entities."""
    chosen: dict[str, str] = {}
    words = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    for dim, values in product.options.items():
        found = mentioned_values(turn.text, values) if turn.text else []
        if not found:
            found = [v for v in values for w in words if same_value(w, v)]
        if len(found) >= 1:
            chosen[dim] = found[0]
    return chosen


# What may surround spec values in a message that only picks specs ("要黑色的 42码", "size L please").
_SPEC_FILLER = re.compile(
    r"我要|要|选|就|换成|改成|来|的|吧|呢|啊|码|号|尺码|尺寸|颜色|款|版|"
    r"\b(?:i'?ll\s+take|i\s+want|i'?d\s+like|give\s+me|let'?s\s+do|size|colou?r|in|the|please|pls|one|a|an|and|with|"
    r"take|go\s+with|version|edition|ok|okay)\b|[\s,，.。!！/+&]+",
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
    """Every spelling of the product's option values and dimensions, plus NLU colour/size words."""
    words = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    for dim, values in options.items():
        words.append(dim)
        for value in values:
            words.extend(spellings(value))
    return words


def unmatched_specs(turn: Turn, product: ProductView) -> list[str]:
    """Colours/sizes the customer asked for that this product does not come in ("黑色" for a green-only item)."""
    offered = [v for values in product.options.values() for v in values]
    title = product.title.lower()
    wanted = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    return [
        w
        for w in dict.fromkeys(wanted)
        if w.lower() not in title and not any(same_value(w, v) for v in offered) and not mentioned_values(w, offered)
    ]


def spec_only(turn: Turn, product: ProductView) -> bool:
    """The message does nothing but name specs of `product` ("白色 M码", "500g please", "精装")."""
    return _names_only_specs(turn, product.options)


def _names_only_specs(turn: Turn, options: dict[str, list[str]]) -> bool:
    if not turn.text or len(turn.text) > 40:
        return False
    rest = _without(turn.text.lower(), _spec_words(turn, options))
    return not _SPEC_FILLER.sub("", rest)


def _remembered_options(context: dict[str, Any], product_id: str) -> dict[str, list[str]] | None:
    """The options of the product on screen as they were when it was shown (None: not known)."""
    remembered = context.get("product_options")
    if not isinstance(remembered, dict) or remembered.get("id") != product_id:
        return None
    options = remembered.get("options")
    return options if isinstance(options, dict) else None


async def spec_follow_up(turn: Turn) -> bool:
    """Specs typed for the product on screen: select them (and finish a pending "add to cart")."""
    from dialogs.flows import cart

    context = turn.state.context
    product_id = context.get("product")
    if not product_id or not turn.text:
        return False
    # Most messages about the product on screen are not specs ("how long is the warranty?"):
    # its options as shown tell that without reading it again.
    remembered = _remembered_options(context, str(product_id))
    if remembered is not None and not _names_only_specs(turn, remembered):
        return False
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None or not spec_only(turn, product):
        return False
    chosen = selection_from_text(turn, product)
    missing = unmatched_specs(turn, product)
    if missing and not chosen:
        turn.intent = "select_spec"
        turn.say(
            "product.spec_unavailable", title=product.title, wanted=" ".join(missing), options=options_text(product)
        )
        turn.reply(_card(turn, product, detail=True))
        return True
    if not chosen:
        return False
    turn.intent = "select_spec"
    current = set_selection(turn, product, {**selection(turn, product), **chosen})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return True
    await _show(turn, product)
    return True


def options_text(product: ProductView) -> str:
    return "; ".join(f"{dim}: {' / '.join(values)}" for dim, values in product.options.items()) or "-"


def _card(turn: Turn, product: ProductView, *, detail: bool = False) -> ProductCard:
    chosen = selection(turn, product)
    if product.is_summary:
        availability = turn.t("product.in_stock") if product.in_stock else turn.t("product.out_of_stock")
    else:
        stock = sum(v.stock for v in (matching_variants(product, chosen) if chosen else product.variants))
        availability = stock_text(turn, stock)
    text_parts = [part for part in (product.brand, availability) if part]
    if detail and product.description:
        text_parts.append(product.description[:200])
    buttons: list[Button] = []
    if detail:
        buttons.extend(_option_buttons(turn, product, chosen))
        buttons.append(turn.button("button.add_to_cart", "addp", product.product_id))
        buttons.append(turn.button("button.similar", "sim", product.product_id))
    else:
        buttons.append(Button(label=product.title[:64], payload=turn.payload("p", product.product_id)))
        if len(product.variants) == 1 and product.variants[0].stock > 0:
            buttons.append(turn.button("button.add_item", "add", product.variants[0].sku, title=product.title[:40]))
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


def _option_buttons(turn: Turn, product: ProductView, chosen: dict[str, str]) -> list[Button]:
    """Buttons for the first spec dimension not chosen yet (a chat shows one question at a time)."""
    for dim_index, (dim, values) in enumerate(product.options.items()):
        if dim in chosen or len(values) <= 1:
            continue
        buttons = []
        for value_index, value in enumerate(values[:10]):
            in_stock = any(v.stock > 0 for v in matching_variants(product, {**chosen, dim: value}))
            label = value if in_stock else turn.t("product.value_sold_out", value=value)
            buttons.append(Button(label=label[:64], payload=turn.payload("opt", f"{dim_index}.{value_index}")))
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


# --- search -----------------------------------------------------------------------------------


def query_from_turn(turn: Turn) -> dict[str, Any]:
    product = turn.entity("product")
    category = turn.entity("category")
    brand = turn.entity("brand")
    color = turn.entity("color")
    text = str(product) if product else ""
    if not text and not category and not brand:
        text = strip_filler(turn.text)
        for word in (color, turn.entity("price_min"), turn.entity("price_max")):
            if word:
                text = text.replace(str(word), " ")
        text = " ".join(text.split())
    return {
        "text": text[:80],
        "category": str(category) if category else None,
        "brand": str(brand) if brand else None,
        "color": str(color) if color else None,
        "price_min": str(turn.entity("price_min")) if turn.entity("price_min") is not None else None,
        "price_max": str(turn.entity("price_max")) if turn.entity("price_max") is not None else None,
    }


async def search_intent(turn: Turn) -> None:
    current = turn.state.context.get("product")
    if current and asks_for_similar(turn.text):
        turn.intent = "recommend"
        await similar(turn, current)
        return
    query = query_from_turn(turn)
    if not any(query.values()):
        turn.say("search.ask", turn.button("menu.popular", "pop"))
        return
    await run_search(turn, query, 1)


async def run_search(turn: Turn, query: dict[str, Any], page: int, *, quiet_if_empty: bool = False) -> bool:
    services = turn.services
    size = services.config.page_size
    result = await services.shop.search(SearchQuery(**query), turn.lang, page, size)
    if not result.items:
        if quiet_if_empty:
            return False
        described = query.get("text") or query.get("category") or query.get("brand") or ""
        turn.say("search.none", turn.button("menu.popular", "pop"), turn.button("menu.human", "human"), query=described)
        return False
    context = turn.state.context
    context["search"] = query
    context["page"] = result.page
    context["pages"] = result.pages
    context["results"] = [p.product_id for p in result.items]
    context["list_kind"] = "results"
    # "add it to the cart" after a search means the single hit, never a product seen earlier.
    if result.total == 1:
        remember_product(turn, result.items[0])
    else:
        context.pop("product", None)
        context.pop("product_options", None)
    paging: list[Button] = []
    if result.page > 1:
        paging.append(turn.button("button.prev_page", "pg", str(result.page - 1)))
    if result.page < result.pages:
        paging.append(turn.button("button.next_page", "pg", str(result.page + 1)))
    turn.reply(
        Carousel(
            text=turn.t("search.results", total=result.total),
            items=tuple(_card(turn, p) for p in result.items),
            page=result.page,
            pages=result.pages,
            buttons=tuple(paging),
        )
    )
    return True


async def page_button(turn: Turn, value: str) -> None:
    query = turn.state.context.get("search")
    if not query or not value.isdigit():
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    await run_search(turn, query, max(1, int(value)))


async def page_follow_up(turn: Turn) -> bool:
    """ "下一页" / "next page" / "more" typed after a result list."""
    step = page_request(turn.text) if turn.text else 0
    if not step or turn.state.context.get("list_kind", "results") != "results":
        return False
    turn.intent = "page"
    context = turn.state.context
    query = context.get("search")
    pages = int(context.get("pages") or 1)
    target = max(1, int(context.get("page") or 1) + step)  # "back" on page 1 shows page 1 again
    if not query or target > pages:
        turn.say(
            "search.no_more_pages",
            turn.button("menu.popular", "pop"),
            turn.button("menu.search", "intent", "search_product"),
        )
        return True
    await run_search(turn, query, target)
    return True


async def by_price(turn: Turn) -> ProductView | None:
    """The cheapest / most expensive entry of the list shown last, when the text asks for it."""
    extreme = price_extreme(turn.text) if turn.text else None
    context = turn.state.context
    results = list(context.get("results") or [])
    if extreme is None or not results or context.get("list_kind", "results") != "results" or len(turn.text) > 40:
        return None
    products = [p for p in [await turn.services.shop.product(pid, turn.lang) for pid in results] if p is not None]
    if not products:
        return None
    if extreme == "min":
        return min(products, key=lambda p: p.price_from.amount)
    return max(products, key=lambda p: p.price_to.amount)


async def pick_by_price(turn: Turn) -> bool:
    """ "最便宜的" / "the cheaper one" / "the most expensive": open that entry of the list shown last."""
    chosen = await by_price(turn)
    if chosen is None:
        return False
    turn.intent = "product_info"
    remember_product(turn, chosen)
    await _show(turn, chosen)
    return True


async def search_as_fallback(turn: Turn) -> bool:
    """A message the NLU could not place may simply be a product name ("airpods", "保温杯")."""
    text = strip_filler(turn.text)
    if not text or len(text) > MAX_FALLBACK_QUERY or "?" in turn.text or "？" in turn.text:
        return False
    found = await run_search(turn, {"text": text}, 1, quiet_if_empty=True)
    if found:
        turn.intent = "search_product"
    return found


# --- product detail ---------------------------------------------------------------------------


async def resolve_product(turn: Turn, *, allow_current: bool = True) -> ProductView | None:
    """The product the customer means: "第二个", "this one", a product name, or the one on screen."""
    context = turn.state.context
    shop = turn.services.shop
    position = ordinal(turn.text) if turn.text else None
    if position is not None and context.get("list_kind", "results") == "results":
        chosen = pick(list(context.get("results") or []), position)
        if chosen:
            return await shop.product(chosen, turn.lang)
    cheapest_or_priciest = await by_price(turn)
    if cheapest_or_priciest is not None:
        return cheapest_or_priciest
    name = turn.entity("product")
    current = context.get("product")
    if name and not (current and refers_to_current(turn.text)):
        result = await shop.search(SearchQuery(text=str(name)), turn.lang, 1, 1)
        if result.items:
            return result.items[0]
    if current and allow_current:
        return await shop.product(current, turn.lang)
    return None


async def select_from_list(turn: Turn, position: int) -> bool:
    """ "第二个" / "the second one" alone: open that entry of the list shown last."""
    from dialogs.flows import orders

    context = turn.state.context
    kind = context.get("list_kind", "results")
    if kind == "orders":
        number = pick(list(context.get("orders") or []), position)
        if number:
            turn.intent = "order_status"
            await orders.show_order(turn, number)
            return True
        return False
    if kind == "results":
        product_id = pick(list(context.get("results") or []), position)
        if product_id:
            turn.intent = "product_info"
            await show_product(turn, product_id)
            return True
    return False


async def show_product(turn: Turn, product_id: str) -> None:
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    remember_product(turn, product)
    await _show(turn, product)


async def _show(turn: Turn, product: ProductView) -> None:
    turn.reply(_card(turn, product, detail=True))


async def product_info(turn: Turn) -> None:
    product = await resolve_product(turn)
    if product is None:
        if turn.entity("product") or turn.entity("category"):
            await search_intent(turn)
        else:
            turn.say("product.which", *menu_buttons(turn))
        return
    remember_product(turn, product)
    chosen = selection_from_text(turn, product)
    if chosen:
        set_selection(turn, product, {**selection(turn, product), **chosen})
    await _show(turn, product)


async def option_button(turn: Turn, value: str) -> None:
    """ "opt:<dim>.<value>" on the product on screen; completes a pending add-to-cart."""
    from dialogs.flows import cart

    context = turn.state.context
    product_id = context.get("product")
    product = await turn.services.shop.product(product_id, turn.lang) if product_id else None
    try:
        dim_index, value_index = (int(part) for part in value.split(".", 1))
        dim = list(product.options)[dim_index] if product else ""
        chosen_value = product.options[dim][value_index] if product else ""
    except (ValueError, IndexError, KeyError):
        product = None
    if product is None:
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    current = set_selection(turn, product, {**selection(turn, product), dim: chosen_value})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return
    await _show(turn, product)


# --- recommendations --------------------------------------------------------------------------


async def similar(turn: Turn, product_id: str) -> None:
    shop = turn.services.shop
    items = await shop.similar(product_id, turn.lang, turn.services.config.page_size)
    if not items:
        await popular(turn)
        return
    _list(turn, "recommend.similar", items)


async def popular(turn: Turn, _: str = "") -> None:
    items = await turn.services.shop.popular(turn.lang, turn.services.config.page_size)
    if not items:
        turn.say("recommend.none", *menu_buttons(turn))
        return
    _list(turn, "recommend.popular", items)


def _list(turn: Turn, key: str, items: list[ProductView]) -> None:
    context = turn.state.context
    context["results"] = [p.product_id for p in items]
    context["list_kind"] = "results"
    context.pop("search", None)  # "next page" has nothing to page through here
    turn.reply(Carousel(text=turn.t(key), items=tuple(_card(turn, p) for p in items)))


async def recommend(turn: Turn) -> None:
    current = turn.state.context.get("product")
    if current and (asks_for_similar(turn.text) or refers_to_current(turn.text)):
        await similar(turn, current)
        return
    if turn.entity("product") or turn.entity("category") or turn.entity("brand"):
        await search_intent(turn)
        return
    await popular(turn)
