"""Browsing: search with filters, result pages, product detail with spec choice, recommendations."""

from __future__ import annotations

from typing import Any

from dialogs.flows.base import menu_buttons
from dialogs.messages import Button, Carousel, ProductCard, SpecChoice
from dialogs.ports import ProductView, SearchQuery, VariantView
from dialogs.references import (
    asks_for_similar,
    mentioned_values,
    ordinal,
    pick,
    refers_to_current,
    same_value,
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
    if turn.state.context.get("product") != product.product_id:
        return {}
    chosen = turn.state.context.get("selection") or {}
    return {k: v for k, v in chosen.items() if v in product.options.get(k, [])}


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
    specs = tuple(SpecChoice(name=dim, values=tuple(values), selected=chosen.get(dim))
                  for dim, values in product.options.items()) if detail else ()  # fmt: skip
    variant_price = matching_variants(product, chosen)
    price = variant_price[0].price.format() if chosen and len(variant_price) == 1 else price_text(product)
    return ProductCard(product_id=product.product_id, title=product.title, text=" · ".join(text_parts),
                       price=price, image_url=product.image_url, specs=specs, buttons=tuple(buttons))  # fmt: skip


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
        "text": text[:80], "category": str(category) if category else None, "brand": str(brand) if brand else None,
        "color": str(color) if color else None,
        "price_min": str(turn.entity("price_min")) if turn.entity("price_min") is not None else None,
        "price_max": str(turn.entity("price_max")) if turn.entity("price_max") is not None else None,
    }  # fmt: skip


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
        turn.say("search.none", turn.button("menu.popular", "pop"), turn.button("menu.human", "human"),
                 query=described)  # fmt: skip
        return False
    context = turn.state.context
    context["search"] = query
    context["page"] = result.page
    context["results"] = [p.product_id for p in result.items]
    context["list_kind"] = "results"
    # "add it to the cart" after a search means the single hit, never a product seen earlier.
    if result.total == 1:
        remember_product(turn, result.items[0])
    else:
        context.pop("product", None)
    paging: list[Button] = []
    if result.page > 1:
        paging.append(turn.button("button.prev_page", "pg", str(result.page - 1)))
    if result.page < result.pages:
        paging.append(turn.button("button.next_page", "pg", str(result.page + 1)))
    turn.reply(Carousel(text=turn.t("search.results", total=result.total), items=tuple(
        _card(turn, p) for p in result.items), page=result.page, pages=result.pages, buttons=tuple(paging)))
    return True


async def page_button(turn: Turn, value: str) -> None:
    query = turn.state.context.get("search")
    if not query or not value.isdigit():
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    await run_search(turn, query, max(1, int(value)))


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
    """"第二个" / "the second one" alone: open that entry of the list shown last."""
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
        turn.state.context["selection"] = {**selection(turn, product), **chosen}
    await _show(turn, product)


async def option_button(turn: Turn, value: str) -> None:
    """"opt:<dim>.<value>" on the product on screen; completes a pending add-to-cart."""
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
    context["selection"] = {**selection(turn, product), dim: chosen_value}
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, context["selection"], int(pending.get("qty") or 1))
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
