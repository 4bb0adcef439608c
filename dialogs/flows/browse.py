"""Browsing: search with filters, result pages, product detail with spec choice, recommendations."""

from __future__ import annotations

import re
from typing import Any

from dialogs import buttons as codes
from dialogs.flows import products, restock
from dialogs.flows.base import menu_buttons
from dialogs.messages import Button, Carousel
from dialogs.ports import ProductView, SearchQuery
from dialogs.references import (
    asks_for_similar,
    mentioned_values,
    ordinal,
    page_request,
    pick,
    price_extreme,
    product_words,
    refers_to_current,
    spec_amounts,
    strip_filler,
)
from dialogs.turn import Turn

MAX_FALLBACK_QUERY = 30
MAX_NARROWED = 4  # search hits read in full to find the one a buying message names

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
    await run_search(turn, await narrowed_by_message(turn, query), 1, narrow=True)


async def narrowed_by_message(turn: Turn, query: dict[str, Any]) -> dict[str, Any]:
    """The query with the NLU's product name replaced by the message's words when they say more."""
    named = turn.entity("product")
    if not named or query.get("text") != str(named):
        return query
    text = await narrowed_name(turn, str(named), query)
    return {**query, "text": text[:80]}


async def narrowed_name(turn: Turn, named: str, query: dict[str, Any] | None = None) -> str:
    """The NLU's product name may be only an option value the products share ("iPhone 15" for a
    case and a screen protector): the message's other words then say which of them is meant
    ("screen protector for iphone 15"). They replace the name only when they find fewer of the
    same products."""
    words = (product_words(turn.text) or strip_filler(turn.text)) if turn.text else ""
    if not _inside(named, words) or _compact(words) == _compact(named):
        return named
    shop = turn.services.shop
    size = turn.services.config.page_size
    query = {**(query or {}), "text": named[:80]}
    by_name = await shop.search(SearchQuery(**query), turn.lang, 1, size)
    if by_name.total < 2:
        return named
    by_words = await shop.search(SearchQuery(**{**query, "text": words[:80]}), turn.lang, 1, size)
    hits = {item.product_id for item in by_name.items}
    if 0 < by_words.total < by_name.total and all(item.product_id in hits for item in by_words.items):
        return words
    return named


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def _inside(name: str, words: str) -> bool:
    """Does the message's text contain the NLU's name ("iPhone 15" in "钢化膜 iphone 15 pro")?"""
    return bool(name) and _compact(name) in _compact(words)


async def run_search(
    turn: Turn, query: dict[str, Any], page: int, *, quiet_if_empty: bool = False, narrow: bool = False
) -> bool:
    """Search and show the hits: one hit (or the one the words name) whole, several as a list.

    `narrow`: the query comes from this turn's message, whose option words ("sunscreen 100ml")
    may single out the one hit offering them."""
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
    context.pop("buy_after_pick", None)  # a new list: an earlier "which one to buy?" is answered by it no more
    context["search"] = query
    context["page"] = result.page
    context["pages"] = result.pages
    context["results"] = [p.product_id for p in result.items]
    context["list_kind"] = "results"
    # "add it to the cart" after a search means the single hit, never a product seen earlier.
    named = _named_by_title(str(query.get("text") or ""), result.items) if result.page == 1 else None
    if named is None and narrow and result.page == 1 and result.total > 1:
        named = await offering_options(turn, result.items)
    if named is not None or (result.total == 1 and result.page == 1):
        # One hit is not a choice to ask about: show it whole, with the options the message named.
        only = await full_product(turn, named or result.items[0])
        context["results"] = [only.product_id]
        products.remember_product(turn, only)
        chosen = products.selection_from_text(turn, only)
        if chosen:
            products.set_selection(turn, only, chosen)
        if not products.say_unavailable(turn, only):  # "空气炸锅有没有8L的": not in 8L, the real sizes
            turn.say("search.one_result")
        products.show(turn, only)
        return True
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


