"""Browsing: search with filters, result pages, product detail with spec choice, recommendations."""

from __future__ import annotations

from typing import Any

from dialogs import buttons as codes
from dialogs.flows import products
from dialogs.flows.base import menu_buttons
from dialogs.messages import Button, Carousel
from dialogs.ports import ProductView, SearchQuery
from dialogs.references import (
    asks_for_similar,
    ordinal,
    page_request,
    pick,
    price_extreme,
    refers_to_current,
    strip_filler,
)
from dialogs.turn import Turn

MAX_FALLBACK_QUERY = 30

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
        turn.say("search.ask", turn.button("menu.popular", codes.POPULAR))
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
        turn.say(
            "search.none",
            turn.button("menu.popular", codes.POPULAR),
            turn.button("menu.human", codes.HUMAN),
            query=described,
        )
        return False
    context = turn.state.context
    context["search"] = query
    context["page"] = result.page
    context["pages"] = result.pages
    context["results"] = [p.product_id for p in result.items]
    context["list_kind"] = "results"
    # "add it to the cart" after a search means the single hit, never a product seen earlier.
    if result.total == 1:
        products.remember_product(turn, result.items[0])
    else:
        context.pop("product", None)
        context.pop("product_options", None)
    paging: list[Button] = []
    if result.page > 1:
        paging.append(turn.button("button.prev_page", codes.PAGE, str(result.page - 1)))
    if result.page < result.pages:
        paging.append(turn.button("button.next_page", codes.PAGE, str(result.page + 1)))
    turn.reply(
        Carousel(
            text=turn.t("search.results", total=result.total),
            items=tuple(products.product_card(turn, p) for p in result.items),
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
            turn.button("menu.popular", codes.POPULAR),
            turn.button("menu.search", codes.INTENT, "search_product"),
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
    products.remember_product(turn, chosen)
    products.show(turn, chosen)
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


async def show_product(turn: Turn, product_id: str) -> None:
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    products.show(turn, product)


async def product_info(turn: Turn) -> None:
    product = await resolve_product(turn)
    if product is None:
        if turn.entity("product") or turn.entity("category"):
            await search_intent(turn)
        else:
            turn.say("product.which", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    chosen = products.selection_from_text(turn, product)
    if chosen:
        products.set_selection(turn, product, {**products.selection(turn, product), **chosen})
    products.show(turn, product)


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
    turn.reply(Carousel(text=turn.t(key), items=tuple(products.product_card(turn, p) for p in items)))


async def recommend(turn: Turn) -> None:
    current = turn.state.context.get("product")
    if current and (asks_for_similar(turn.text) or refers_to_current(turn.text)):
        await similar(turn, current)
        return
    if turn.entity("product") or turn.entity("category") or turn.entity("brand"):
        await search_intent(turn)
        return
    await popular(turn)