def _named_by_title(text: str, items: list[ProductView]) -> ProductView | None:
    """The only hit whose title the search words name entirely ("cutting board" among boards'
    neighbours); None when several or none do."""
    words = products.without_values(text, []) if text else ""
    if len(words.split()) < 2 and (words.isascii() or len(words) < 3):
        return None  # one generic word ("headphones") asks for the list
    named = [item for item in items if products.title_mentions(item.title, words, whole=True)]
    return named[0] if len(named) == 1 and len(items) > 1 else None


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
    named = products.selection_from_text(turn, chosen) if chosen.options else {}
    if named:  # "the cheaper one, purple": that version chosen on its card, as "purple" alone would
        products.set_selection(turn, chosen, {**products.selection(turn, chosen), **named})
    products.show(turn, chosen)
    return True


# "how much", "多少钱" beside a product's name: the price is on its card, the words name no goods.
_PRICE_QUESTION = re.compile(
    r"\bhow\s+much(?:\s+(?:is|are|for|does|do))?(?:\s+(?:it|they|this|that|these|those|one|each))?(?:\s+cost)?\b|"
    r"\bwhat(?:'?s|\s+is)\s+the\s+price(?:\s+of)?\b|\bprice\s+(?:of|for)\b|\bprice\b|"
    r"多少钱|什么价|啥价|价格是?多少|几块钱|卖多少",
    re.I,
)


async def search_as_fallback(turn: Turn) -> bool:
    """A message the NLU could not place may simply be a product name ("airpods", "保温杯"), or one
    with its price asked ("ultra clear tank 60cm how much", "羽绒服多少钱?")."""
    priced = _PRICE_QUESTION.sub(" ", turn.text)
    asks_price = priced.strip() != turn.text.strip()
    text = strip_filler(priced if asks_price else turn.text)
    question = not asks_price and ("?" in turn.text or "？" in turn.text)
    if not text or len(text) > MAX_FALLBACK_QUERY or question:
        return False
    found = await run_search(turn, {"text": text}, 1, quiet_if_empty=True, narrow=True)
    if found:
        turn.intent = "search_product"
    return found


# --- product detail ---------------------------------------------------------------------------


async def resolve_product(turn: Turn, *, allow_current: bool = True) -> ProductView | None:
    """The product the customer means: "第二个", "this one", a product name, or the one on screen.

    Always the full product (with its options), never a search summary: its options are what
    the customer's words are matched against.
    """
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
        owner = await _owner_of_option_named(turn)
        if owner is not None:
            return owner
        text = await narrowed_name(turn, str(name))
        result = await shop.search(SearchQuery(text=text[:80]), turn.lang, 1, 1)
        if result.items:
            return await full_product(turn, result.items[0])
    if current and allow_current:
        return await shop.product(current, turn.lang)
    return None


async def _owner_of_option_named(turn: Turn) -> ProductView | None:
    """The product the other words name when the NLU's product word is one of its option values
    ("add 2 cream 3.5 珐琅锅": "cream" is the pot's colour here, not the face cream): one search,
    only when words beyond the name and option words are left."""
    entities = turn.product_names()
    words = product_words(turn.text) if turn.text else ""
    raw = entities[0].raw.lower() if entities else ""
    if not raw or raw not in words.lower():
        return None
    rest = " ".join(words.lower().replace(raw, " ").split())
    if not products.without_values(rest, []):
        return None
    found = await turn.services.shop.search(SearchQuery(text=rest[:80]), turn.lang, 1, 1)
    if not found.items:
        return None
    product = await full_product(turn, found.items[0])
    values = [v for values in product.options.values() for v in values]
    return product if values and mentioned_values(raw, values) else None


async def full_product(turn: Turn, product: ProductView) -> ProductView:
    if not product.is_summary:
        return product
    return await turn.services.shop.product(product.product_id, turn.lang) or product


def names_another_product(turn: Turn, product: ProductView) -> bool:
    """The message names something other than `product` ("and the utensil set" while a mug is
    on screen), not just its options, a quantity or "it"; or an amount only another product
    comes in ("the 600ml one" while a grinder without one is on screen)."""
    if lacks_amount(turn, product):
        return True
    if refers_to_current(turn.text):
        return False
    words = products.without_option_words(product_words(turn.text), product)
    return bool(words) and not products.title_mentions(product.title, words)


def lacks_amount(turn: Turn, product: ProductView) -> bool:
    """The message names an amount ("600ml", "1kg", "3.5升") that `product` does not come in."""
    amounts = spec_amounts(turn.text) if turn.text else []
    values = [v for values in product.options.values() for v in values]
    return bool(amounts) and not mentioned_values(" ".join(amounts), values)


async def find_to_buy(turn: Turn) -> ProductView | None:
    """The one product a buying message names ("白色保温杯500的 来两个", "2 gray water bottles").

    One search hit is the product; among several, the only one offering the options named
    decides. Otherwise the hits are listed and the purchase waits for the customer's pick.
    """
    words = product_words(turn.text) if turn.text else ""
    entities = turn.product_names()
    named = entities[0].value if entities else None
    # The NLU's name when the words are something else; the words when they hold the name and
    # more ("钢化膜 iphone 15 pro": a protector for that phone, not anything named "iPhone 15";
    # "cream 3.5 珐琅锅": the pot in cream, not the face cream the word "cream" may stand for).
    held = named and (_inside(str(named), words) or _inside(entities[0].raw, words))
    text = str(named) if named and not held else words
    if not text:
        return None
    shop = turn.services.shop
    size = turn.services.config.page_size
    bare = products.without_values(text, [])  # "大号砧板" -> "砧板": the product without its options
    if not bare and not named:
        # "大瓶的 两支" under a list: the listed one offering it; else "the 1kg one": the one product in that amount
        found = await _listed_with_options(turn) or await _only_one_in(turn, spec_amounts(turn.text))
        if found is not None or _has_list(turn) or not products.may_name_options(_without_counts(text)):
            return found
        # "the red 5L one" with nothing on screen: the one product offering these options, if only one does.
    result = await shop.search(SearchQuery(text=text[:80]), turn.lang, 1, size)
    for retry in (bare, str(named or "")):
        if result.items or not retry or retry == text:
            continue
        text = retry
        result = await shop.search(SearchQuery(text=text[:80]), turn.lang, 1, size)
    if not result.items:
        return None
    if result.total == 1:
        return await full_product(turn, result.items[0])
    candidates = [await full_product(turn, item) for item in result.items[:MAX_NARROWED]]
    by_title = [
        p for p in candidates if products.title_mentions(p.title, products.without_option_words(text, p), whole=True)
    ]
    if len(by_title) == 1:
        return by_title[0]
    # "粉郁金香20枝": the pink tulip mix, whose title holds every word, before the white tulips
    # that share "郁金香" and also come in 20 stems
    whole = [p for p in by_title if products.title_holds(p.title, products.without_option_words(text, p))]
    if len(whole) == 1:
        return whole[0]
    if len(by_title) > 1:
        # "收纳凳 浅灰色" finds the storage stool and the grey packing cubes (收纳): the title holding
        # most of the words is the one named, when only one does
        cover = {
            p.product_id: products.title_coverage(p.title, products.without_option_words(text, p)) for p in by_title
        }
        best = max(cover.values())
        closest = [p for p in by_title if cover[p.product_id] == best]
        if len(closest) == 1:
            return closest[0]
    return _only_offering(turn, by_title or candidates)


async def names_something(turn: Turn, on_screen: ProductView) -> bool:
    """Do the words of a buying message find any product at all (the search `find_to_buy` ran,
    asked again from the turn's cache)? Not with the options of the product on screen alone: "那红色
    的吧" under a pot's card would otherwise find every red thing."""
    words = products.without_option_words(product_words(turn.text), on_screen) if turn.text else ""
    if not words:
        return False
    found = await turn.services.shop.search(SearchQuery(text=words[:80]), turn.lang, 1, turn.services.config.page_size)
    return found.total > 0


def _only_offering(turn: Turn, candidates: list[ProductView]) -> ProductView | None:
    """The only product offering the options the message names; with several, the only one
    offering all of them ("white 750ml": the tumbler, not the white sleeves)."""
    named = [(p, products.options_named(turn.text or "", p.options)) for p in candidates]
    offering = [(p, chosen) for p, chosen in named if chosen]
    if not offering:
        offering = [(p, chosen) for p in candidates if (chosen := products.selection_from_text(turn, p))]
    if len(offering) == 1:
        return offering[0][0]
    most = max((len(chosen) for _, chosen in offering), default=0)
    best = [p for p, chosen in offering if len(chosen) == most]
    return best[0] if len(best) == 1 and most > 1 else None


async def offering_options(turn: Turn, items: list[ProductView]) -> ProductView | None:
    """Among search hits, the one offering the options the message names ("sunscreen 100ml":
    the sunscreen, not the arm sleeves). Reads the first few hits whole, only when the message
    carries option words at all."""
    if not products.may_name_options(turn.text or ""):
        return None
    candidates = [await full_product(turn, item) for item in items[:MAX_NARROWED]]
    return _only_offering(turn, [p for p in candidates if p.options])


def _has_list(turn: Turn) -> bool:
    context = turn.state.context
    return context.get("list_kind", "results") == "results" and len(context.get("results") or []) > 1


def _without_counts(text: str) -> str:
    """Option words of a product-less message without a bare count ("5" of "just 5 then" is no option)."""
    return re.sub(r"(?<![\w.])\d{1,3}(?![\w.])", " ", text)


async def _only_one_in(turn: Turn, amounts: list[str]) -> ProductView | None:
    """The only product offering these amounts ("600ml", "1kg"), found through the search index."""
    if not amounts:
        return None
    result = await turn.services.shop.search(SearchQuery(text=" ".join(amounts)[:80]), turn.lang, 1, 2)
    if result.total != 1:
        return None
    product = await full_product(turn, result.items[0])
    return product if products.selection_from_text(turn, product) else None


async def _listed_with_options(turn: Turn) -> ProductView | None:
    """Among the products listed last, the only one offering the options the message names."""
    context = turn.state.context
    if context.get("list_kind", "results") != "results":
        return None
    listed = [
        await turn.services.shop.product(pid, turn.lang) for pid in list(context.get("results") or [])[:MAX_NARROWED]
    ]
    return _only_offering(turn, [p for p in listed if p is not None])


async def note_product(turn: Turn) -> None:
    """A question about one product's price or a discount ("any discount on the dutch oven?",
    "头灯能便宜点吗") makes it the product being talked about, without showing it: "ok, 5 at the
    normal price then" next buys it. One search, only when the question names something."""
    if not turn.text:
        return
    named = turn.entity("product")
    words = products.without_values(product_words(turn.text), [])
    if not words and not named:
        return
    text = await narrowed_name(turn, str(named)) if named else words
    found = await turn.services.shop.search(SearchQuery(text=text[:80]), turn.lang, 1, 2)
    if not found.items:
        return
    top = found.items[0]
    if named or products.title_mentions(top.title, words):  # a stray hit on "discount" is no product named
        products.remember_product(turn, top)
        if products.may_name_options(turn.text):  # "the iphone 15 screen protector": that version, later
            product = await full_product(turn, top)
            chosen = products.selection_from_text(turn, product)
            if chosen:
                products.remember_product(turn, product)
                products.set_selection(turn, product, chosen)


async def ask_which_listed(turn: Turn, quantity: int) -> bool:
    """ "add it" / "买它" under a list of several: one short question naming them (a tap adds
    that one, "the first one" too); False when no list is on screen."""
    if not _has_list(turn):
        return False
    context = turn.state.context
    size = turn.services.config.page_size
    listed = [await turn.services.shop.product(pid, turn.lang) for pid in list(context.get("results") or [])[:size]]
    choices = [p for p in listed if p is not None]
    if not choices:
        return False
    context["buy_after_pick"] = {"qty": quantity}
    buttons = [
        Button(label=p.title[:64], payload=turn.payload(codes.ADD_PRODUCT, f"{p.product_id}*{quantity}"))
        for p in choices
    ]
    turn.say("cart.which_listed", *buttons)
    return True


async def show_product(turn: Turn, product_id: str) -> None:
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    products.show(turn, product)


async def product_info(turn: Turn) -> None:
    """ "云峰登山靴有42码的吗", "is the dutch oven dishwasher safe?": the product, with the options
    the question names chosen (and said plainly when that version is sold out)."""
    product = await resolve_product(turn)
    if (
        product is not None
        and product.product_id == turn.state.context.get("product")
        and ordinal(turn.text) is None
        and not turn.entity("product")
        and names_another_product(turn, product)
    ):
        product = await find_to_buy(turn) or product  # another product named while one is on screen
    elif product is None and not turn.entity("product") and not turn.entity("category"):
        product = await find_to_buy(turn)  # a product the NLU does not know by name ("the dutch oven")
        if product is None:
            words = products.without_values(product_words(turn.text), []) if turn.text else ""
            if words and await run_search(turn, {"text": words[:80]}, 1, quiet_if_empty=True, narrow=True):
                return
    if product is None:
        if turn.entity("product") or turn.entity("category"):
            await search_intent(turn)
        else:
            turn.say("product.which", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    chosen = products.selection_from_text(turn, product)
    if chosen:
        current = products.set_selection(turn, product, {**products.selection(turn, product), **chosen})
        versions = products.matching_variants(product, current)
        available = ["/".join(v.attributes.values()) for v in product.variants if v.stock > 0]
        if versions and available and all(v.stock <= 0 for v in versions):
            # "有42码的吗" when 42 is sold out: say so, and which ones can be had.
            turn.say(
                "stock.partly",
                title=product.title,
                sold_out="/".join(current.values()),
                available=" / ".join(available),
            )
    else:
        products.say_unavailable(turn, product)  # "魔方有五阶的吗", "do you have it in 44"
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


# --- stock questions ----------------------------------------------------------------------------

_RESTOCK = re.compile(
    r"什么时候有货|何时有货|啥时候有货|补货|到货|还会有|还有货吗|有货吗|缺货|断货|没货|"
    r"\bback\s+in\s+stock\b|\brestock|\bin\s+stock\s+again\b|\bwhen\b.*\b(?:back|available)\b|"
    r"\blet\s+me\s+know\s+when\b|\bnotify\s+me\b|\bsold\s+out\b|\bout\s+of\s+stock\b",
    re.I,
)


_RESTOCK_WORDS = re.compile(
    r"\b(?:back|again|available|availability|know|let|tell|notify|when|will|be|it'?s|in\s+stock|stock)\b|"
    r"什么时候|何时|啥时候|有货|补货|到货|缺货|断货|没货|还会有|通知|告诉|提醒|一下|我",
    re.I,
)


def asks_about_stock(text: str) -> bool:
    return bool(_RESTOCK.search(text))


async def stock_answer(turn: Turn) -> None:
    """ "磨豆机什么时候有货", "when will the grinder be back in stock?": the real stock of each
    version, and for what is sold out an honest "no date yet" with similar items."""
    product = await resolve_product(turn)
    # "can you let me know when it's back": the restock words name no product (not the "back" of backpack)
    words = products.without_values(product_words(_RESTOCK_WORDS.sub(" ", turn.text)), [])
    if words and (product is None or not products.title_mentions(product.title, words)):
        found = await turn.services.shop.search(SearchQuery(text=words[:80]), turn.lang, 1, 1)
        product = await full_product(turn, found.items[0]) if found.items else product
    if product is None:
        turn.say("product.which", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    sold_out = ["/".join(v.attributes.values()) or product.title for v in product.variants if v.stock <= 0]
    available = ["/".join(v.attributes.values()) or product.title for v in product.variants if v.stock > 0]
    if sold_out and restock.asks_to_be_told(turn.text):
        await restock.subscribe_to(turn, product)  # "磨豆机到货了通知我": sign them up
        return
    if not sold_out:
        turn.say("stock.in_stock", title=product.title)
    elif not available:
        turn.say(
            "stock.sold_out",
            restock.offer(turn, product),
            turn.button("button.similar", codes.SIMILAR, product.product_id),
            title=product.title,
        )
        turn.say("restock.offer")
        return
    else:
        turn.say("stock.partly", title=product.title, sold_out=" / ".join(sold_out), available=" / ".join(available))
        turn.say(
            "restock.offer_versions", restock.offer(turn, product, yes_signs_up=False), versions=" / ".join(sold_out)
        )
    products.show(turn, product)
