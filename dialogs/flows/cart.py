"""The cart: add (with spec and quantity), view, change quantity, remove, clear."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dialogs import buttons as codes
from dialogs.flows import browse, products, restock
from dialogs.flows.base import menu_buttons
from dialogs.flows.confirm import ask_confirmation
from dialogs.messages import Button, TextReply
from dialogs.ports import CartLineView, CartView, ProductView, SearchQuery
from dialogs.references import (
    SIZE_GROUPS,
    ZH_NUMBERS,
    asks_for_more,
    asks_to_set_quantity,
    distinct_part_at,
    enough_count,
    leading_number,
    limits_a_line,
    mentioned_values,
    only_quantity,
    ordinal,
    pick,
    product_words,
    quantity_in,
    refers_to_current,
    same_value,
    says_enough,
    spellings,
    trailing_number,
    value_position,
    without_context,
    without_later,
    without_more_words,
    word_groups,
)
from dialogs.turn import Turn

MAX_QTY = 99
MAX_LINES_WITH_BUTTONS = 5


def wanted_quantity(turn: Turn) -> int | None:
    value = turn.entity("quantity")
    plain = without_context(turn.text) if turn.text else ""
    if turn.text and plain != turn.text:
        value = quantity_in(plain)  # "家里仨狗子 狗碗要两个": two bowls, whatever the 仨 of the dogs
    elif value is None and turn.text:
        value = quantity_in(turn.text)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def line_label(line: CartLineView) -> str:
    spec = "/".join(line.attributes.values())
    return f"{line.title}{f' ({spec})' if spec else ''}"


# --- add --------------------------------------------------------------------------------------


async def add_intent(turn: Turn) -> None:
    quantity = wanted_quantity(turn)
    if quantity is None and turn.text:
        quantity = enough_count(turn.text)  # "hmm one is enough": the "one" no other count reads
    sold_out = (turn.state.context.get("pending_add") or {}).get("sold_out")
    if sold_out and await _another_value_for_the_waiting_product(turn):
        return
    if asks_to_set_quantity(turn.text):
        quantity = quantity if quantity is not None else trailing_number(turn.text)
    if quantity is not None and asks_to_set_quantity(turn.text) and not await _picks_on_the_card(turn):
        cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
        match = await _matching_lines(turn, cart)
        lines = match.lines
        if match.missing:
            if not await _another_value_for_the_waiting_product(turn):
                await _not_in_cart(turn, match.missing)
            return
        if len(lines) == 1:
            await set_quantity(turn, lines[0].sku, quantity)
            return
        if not lines and not match.described:
            lines = _lines_the_count_is_for(turn, cart)
            if len(lines) == 1:
                # "数量改成2", "no, i need 2 in total" right after adding: the line just added
                await set_quantity(turn, lines[0].sku, quantity)
                return
        if len(lines) > 1:
            # "红色的改成两件" with two red lines: ask, never guess or add a new line.
            _ask_which_line_count(turn, cart, lines, quantity)
            return
    if quantity is not None and await _count_at_checkout(turn, quantity):
        return
    if quantity is not None and limits_a_line(turn.text) and await _limit_described_line(turn, quantity):
        return
    if quantity is not None and await _count_for_described_line(turn, quantity):
        return
    if quantity is not None and await _more_of_last(turn, quantity):
        return
    product = await browse.resolve_product(turn)
    on_screen = product
    another = (
        product is not None
        and product.product_id == turn.state.context.get("product")
        and ordinal(turn.text) is None
        and not turn.entity("product")
        and browse.names_another_product(turn, product)
    )
    if another:
        product = None  # "and the utensil set" while a mug is on screen: not the mug
    if product is None:
        product = await browse.find_to_buy(turn)
    if product is None and on_screen is not None and not (another and await browse.names_something(turn, on_screen)):
        # "just 5 at the normal price then": nothing else is named after all; but "can i have one
        # 100ml sunscreen" under the arm sleeves' card is the sunscreen, listed if need be
        product = on_screen
    if product is not None and await restates_a_line(turn, product, quantity):
        return
    context = turn.state.context
    if (
        product is not None
        and quantity is None
        and context.get("added_at") == turn.state.version - 1
        and context.get("product") == product.product_id
        and not products.without_option_words(product_words(turn.text), product)
        and not products.selection_from_text(turn, product)
    ):
        # "买了" / "就它了" right after it was added: a confirmation, not a second one.
        turn.say("cart.already_added", turn.button("button.checkout", codes.CHECKOUT), title=product.title)
        return
    if product is None:
        await _search_to_buy(turn, quantity or 1)
        return
    quantity = products.count_for(turn.text, product, quantity)
    await buy(turn, product, products.units_wanted(turn.text, product, quantity) or 1)


async def _limit_described_line(turn: Turn, quantity: int) -> bool:
    """ "just 1 of the original" with 2 original in the cart: that line is set (True); with no line
    described by the message it is an ordinary purchase (False)."""
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    match = await _matching_lines(turn, cart)
    if not match.described or len(match.lines) != 1 or match.lines[0].quantity <= quantity:
        return False
    await set_quantity(turn, match.lines[0].sku, quantity)
    return True


# How many turns back a line put in the cart (or given its count) is still what a customer
# restating the purchase means ("好吧 那就原价两个" after haggling, "ok the black one" after a question).
RESTATE_TURNS = 3
# Words that buy more of a line ("红的也要一个", "add it again", "再拿一个"): never a restatement.
_ALSO = re.compile(r"也要|也来|也买|也拿|还要|还来|又要|又来|再[拿买加要来给]|\b(?:also|too|as\s+well|again)\b", re.I)
# "add 2", "加两个": an explicit addition, more of the line unless its count is the same.
_ADDS = re.compile(r"\badd\b|加[一二两三四五六七八九十俩仨\d个件]", re.I)


def touch(turn: Turn, sku: str) -> None:
    """Remember that the line `sku` was put in the cart or counted this turn (see RESTATE_TURNS)."""
    context = turn.state.context
    version = turn.state.version
    recent = [
        [str(entry[0]), int(entry[1])]
        for entry in context.get("touched") or []
        if isinstance(entry, list) and len(entry) == 2 and entry[0] != sku and int(entry[1]) >= version - RESTATE_TURNS
    ]
    context["touched"] = [*recent[-7:], [sku, version]]


def says_more(text: str) -> bool:
    """ "再来一个", "another", "红的也要一个", "add it again": more of a line, never a restatement of it."""
    return asks_for_more(text) or bool(_ALSO.search(without_later(text)))


def recently_touched(turn: Turn) -> set[str]:
    """The skus of the lines put in the cart or counted in the last RESTATE_TURNS turns."""
    return set(_touched_at(turn))


def _touched_at(turn: Turn) -> dict[str, int]:
    """The lines touched in the last RESTATE_TURNS turns (this one excluded), by sku."""
    version = turn.state.version
    return {
        str(entry[0]): int(entry[1])
        for entry in turn.state.context.get("touched") or []
        if isinstance(entry, list) and len(entry) == 2 and version - RESTATE_TURNS <= int(entry[1]) < version
    }


async def restates_a_line(turn: Turn, product: ProductView, quantity: int | None) -> bool:
    """ "好吧 三文鱼的来三袋" right after three salmon bags went in, "just 1" after one charger was
    added, "先放购物车 晚点再买": the purchase of a line put in the cart a moment ago, said again. The
    line is kept (or set to the count now said) and the customer told it is there already; it is
    never added a second time. Words of more ("再来一个", "another") are a purchase (False)."""
    text = turn.text or ""
    if not text or says_more(text) or ordinal(text) is not None:
        return False
    touched = _touched_at(turn)
    if not touched:
        return False
    named = products.selection_from_text(turn, product)
    shown_at = turn.state.context.get("shown_at")
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    lines = []
    for line in cart.lines:
        if line.sku not in touched or line.product_id != product.product_id:
            continue
        # the options picked on a card shown after the line went in ("白色的呢?" then "来一件"): another version
        shown_later = isinstance(shown_at, int) and shown_at > touched[line.sku]
        wanted = {**products.selection(turn, product), **named} if shown_later else named
        if all(line.attributes.get(dim) == value for dim, value in wanted.items()):
            lines.append(line)
    if len(lines) != 1:
        return False
    line = lines[0]
    count = products.units_wanted(text, product, products.count_for(text, product, quantity))
    if count is None or count == line.quantity:
        products.remember_product(turn, product)
        turn.say(
            "cart.already_in_cart",
            turn.button("button.checkout", codes.CHECKOUT),
            turn.button("menu.cart", codes.CART),
            title=line_label(line),
            qty=line.quantity,
        )
        return True
    if _ADDS.search(text) and not says_enough(text) and not asks_to_set_quantity(text):
        return False  # "add 2" of a line of one: two more
    products.remember_product(turn, product)
    await set_quantity(turn, line.sku, count)
    return True


async def _count_at_checkout(turn: Turn, quantity: int) -> bool:
    """ "一张就够", "wait, only one werewolf game" said in the middle of the checkout: the count of the
    cart line meant (set, or kept when it has that many already), never one more of it."""
    checking_out = any(paused.get("flow") == "checkout" for paused in turn.state.suspended)
    if not checking_out or not says_enough(turn.text or ""):
        return False
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    match = await _matching_lines(turn, cart)
    lines = match.lines
    if not lines and not match.missing:
        # "一个就行" names no line ("就行" reads as words of none): the product talked about, or the only line
        current = turn.state.context.get("product")
        lines = [line for line in cart.lines if line.product_id == current] or cart.lines
    if len(lines) != 1:
        return False
    line = lines[0]
    if line.quantity != quantity:
        await set_quantity(turn, line.sku, quantity)
        return True
    turn.say("cart.already_in_cart", title=line_label(line), qty=line.quantity)
    return True


async def _picks_on_the_card(turn: Turn) -> bool:
    """ "make it 30 1" under the serum's card just shown: an option of the card and a count - the
    purchase of that version, not the count of a cart line."""
    product_id = turn.state.context.get("product")
    if not product_id or not _card_since_last_add(turn):
        return False
    product = await turn.services.shop.product(str(product_id), turn.lang)
    if product is None or not product.options:
        return False
    named = products.selection_from_text(turn, product)
    if not named:
        return False
    # "那香草的改成三个吧" under the card, with vanilla already in the cart: that line's count
    picked = {variant.sku for variant in products.matching_variants(product, named)}
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    return not any(line.sku in picked for line in cart.lines)


def _ask_which_line_count(turn: Turn, cart: CartView, lines: list[CartLineView], quantity: int) -> None:
    _remember_cart(turn, cart)
    buttons = [
        Button(label=line_label(line)[:64], payload=turn.payload(codes.SET_QUANTITY, f"{line.sku}*{quantity}"))
        for line in lines[:8]
    ]
    turn.say("cart.which_line", *buttons, qty=quantity)


def _lines_the_count_is_for(turn: Turn, cart: CartView) -> list[CartLineView]:
    """A count change that describes no line ("数量改成2", "change the quantity to 2"): the line added
    in the turn before; else the lines of the product being discussed (asked about when several),
    never a new line added instead."""
    context = turn.state.context
    last_sku = context.get("last_sku")
    just_added = [line for line in cart.lines if line.sku == last_sku]
    if just_added and context.get("added_at") == turn.state.version - 1:
        return just_added
    return [line for line in cart.lines if line.product_id == context.get("product")]


# Words that buy more rather than state how many of a line ("红的再来两个", "also 2 of the red").
_BUYS_MORE = re.compile(r"买|来|拿|加|也|还|再|另|\b(?:add|buy|get|another|more|also|too|extra|order|take)\b", re.I)


async def _count_for_described_line(turn: Turn, quantity: int) -> bool:
    """ "红的要三瓶", "-10°C的要四个", "the 45L one, 3": a count for the one cart line the message
    describes by its options, naming nothing else, sets that line (True); it adds no second line
    of the same thing. A message with a buying word ("红的再来两个") is a purchase (False)."""
    text = turn.text or ""
    context = turn.state.context
    if _BUYS_MORE.search(text) or asks_for_more(text) or ordinal(text) is not None:
        return False
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if len(cart.lines) < 2:
        return False  # one line: "红的要三瓶" may be the first pick of another product's colour
    options = _option_words(turn, cart.lines)
    described = [line for line in cart.lines if options and _has_option(turn, line, options)]
    if len(described) != 1 or described[0].product_id != context.get("product"):
        return False  # no line, several, or not the product being talked about
    line = described[0]
    words = _line_words(text, cart.lines)
    product = await turn.services.shop.product_by_sku(line.sku, turn.lang) if words else None
    if words and (product is None or products.without_option_words(words, product)):
        return False  # words besides the line's options ("红的杯子要三个" may be another product)
    await set_quantity(turn, line.sku, quantity)
    return True


# Asking whether another version exists ("do you have it in green", "有没有绿色的").
_ASKS_FOR = re.compile(r"[?？]|吗|有没有|有没|\b(?:do|does)\s+(?:you|it|they)\b|\bhave\s+you\s+got\b", re.I)


async def buy(turn: Turn, product: ProductView, quantity: int) -> None:
    """Add `product` with the options named in the message (asking only for what is missing)."""
    products.remember_product(turn, product)
    missing = products.unmatched_specs(turn, product) if product.options else []
    if missing and (not products.selection_from_text(turn, product) or _ASKS_FOR.search(turn.text or "")):
        # "要黑色的" for a product without black, "blue is nice but do you have it in green?":
        # say so rather than add another colour.
        turn.say(
            "product.spec_unavailable",
            title=product.title,
            wanted=" ".join(missing),
            options=products.options_text(product),
        )
        products.show(turn, product)
        return
    named = products.selection_from_text(turn, product)
    wanted = {**products.selection(turn, product), **named}
    if named and not products.matching_variants(product, wanted):
        wanted = named  # "also a ground one" after a 500g whole bean: only the 250g comes ground
    chosen = products.set_selection(turn, product, wanted)
    await choose_variant(turn, product, chosen, quantity)


async def _search_to_buy(turn: Turn, quantity: int) -> None:
    """Several products fit (or none was named): list them; the pick completes the purchase."""
    words = product_words(turn.text) if turn.text else ""
    if not words and not turn.entity("product") and not turn.entity("category"):
        if not await browse.ask_which_listed(turn, quantity):  # "add it" under a list: which of them?
            turn.say("cart.which_product", *menu_buttons(turn))
        return
    query = browse.query_from_turn(turn)
    if words and not turn.entity("product"):
        query["text"] = words[:80]
    if await browse.run_search(turn, await browse.narrowed_by_message(turn, query), 1):
        turn.state.context["buy_after_pick"] = {"qty": quantity}
        turn.say("cart.pick_from_results")


async def _more_of_last(turn: Turn, quantity: int) -> bool:
    """ "再来一双" / "one more" adds to the item just added; "两件" right after adding sets its quantity."""
    context = turn.state.context
    last_sku = context.get("last_sku")
    pending = context.get("pending_add")
    if not last_sku or (pending and pending.get("product") == context.get("product")):
        return False
    if turn.entity("product") or turn.entities("color") or turn.entities("size") or ordinal(turn.text) is not None:
        return False
    more = asks_for_more(turn.text)
    just_added = context.get("added_at") == turn.state.version - 1
    if not more and not (only_quantity(turn.text) and just_added):
        return False
    product = await turn.services.shop.product_by_sku(str(last_sku), turn.lang)
    if product is None or context.get("product") not in (None, product.product_id):
        return False
    if _names_other_than(turn.text, product):
        return False  # "再来两袋猫砂" after a leash: more of the litter, not of the leash
    variant = product.variant(str(last_sku))
    named = products.selection_from_text(turn, product)
    if variant is not None and any(variant.attributes.get(dim) != value for dim, value in named.items()):
        return False  # "再来一件L的" after a white M: another variant, chosen by `buy`
    if more:
        await add_sku(turn, str(last_sku), quantity, product)
        return True
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if not any(line.sku == last_sku for line in cart.lines):
        return False
    await set_quantity(turn, str(last_sku), quantity)
    return True


def _names_other_than(text: str, product: ProductView) -> bool:
    """Words left once "more", counts and the product's own option words are gone that its title
    does not show ("再来两袋猫砂 6L单袋那种" after a leash; not "再来一根", "one more of the leash")."""
    words = products.without_option_words(product_words(without_more_words(text)), product)
    return bool(words) and not products.title_mentions(product.title, words)


async def add_product_button(turn: Turn, value: str) -> None:
    """ "Add to cart" on a product card: the spec chosen so far decides the variant.

    `value` is the product id, or "<id>*<quantity>" from a "which one shall I add?" question."""
    product_id, _, count = value.partition("*")
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    turn.state.context.pop("buy_after_pick", None)
    products.remember_product(turn, product)
    quantity = int(count) if count.isdigit() and 0 < int(count) <= MAX_QTY else 1
    await choose_variant(turn, product, products.selection(turn, product), quantity)


async def take_shown(turn: Turn, product_id: str) -> bool:
    """Add one of the product on screen with the options chosen so far (True when it was added;
    when an option is still open it is asked for and the purchase waits for it)."""
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        return False
    products.remember_product(turn, product)
    await choose_variant(turn, product, products.selection(turn, product), 1)
    return turn.state.context.get("added_at") == turn.state.version


async def choose_variant(turn: Turn, product: ProductView, chosen: dict[str, str], quantity: int) -> None:
    context = turn.state.context
    candidates = products.matching_variants(product, chosen)
    if len(product.variants) == 1:
        candidates = product.variants
    if not candidates:
        turn.say("cart.no_such_variant", turn.button("button.details", codes.PRODUCT, product.product_id))
        return
    if len(candidates) > 1:
        in_stock = [v for v in candidates if v.stock > 0]
        if len(in_stock) == 1:
            candidates = in_stock  # the only one that can be bought; the reply names its specs
    if len(candidates) == 1:
        pending = context.get("pending_add")
        if not pending or pending.get("product") == product.product_id:
            context.pop("pending_add", None)
        await add_sku(turn, candidates[0].sku, quantity, product)
        await _remind_open_choice(turn, product)
        return
    previous = context.get("pending_add")
    if previous and previous.get("product") != product.product_id:
        # "再来个滤杯" while the notebook's colour is open: the dripper's question first, the notebook's kept
        waiting = [w for w in context.get("waiting_choices") or [] if w.get("product") != product.product_id]
        context["waiting_choices"] = [previous, *waiting][:3]
        earlier = await turn.services.shop.product(str(previous.get("product")), turn.lang)
        if earlier is not None:
            turn.say("cart.choice_queued", title=earlier.title)
    context["pending_add"] = {"product": product.product_id, "qty": quantity, "chosen": dict(chosen)}
    dim = next(d for d, values in product.options.items() if d not in chosen and len(values) > 1)
    turn.say("cart.choose_spec", dim=dim)
    products.show(turn, product)


async def _remind_open_choice(turn: Turn, added: ProductView) -> None:
    """Another product was added while one still waits for an option ("oh and baby wipes x3" under
    the notebook's colour question): the open question is asked again, so its answer still counts."""
    context = turn.state.context
    pending = context.get("pending_add")
    waiting = list(context.get("waiting_choices") or [])
    if not pending and waiting:
        pending = waiting.pop(0)  # the question put aside for the product just added comes back
        context["pending_add"] = pending
        context["waiting_choices"] = waiting
    if not pending or pending.get("product") == added.product_id:
        return
    choice = await _open_choice(turn, pending)
    if choice is None:
        return
    product, _, dim = choice
    turn.say("cart.still_to_choose", title=product.title, dim=dim)
    products.show(turn, product)


async def ask_open_choice_again(turn: Turn) -> None:
    """A cart edit made while another product waits for its option ("the car is too pricey, take it
    out" under the cube's question): the question is asked again in one line, so its answer counts."""
    context = turn.state.context
    pending = context.get("pending_add")
    if not pending:
        return
    choice = await _open_choice(turn, pending)
    if choice is not None:
        product, chosen, dim = choice
        buttons = products.option_buttons(turn, product, chosen)
        turn.say("cart.still_to_choose", *buttons, title=product.title, dim=dim)


async def _open_choice(turn: Turn, pending: dict[str, Any]) -> tuple[ProductView, dict[str, str], str] | None:
    """The waiting product, its options chosen so far (made current again) and the first one still
    open; None when it is gone (the wait is dropped) or nothing is open any more."""
    context = turn.state.context
    product = await turn.services.shop.product(str(pending.get("product")), turn.lang)
    if product is None:
        context.pop("pending_add", None)
        return None
    chosen = {str(k): str(v) for k, v in dict(pending.get("chosen") or {}).items()}
    products.remember_product(turn, product)
    chosen = products.set_selection(turn, product, chosen)
    dims = [d for d, values in product.options.items() if d not in chosen and len(values) > 1]
    return (product, chosen, dims[0]) if dims else None


async def view_after_edit(turn: Turn) -> None:
    """The cart after an edit, and the option question still open for another product."""
    await view(turn)
    await ask_open_choice_again(turn)


async def add_sku_button(turn: Turn, sku: str) -> None:
    product = await turn.services.shop.product_by_sku(sku, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    await add_sku(turn, sku, 1, product)


async def add_sku(turn: Turn, sku: str, quantity: int, product: ProductView) -> None:
    variant = product.variant(sku)
    if variant is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    if quantity < 1 or quantity > MAX_QTY:
        turn.say("cart.bad_quantity", max=MAX_QTY)
        return
    spec = "/".join(variant.attributes.values())
    title = f"{product.title}{f' ({spec})' if spec else ''}"
    if variant.stock <= 0:
        turn.say(
            "cart.out_of_stock",
            restock.offer(turn, product, [sku]),
            turn.button("button.similar", codes.SIMILAR, product.product_id),
            *menu_buttons(turn)[:1],
            title=title,
        )
        turn.say("restock.offer")
        return
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    in_cart = sum(line.quantity for line in cart.lines if line.sku == sku)
    if in_cart + quantity > variant.stock:
        available = variant.stock - in_cart
        if available <= 0:
            turn.say("cart.all_in_cart", turn.button("menu.cart", codes.CART), title=title, count=in_cart)
            return
        turn.say(
            "cart.only_left",
            turn.button("button.add_n", codes.ADD_QUANTITY, f"{sku}*{available}", count=available),
            title=title,
            count=variant.stock,
        )
        return
    cart = await turn.services.shop.add_to_cart(turn.customer_id, sku, quantity, turn.lang)
    turn.state.context["last_sku"] = sku
    turn.state.context["added_at"] = turn.state.version  # "两件" in the very next message means this line
    touch(turn, sku)
    turn.reply(
        TextReply(
            text=turn.t("cart.added", title=title, qty=quantity, count=_count(cart), subtotal=cart.subtotal.format()),
            buttons=(
                turn.button("button.checkout", codes.CHECKOUT),
                turn.button("menu.cart", codes.CART),
                turn.button("button.continue", codes.INTENT, "search_product"),
            ),
        )
    )


async def add_quantity_button(turn: Turn, value: str) -> None:
    sku, _, qty = value.partition("*")
    product = await turn.services.shop.product_by_sku(sku, turn.lang)
    if product is None or not qty.isdigit():
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    await add_sku(turn, sku, int(qty), product)


async def set_quantity_button(turn: Turn, value: str) -> None:
    sku, _, qty = value.partition("*")
    if not sku or not qty.isdigit():
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    await set_quantity(turn, sku, int(qty))


def _remember_cart(turn: Turn, cart: CartView) -> None:
    """The cart as listed, so "the second one" next means its second line."""
    turn.state.context["cart_skus"] = [line.sku for line in cart.lines]
    turn.state.context["list_kind"] = "cart"


def _count(cart: CartView) -> int:
    return sum(line.quantity for line in cart.lines)


# --- view and edit ------------------------------------------------------------------------------


async def view(turn: Turn, _: str = "") -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    context = turn.state.context
    if cart.empty:
        context["cart_skus"] = []
        turn.say(
            "cart.empty",
            turn.button("menu.search", codes.INTENT, "search_product"),
            turn.button("menu.popular", codes.POPULAR),
        )
        return
    context["cart_skus"] = [line.sku for line in cart.lines]
    context["list_kind"] = "cart"
    rows = [
        turn.t("cart.line", n=i, title=line_label(line), qty=line.quantity, total=line.line_total.format())
        for i, line in enumerate(cart.lines, start=1)
    ]
    buttons: list[Button] = [turn.button("button.checkout", codes.CHECKOUT)]
    for index, line in enumerate(cart.lines[:MAX_LINES_WITH_BUTTONS], start=1):
        buttons.append(turn.button("button.more_one", codes.MORE_ONE, line.sku, n=index))
        buttons.append(turn.button("button.less_one", codes.LESS_ONE, line.sku, n=index))
        buttons.append(turn.button("button.remove_n", codes.REMOVE, line.sku, n=index))
    buttons.append(turn.button("button.clear_cart", codes.CLEAR_CART))
    turn.reply(
        TextReply(
            text=turn.t("cart.view", lines="\n".join(rows), count=_count(cart), subtotal=cart.subtotal.format()),
            buttons=tuple(buttons),
        )
    )


@dataclass(frozen=True)
class LineMatch:
    """The cart lines a message points at; `missing`: what it named that no line is ("白色", "锅")."""

    lines: list[CartLineView]
    missing: str = ""
    described: bool = False  # found by what the message says (not only "the one on screen")


async def _matching_lines(turn: Turn, cart: CartView) -> LineMatch:
    """The cart lines the message points at: "第二个", "the blue one", "红色的", "the mug", "杯子", "it".

    A message that names a product or an option no line has points at none of them (never at
    the product on screen instead): "白色那个不要了" with only a black line in the cart."""
    if cart.empty:
        return LineMatch([])
    lines = cart.lines
    context = turn.state.context
    text = turn.text or ""
    position = ordinal(text) if text else None
    if position is not None:
        skus = context.get("cart_skus") if context.get("list_kind") == "cart" else None
        sku = pick(list(skus or [line.sku for line in lines]), position)
        found = [line for line in lines if line.sku == sku]
        if found:
            return LineMatch(found, described=True)
    options = _option_words(turn, lines)
    by_option = [line for line in lines if _has_option(turn, line, options)]
    words = _line_words(text, lines)
    by_title = [line for line in lines if words and _names_title(line.title, words)]
    name = turn.entity("product")
    if name and not by_title:
        lowered = str(name).lower()
        by_title = [line for line in lines if lowered in line.title.lower() or line.title.lower() in lowered]
    unknown_words = False
    if words and not by_title:
        found_ids, known = await _search_lines(turn, words)
        by_title = [line for line in lines if line.product_id in found_ids]
        if not by_title and known:
            return LineMatch([], missing=words)  # "锅不要了" without a pan in the cart
        unknown_words = not by_title
    options = [word for word in options if not any(word.lower() in line.title.lower() for line in by_title)]
    if options and by_title:
        both = [line for line in by_title if line in by_option]
        return (
            LineMatch(both, described=True) if both else LineMatch([], missing=f"{' '.join(options)} {words}".strip())
        )
    if options:
        return LineMatch(by_option, described=True) if by_option else LineMatch([], missing=" ".join(options))
    if by_title:
        return LineMatch(by_title, described=True)
    if unknown_words and not refers_to_current(text):
        return LineMatch([])  # words that fit no line: ask which one rather than guess
    if refers_to_current(text) or not name:
        current = context.get("product")
        in_cart = [line for line in lines if line.product_id == current]
        if len(in_cart) == 1:
            return LineMatch(in_cart)
    return LineMatch(list(lines) if len(lines) == 1 else [])


# Words of an edit request that are not the line's description ("不要了", "remove", "改成", "it").
_EDIT_WORDS = re.compile(
    r"不要了|不想要了|不要|不买了|删掉|删了|删除|删|去掉|拿掉|拿出来?|移除|取消|算了|还是|改成|改为|换成|换为|调成|变成|换|改|"
    r"购物车|里面|里的|里|[这那]一?(?:个|件|条|双|只|根|支|瓶|盒|包|袋|套|副|本|罐|把|块|顶|台|张|杯|款|种)|那些|这些|数量|颜色|尺码|尺寸|规格|大小|把|从|给|帮|将|就|都|吧|呢|啊|嘛|了|的|"
    r"\b(?:remove|delete|drop|scrap|ditch|nix|nvm|take|out|get|rid|off|of|from|cart|basket|don'?t|do|not|no|longer|want|need|actually|"
    r"never\s*mind|nah|hmm|oh|swap|switch|change|make|instead|rather|them|it|please|pls|the|one|ones|those|these|"
    r"that|this|with|for|in|to|and|too|also|just|only|can|could|would|i|you|me|my|quantity|qty|size|colou?r|"
    r"items?|set|let'?s|go|anymore|any\s+more|both|all|every|everything|"
    # a unit left once its number is gone ("drop the 30 liter"): part of an option value, no product
    r"lit(?:re|er)s?|millilit(?:re|er)s?|met(?:re|er)s?|ml|cm|mm|inch(?:es)?)\b|[\s,，.。!！?？~]+|"
    # why the line goes ("车太贵了 不要了", "hmm the car is too pricey, take it out")
    r"有点贵|太贵|贵了|太大|太小|买多了|多了|用不上|用不到|不需要|不合适|不喜欢|感觉|觉得|嗯|哦|等等|等下|"
    r"\b(?:hmm+|wait|ok|okay|oh|too|pricey|expensive|much|many|is|are|was|its|it'?s|bit|little|kinda|sorry)\b",
    re.I,
)
# Single characters left over in Chinese that describe nothing ("也", "再", "个").
_LEFTOVER = set("不也再还又个件双副款条只把瓶盒套顶台支张杯位")


def _line_words(text: str, lines: list[CartLineView]) -> str:
    """What is left of an edit request for naming a line by product: "杯子不要了" -> "杯子"."""
    values = [value for line in lines for value in line.attributes.values()]
    rest = products.without_values(_EDIT_WORDS.sub(" ", product_words(_EDIT_WORDS.sub(" ", text))), values)
    rest = _EDIT_WORDS.sub(" ", rest)
    tokens = [t for t in rest.split() if not (len(t) == 1 and (t in _LEFTOVER or t.isascii()))]
    return " ".join(t for t in tokens if not t.isdigit())


def _names_title(title: str, words: str) -> bool:
    """ "teacups" ~ "Bone China Teacup"; "杯子" ~ "骨瓷茶杯"; "手套" ~ "骑行手套"."""
    if products.title_mentions(title, words):
        return True
    lowered = title.lower()
    for token in words.lower().split():
        core = token[:-1] if len(token) > 1 and token[-1] in "子儿们" else token
        if len(core) == 1 and not core.isascii() and core in lowered:
            return True  # a generic noun: 杯(子), 锅, 鞋(子)
    return False


async def _search_lines(turn: Turn, words: str) -> tuple[set[str], bool]:
    """Product ids the shop's search finds for words the titles do not show ("cup" ~ "Ceramic Mug"),
    and whether the words name anything the shop sells at all."""
    result = await turn.services.shop.search(SearchQuery(text=words[:80]), turn.lang, 1, 20)
    # "tea" finds the coffee too when they share a category: the hits whose title says it are meant.
    titled = [item for item in result.items if products.title_mentions(item.title, words)]
    return {item.product_id for item in titled or result.items}, bool(result.items)


def _option_words(turn: Turn, lines: list[CartLineView]) -> list[str]:
    """Colour and size words the message uses (in any spelling) or any cart line's option values it names."""
    text = (turn.text or "").lower()
    named = [alias for group in word_groups() for alias in group if _is_option_word(alias) and alias in text]
    named = [w for w in named if value_position(text, w) >= 0 and not any(w in other for other in named if other != w)]
    values = [value for line in lines for value in mentioned_values(text, list(line.attributes.values()))]
    entities = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    return list(dict.fromkeys([*values, *named, *entities]))


def _is_option_word(alias: str) -> bool:
    # Bare letters and "中的"/"小的" are too common to mean a size on their own in an edit request.
    return len(alias) >= 2 and alias not in {"中的", "大的", "小的", "big", "small", "medium", "large"}


def _has_option(turn: Turn, line: CartLineView, options: list[str]) -> bool:
    values = list(line.attributes.values())
    return any(same_value(word, value) or mentioned_values(word, values) for word in options for value in values)


async def _another_value_for_the_waiting_product(turn: Turn) -> bool:
    """ "ok make it the spicy ones then, still 3" after "the tomato ones are sold out": another value
    for the product of a shopping list still waiting (sold out as asked, or its option open), not
    a cart line to find. The value it had is no answer ("tomato is out? make it spicy")."""
    pending = turn.state.context.get("pending_add")
    if not pending or not turn.text:
        return False
    product = await turn.services.shop.product(str(pending.get("product")), turn.lang)
    if product is None:
        return False
    before = {str(k): str(v) for k, v in dict(pending.get("chosen") or {}).items()}
    named: dict[str, str] = {}
    for dim, values in product.options.items():
        found = [value for value in mentioned_values(turn.text, values) if value != before.get(dim)]
        if len(found) == 1:
            named[dim] = found[0]
    if not named:
        return False
    # "fine, 42 then": the 42 is the size named, not a count
    counted = products.count_for(turn.text, product, quantity_in(products.without_literal_values(turn.text, product)))
    products.remember_product(turn, product)
    chosen = products.set_selection(turn, product, {**before, **named})
    await choose_variant(turn, product, chosen, counted or int(pending.get("qty") or 1))
    return True


async def _not_in_cart(turn: Turn, named: str) -> None:
    """Nothing in the cart is what the customer named: say so and show the cart to pick from."""
    turn.say("cart.no_such_line", named=named[:40])
    await view(turn)


# --- another option for a cart line ("算了换成黑色的", "make it the 750ml") -----------------------

# A change asked for: the line keeps its product and quantity and takes other options.
_CHANGE = re.compile(
    r"换成|换为|换个|换一个|换一下|改成|改为|改一下|调成|变成|换|改|"
    r"\b(?:swap|switch|change|exchange|instead|rather|prefer|replace|make\s+(?:it|that|them|this|mine|the\s+\w+)|go\s+with)\b",
    re.I,
)
# Where the new options start: after "换成" / "to" / "for"; "instead" / "rather" may come last.
_CHANGE_TO = re.compile(
    r"换成|换为|换个|换一个|改成|改为|调成|变成|换|改|\b(?:swap|switch|change|exchange|replace|make|go\s+with)\b",
    re.I,
)
_TO = re.compile(r"\b(?:to|for|into|with)\b", re.I)
# ... unless it is about an order or goods received: that is after-sales.
_AFTER_SALES = re.compile(
    r"换货|退货|退款|退|售后|订单|收到|到货|坏了|破了|质量|发货|地址|收货|寄到|送到|发到|电话|手机号|"
    r"\b(?:orders?|returns?|refunds?|received|arrived|delivered|broken|damaged|defective|faulty|policy|how|"
    r"address|ship|deliver|phone\s*(?:number|no\.?))\b",
    re.I,
)
NOT_A_SWAP = {
    "checkout",
    "pay",
    "human_agent",
    "complaint",
    "cancel_order",
    "order_status",
    "aftersales_status",
    "payment_problem",
    "return_goods",
    "refund",
}
MAX_SWAP_LINES = 10
# A correction without a verb of changing: "should be XL not M", "XL instead of M", "要XL的 不是M".
_CORRECTION = re.compile(r"\bnot\b|\binstead\s+of\b|\brather\s+than\b|不是", re.I)
# A change of mind without a verb of changing ("算了还是3盆的吧", "不要计数款了 要标准款"): only about
# a line just put in, since "还是" alone is also "still" and "or".
_CHANGE_OF_MIND = re.compile(
    r"算了|还是|不要[^，,。.！!？?\s]{0,8}了.*要|其实|\b(?:on\s+second\s+thought|scratch\s+that|no\s+wait)\b", re.I
)
# ... but a line taken out ("黑的删掉 不要了") is a removal, whatever else the message says.
_TAKEN_OUT = re.compile(r"删|去掉|拿掉|移除|\b(?:remove|delete|drop)\b", re.I)


@dataclass(frozen=True)
class Swap:
    line: CartLineView
    product: ProductView
    changes: dict[str, str]


async def change_option_intent(turn: Turn, intent: str) -> bool:
    """ "算了换成28的", "actually swap it for the mint one", "把颜色换成白的": another variant of a cart
    line (same product and quantity). False when the message is not such a change."""
    text = turn.text
    context = turn.state.context
    asked = _CHANGE.search(text) or _STEP_UP.search(text) or _STEP_DOWN.search(text) if text else None
    corrects = bool(text and _CORRECTION.search(text))  # "the black pair should be XL not M"
    mind = bool(
        text
        and not (asked or corrects)
        and _CHANGE_OF_MIND.search(text)
        and not asks_for_more(text)
        and not _TAKEN_OUT.search(text)
    )
    if not text or intent in NOT_A_SWAP or not (asked or corrects or mind) or _AFTER_SALES.search(text):
        return False
    if context.get("list_kind") == "orders" or not (context.get("last_sku") or context.get("cart_skus")):
        return False  # an order is being discussed, or nothing was ever put in the cart
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart.empty:
        return False
    swaps: list[Swap] = []
    seen: dict[str, ProductView | None] = {}
    for line in cart.lines[:MAX_SWAP_LINES]:
        if line.product_id not in seen:
            seen[line.product_id] = await turn.services.shop.product_by_sku(line.sku, turn.lang)
        product = seen[line.product_id]
        changes = _option_changes(turn, product, line) if product is not None else {}
        if product is not None and changes:
            swaps.append(Swap(line, product, changes))
    if wanted_quantity(turn) is not None or trailing_number(text) is not None:
        # "make the original just one" with an original line and a chocolate one: the count is for the
        # line the option describes, not a chocolate line turned original
        swaps = [swap for swap in swaps if not _described_elsewhere(swap, cart.lines)]
    if mind:
        # "算了还是3盆的吧" right after the 9-pot set went in: that line, nothing bought earlier
        recent = recently_touched(turn) | {str(context.get("last_sku") or "")}
        swaps = [swap for swap in swaps if swap.line.sku in recent]
    elif not asked:
        swaps = [swap for swap in swaps if _names_old_value(text, swap)]  # a correction names the old value
    if _card_since_last_add(turn):
        # "i'll go with 30ml" under the card of the serum just shown: the pick on the card (a second
        # line), not the 50ml line in the cart changed - unless the line is named ("change the 50 to 30")
        swaps = [
            swap for swap in swaps if swap.line.product_id != context.get("product") or _names_what_goes(text, swap)
        ]
    if not swaps:
        return False
    words = _line_words(text, cart.lines)
    named = [swap for swap in swaps if words and _names_title(swap.line.title, words)]
    swaps = named or swaps
    described = [swap for swap in swaps if _describes(text, swap)]
    swaps = described or swaps  # "make the navy ones M instead": the navy line, not the one added last
    fewest = min((len(swap.changes) for swap in swaps), default=0)
    # "the black pair should be XL not M" with navy M and black M lines: the black line gets XL (one
    # change), not the navy one turned black and XL
    swaps = [swap for swap in swaps if len(swap.changes) == fewest]
    if len(swaps) > 1:
        current = [s for s in swaps if s.line.sku == context.get("last_sku")] or [
            s for s in swaps if s.line.product_id == context.get("product")
        ]
        swaps = current if len(current) == 1 else swaps
    turn.intent = "change_option"
    if len(swaps) > 1:
        _remember_cart(turn, cart)
        buttons = []
        for swap in swaps[:8]:
            target = _target_variant(swap)
            if target is not None:
                payload = turn.payload(codes.SWAP_OPTION, f"{swap.line.sku}*{target}")
                buttons.append(Button(label=line_label(swap.line)[:64], payload=payload))
        turn.say("cart.which_line_change", *buttons)
        return True
    await _swap(turn, swaps[0], cart)
    return True


# "手机壳改一下 一个透明一个黑色", "make them one clear and one black": one line becomes several versions.
_SPLIT_ASKED = re.compile(r"其中|分别|\b(?:actually|split|each)\b", re.I)
_ZH_COUNT_BEFORE = re.compile(
    r"([一二两三四五六七八九十俩仨]|\d{1,2})\s*(?:个|件|只|条|双|副|套|份|盒|包|瓶|支|根|本|罐|袋)?\s*(?:要|是|换成|改成|换|改)?\s*$"
)
_EN_COUNT_BEFORE = re.compile(r"\b(one|two|three|four|five|\d{1,2})\s+(?:(?:in|of)\s+)?(?:the\s+)?$", re.I)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "俩": 2, "仨": 3}


@dataclass(frozen=True)
class Split:
    line: CartLineView
    product: ProductView
    dim: str
    counts: dict[str, int]


async def split_line_intent(turn: Turn, intent: str) -> bool:
    """ "手机壳改一下 一个透明一个黑色": a line of 2 becomes one of each version named, counts adding
    up to the line's quantity. False when the message is not such a change."""
    text = turn.text
    context = turn.state.context
    if not text or intent in NOT_A_SWAP or _AFTER_SALES.search(text):
        return False
    asked = _CHANGE.search(text) or _SPLIT_ASKED.search(text)
    # "一个透明一个黑色吧" right after two clear ones were added: those two, not two more
    just_added = context.get("added_at") == turn.state.version - 1 and not asks_for_more(text)
    if context.get("list_kind") == "orders" or not (context.get("last_sku") or context.get("cart_skus")):
        return False
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    splits: list[Split] = []
    for line in cart.lines[:MAX_SWAP_LINES]:
        product = await turn.services.shop.product_by_sku(line.sku, turn.lang) if line.quantity > 1 else None
        for dim, values in (product.options if product is not None else {}).items():
            counts = _counted_values(text, values)
            fits = product is not None and len(counts) >= 2 and sum(counts.values()) == line.quantity
            if fits and product is not None and (asked or (just_added and line.sku == context.get("last_sku"))):
                splits.append(Split(line, product, dim, counts))
    words = _line_words(text, cart.lines)
    named = [split for split in splits if words and _names_title(split.line.title, words)]
    splits = named or splits
    if len(splits) != 1:
        return False
    turn.intent = "split_line"
    await _split(turn, splits[0])
    return True


def _counted_values(text: str, values: list[str]) -> dict[str, int]:
    """The values named with a count just before them ("一个透明一个黑色" -> 透明: 1, 黑色: 1)."""
    lowered = text.lower()
    counts: dict[str, int] = {}
    for value in values:
        spot = _named_at(lowered, value, values)
        before = lowered[max(0, spot - 12) : spot] if spot >= 0 else ""
        match = _ZH_COUNT_BEFORE.search(before) or _EN_COUNT_BEFORE.search(before) if before else None
        if match:
            word = match.group(1).lower()
            counts[value] = int(word) if word.isdigit() else _COUNT_WORDS.get(word) or ZH_NUMBERS.get(word, 1)
    return counts


def _named_at(lowered: str, value: str, values: list[str]) -> int:
    """Where the value is named, in any of its spellings ("clear" for 透明), -1 when it is not."""
    spot = _spot(lowered, value, values)
    if spot >= 0:
        return spot
    found = [
        match.start()
        for alias in spellings(value)
        if alias and not any(alias.lower() == other.lower() for other in values if other != value)
        for match in [re.search(rf"(?<![a-z0-9]){re.escape(alias.lower())}(?![a-z0-9])", lowered)]
        if match
    ]
    return min(found, default=-1)


async def _split(turn: Turn, split: Split) -> None:
    line, product = split.line, split.product
    targets: list[tuple[str, int]] = []
    for value, count in split.counts.items():
        variants = products.matching_variants(product, {**line.attributes, split.dim: value})
        if len(variants) != 1 or variants[0].stock < count:
            wanted = {**line.attributes, split.dim: value}
            turn.say(
                "product.spec_unavailable",
                title=product.title,
                wanted="/".join(wanted.values()),
                options=products.options_text(product),
            )
            await view(turn)
            return
        targets.append((variants[0].sku, count))
    shop = turn.services.shop
    await shop.remove_from_cart(turn.customer_id, line.sku, turn.lang)
    for sku, count in targets:
        await shop.add_to_cart(turn.customer_id, sku, count, turn.lang)
    turn.state.context["last_sku"] = targets[-1][0]
    for sku, _ in targets:
        touch(turn, sku)
    labels = [
        f"{product.title} ({'/'.join(v.attributes.values())}) ×{count}"
        for sku, count in targets
        for v in [product.variant(sku)]
        if v
    ]
    turn.say("cart.line_split", old=line_label(line), new=turn.t("cart.title_joiner").join(labels))
    await view_after_edit(turn)


def _names_what_goes(text: str, swap: Swap) -> bool:
    """The message names a value the swap takes from its line ("change the red one to blue": red);
    "i'll go with red 5" names only what the card shows (red stays, 5L is new)."""
    for dim in swap.changes:
        values = swap.product.options.get(dim, [])
        current = swap.line.attributes.get(dim)
        if current is not None and _spot(text, current, values) >= 0:
            return True
    return False


def _card_since_last_add(turn: Turn) -> bool:
    """The last reply showed a product's card, and nothing was put in the cart since."""
    context = turn.state.context
    shown_at, added_at = context.get("shown_at"), context.get("added_at")
    if not isinstance(shown_at, int) or shown_at != turn.state.version - 1:
        return False
    return not isinstance(added_at, int) or added_at < shown_at


def _described_elsewhere(swap: Swap, lines: list[CartLineView]) -> bool:
    """Another line of the same product already has the options the swap would give."""
    return any(
        other.sku != swap.line.sku
        and other.product_id == swap.line.product_id
        and all(other.attributes.get(dim) == value for dim, value in swap.changes.items())
        for other in lines
    )


def _option_changes(turn: Turn, product: ProductView, line: CartLineView) -> dict[str, str]:
    """The options the message gives this line that differ from what it has ({"颜色": "黑色"}).

    A value the line already has and that comes first only describes it ("把白色的换成黑色"); when
    the line's value comes last, the message wants this line's value elsewhere, not this line changed.
    """
    text = turn.text
    verb = _CHANGE_TO.search(text)
    start = verb.start() if verb else 0  # "黑的改成3件": 黑的 before the verb only names the line
    to = _TO.search(text, verb.end()) if verb else None
    start = to.start() if to else start  # "change the white one to 4": "the white one" names the line
    entities = [str(v) for v in (*turn.entities("color"), *turn.entities("size"))]
    changes: dict[str, str] = {}
    for dim, values in product.options.items():
        if len(values) < 2:
            continue
        spots = {value: _spot(text, value, values) for value in values}
        current = line.attributes.get(dim)
        negated = _negated_values(text, spots)
        if negated and current not in negated:
            continue  # "XL not M": only a line that is M now is meant
        if start:  # "还是心形的好看 换成粉色心形的": a value named before the verb and again after it
            spots.update({value: start + spot for value in values if (spot := _spot(text[start:], value, values)) >= 0})
        found = [value for value in values if spots[value] >= start and value not in negated]
        if not found and not any(spot >= 0 for spot in spots.values()):
            found = [value for value in values for word in entities if same_value(word, value)]
            found = found or _size_step(text[start:], values, current) or products.relative_size(text[start:], values)
            spots.update({value: len(text) for value in found})
        others = sorted((value for value in found if value != current), key=lambda value: spots[value])
        if not others or (current in found and spots[current] > spots[others[-1]]):
            continue
        changes[dim] = others[-1]
    return changes


# "XL not M", "in XL instead of M", "要XL的 不是M": the value after the negation is the line's old one.
_NEGATION_BEFORE = re.compile(
    r"(?:\bnot|\binstead\s+of|\brather\s+than|\bno\s+longer|不是|而不是|不要)\s*(?:the\s+|an?\s+|size\s+)?$", re.I
)


# ... or with what is wrong with it after it ("9盆太多了", "12棵阳台放不下", "计数款的不要了").
_FAULT_AFTER = re.compile(
    r"^(?:的|款|号|色)?\s*(?:[^，,。.！!？?\s]{0,4}?)(?:太|有点|不要|不想要|放不下|用不完|用不上|不合适|不好看|不喜欢|多了|大了|小了|贵了)"
)


def _negated_values(text: str, spots: dict[str, int]) -> set[str]:
    """The values the message names right after "not" / "instead of" / "不是", or with a fault right
    after them ("9盆太多了"): what a line has now."""
    negated = set()
    for value, spot in spots.items():
        before = text[max(0, spot - 16) : spot] if spot > 0 else ""
        after = text[spot + _written_length(text, spot, value) :] if spot >= 0 else ""
        if (before and _NEGATION_BEFORE.search(before)) or (after and _FAULT_AFTER.search(after)):
            negated.add(value)
    return negated


def _written_length(text: str, spot: int, value: str) -> int:
    """How long the value is as written at `spot`: itself, or one of its spellings ("原味" for Original)."""
    lowered = text[spot:].lower()
    written = [form for form in (value, *spellings(value)) if form and lowered.startswith(form.lower())]
    return max((len(form) for form in written), default=len(value))


def _names_old_value(text: str, swap: Swap) -> bool:
    """The message negates a value the swap's line has now, in a dimension the swap changes."""
    for dim in swap.changes:
        values = swap.product.options.get(dim, [])
        if swap.line.attributes.get(dim) in _negated_values(text, {v: _spot(text, v, values) for v in values}):
            return True
    return False


def _describes(text: str, swap: Swap) -> bool:
    """The message describes the swap's line as it is now: one of its values named before the new
    ones ("make the navy ones M": navy), or named as the old one ("XL not M": M)."""
    product, line = swap.product, swap.line
    new_at = min(
        (_spot(text, value, product.options.get(dim, [])) for dim, value in swap.changes.items()), default=len(text)
    )
    for dim, current in line.attributes.items():
        values = product.options.get(dim, [])
        spot = _spot(text, current, values) if len(values) > 1 else -1
        if spot >= 0 and (spot < new_at or current in _negated_values(text, {current: spot})):
            return True
    return False


_STEP_UP = re.compile(
    r"大一(?:号|码|点|个(?:号|码|尺码))|大点|\b(?:one|a)\s+size\s+(?:up|bigger|larger)\b|\bsize\s+up\b", re.I
)
_STEP_DOWN = re.compile(
    r"小一(?:号|码|点|个(?:号|码|尺码))|小点|\b(?:one|a)\s+size\s+(?:down|smaller)\b|\bsize\s+down\b", re.I
)


def _size_step(text: str, values: list[str], current: str | None) -> list[str]:
    """ "换大一号的" / "one size up": the next size after the line's own (sizes as numbers or S/M/L)."""
    step = 1 if _STEP_UP.search(text) else -1 if _STEP_DOWN.search(text) else 0
    if not step or current not in values:
        return []
    numbers = [leading_number(value) for value in values]
    ranks: list[float | None] = numbers
    if any(number is None for number in numbers):
        ranks = [
            next((float(i) for i, group in enumerate(SIZE_GROUPS) if v.strip().lower() in group), None) for v in values
        ]
    if any(rank is None for rank in ranks):
        return []
    ordered = [value for _, value in sorted(zip(ranks, values, strict=True), key=lambda pair: pair[0] or 0.0)]
    index = ordered.index(current) + step
    return [ordered[index]] if 0 <= index < len(ordered) else []


def _spot(text: str, value: str, values: list[str]) -> int:
    """Where the text names the value; a word of it no other value has ("mint" of "mint green") and a
    one-letter typo of an English colour ("blak") count."""
    spot = value_position(text, value)
    if spot < 0:
        spot = distinct_part_at(text, value, values)  # "换成心形的" among 圆形礼盒 / 心形礼盒
    if spot >= 0:
        return spot
    lowered = text.lower()
    own = [
        w
        for w in value.lower().split()
        if len(w) >= 3 and not any(w in v.lower().split() for v in values if v != value)
    ]
    for word in own if " " in value.strip() else []:
        match = re.search(rf"\b{re.escape(word)}\b", lowered)
        if match:
            return match.start()
    aliases = [alias for alias in spellings(value) if alias.isascii() and len(alias) >= 4 and " " not in alias]
    for match in re.finditer(r"[a-z]{4,}", lowered):
        if any(_one_typo(match.group(), alias.lower()) for alias in aliases):
            return match.start()
    return -1


def _one_typo(word: str, alias: str) -> bool:
    """One letter left out, added or changed ("blak", "whitte", "grey" ~ "gray" is an alias already)."""
    if word == alias or abs(len(word) - len(alias)) > 1:
        return False
    if len(word) == len(alias):
        return sum(a != b for a, b in zip(word, alias, strict=True)) == 1
    short, long_ = sorted((word, alias), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


async def change_options_named(turn: Turn, skus: set[str]) -> None:
    """The cart lines of `skus` changed to the options the message names ("重新下个43的" once the
    cancelled order's 42 is back in the cart)."""
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    for line in [line for line in cart.lines if line.sku in skus]:
        product = await turn.services.shop.product_by_sku(line.sku, turn.lang)
        changes = _option_changes(turn, product, line) if product is not None else {}
        if product is None or not changes:
            continue
        target = _target_variant(Swap(line, product, changes))
        if target is not None and target != line.sku:
            await swap_line(turn, line, target, line.quantity, product)


def _target_variant(swap: Swap) -> str | None:
    wanted = {**swap.line.attributes, **swap.changes}
    variants = products.matching_variants(swap.product, wanted)
    return variants[0].sku if len(variants) == 1 else None


async def _swap(turn: Turn, swap: Swap, cart: CartView) -> None:
    line, product = swap.line, swap.product
    products.remember_product(turn, product)
    target = _target_variant(swap)
    if target is None:
        wanted = {**line.attributes, **swap.changes}
        turn.say(
            "product.spec_unavailable",
            title=product.title,
            wanted="/".join(wanted.values()),
            options=products.options_text(product),
        )
        await view(turn)
        return
    quantity = wanted_quantity(turn) or line.quantity
    await swap_line(turn, line, target, quantity, product)


async def swap_line(turn: Turn, line: CartLineView, sku: str, quantity: int, product: ProductView) -> None:
    """Replace the cart line with `quantity` of `sku` (another variant of its product), stock permitting."""
    variant = product.variant(sku)
    if variant is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    spec = "/".join(variant.attributes.values())
    title = f"{product.title}{f' ({spec})' if spec else ''}"
    products.set_selection(turn, product, dict(variant.attributes))
    if variant.stock <= 0:
        turn.say("cart.out_of_stock", turn.button("menu.cart", codes.CART), title=title)
        return
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    in_cart = sum(item.quantity for item in cart.lines if item.sku == sku)
    if quantity < 1 or quantity > MAX_QTY:
        turn.say("cart.bad_quantity", max=MAX_QTY)
        return
    if in_cart + quantity > variant.stock:
        turn.say("cart.only_left", turn.button("menu.cart", codes.CART), title=title, count=variant.stock)
        return
    await turn.services.shop.add_to_cart(turn.customer_id, sku, quantity, turn.lang)
    await turn.services.shop.remove_from_cart(turn.customer_id, line.sku, turn.lang)
    turn.state.context["last_sku"] = sku
    touch(turn, sku)
    turn.say("cart.option_changed", old=line_label(line), new=title, qty=quantity)
    await view_after_edit(turn)


async def swap_button(turn: Turn, value: str) -> None:
    """ "swap:<old sku>*<new sku>": the answer to "which item should change?"."""
    old, _, new = value.partition("*")
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    line = next((item for item in cart.lines if item.sku == old), None)
    product = await turn.services.shop.product_by_sku(new, turn.lang) if new else None
    if line is None or product is None or product.product_id != line.product_id:
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    products.remember_product(turn, product)
    await swap_line(turn, line, new, line.quantity, product)


# "冰袖都不要了", "remove both mugs": every line the words fit, not one of them.
_ALL_OF = re.compile(r"都|全部|全都|\b(?:both|all)\b", re.I)
# "clear my cart", "清空购物车": the whole cart, even when "clear" is also an option of a line (a clear case).
_WHOLE_CART = re.compile(
    r"清空|\b(?:clear|empty)\s+(?:out\s+)?(?:the|my)?\s*(?:cart|basket|everything|it\s+all)\b|"
    r"\bremove\s+(?:all|everything)\b",
    re.I,
)
_CLEAR = ("清空", "全部删", "都删", "clear", "empty the cart", "empty my cart", "remove all", "remove everything")


# Any word of taking something out: without one, a "removal" from an empty cart was a misreading.
_TAKES_OUT = re.compile(
    r"不要|不想要|不买|删|去掉|拿掉|拿出|移除|取消|清空|算了|"
    r"\b(?:remove|delete|drop|scrap|ditch|nix|clear|empty|cancel|forget|minus|less|fewer|without|"
    r"take\b.*\b(?:out|off)|get\s+rid|don'?t\s+(?:want|need)|no\s+longer|nvm|never\s*mind)\b",
    re.I,
)


async def remove_intent(turn: Turn) -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart.empty and turn.text and not _TAKES_OUT.search(turn.text) and product_words(turn.text):
        # "10kg bag of the jasmine rice" read as a removal with nothing in the cart: goods asked for
        turn.intent = "add_to_cart"
        await add_intent(turn)
        return
    if cart.empty:
        turn.say("cart.empty", turn.button("menu.search", codes.INTENT, "search_product"))
        return
    match = await _matching_lines(turn, cart)
    if match.missing:
        await _not_in_cart(turn, match.missing)
        return
    text = turn.text or ""
    if len(match.lines) > 1 and match.described and _ALL_OF.search(text):
        await _remove_lines(turn, match.lines)
        return
    line = match.lines[0] if len(match.lines) == 1 else None
    if line is None:
        _remember_cart(turn, cart)
        buttons = [
            Button(label=line_label(item)[:64], payload=turn.payload(codes.REMOVE, item.sku))
            for item in (match.lines or cart.lines)[:8]
        ]
        turn.say("cart.which_remove", *buttons)
        return
    count = _count_to_remove(text)
    if count is not None and 0 < count < line.quantity:
        await set_quantity(turn, line.sku, line.quantity - count)  # "去掉一个杯子": one of the two
        return
    await remove(turn, line.sku)


_EN_REMOVE_COUNT = re.compile(
    r"\b(?:remove|delete|drop|take\s+out|take\s+off)\s+(\d{1,2}|one|a|an)\s+(?!of\b)[a-z]", re.I
)


def _count_to_remove(text: str) -> int | None:
    """ "去掉一个杯子", "remove one of the mugs", "remove 1 mug": fewer, not the whole line."""
    if ordinal(text) is not None:
        return None
    match = _EN_REMOVE_COUNT.search(text)
    if match:
        word = match.group(1).lower()
        return int(word) if word.isdigit() else 1
    return quantity_in(text)


async def remove_or_clear_intent(turn: Turn) -> None:
    """ "Remove the X" removes one line; "empty the cart" asks before clearing it."""
    if any(word in turn.text.lower() for word in _CLEAR):
        cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
        match = await _matching_lines(turn, cart)
        if match.described and not _WHOLE_CART.search(turn.text) and 0 < len(match.lines) < len(cart.lines):
            await _remove_lines(turn, match.lines)  # "冰袖都删了" with a mug in the cart too
            return
        await clear_button(turn)
        return
    await remove_intent(turn)


async def _remove_lines(turn: Turn, lines: list[CartLineView]) -> None:
    for line in lines:
        await turn.services.shop.remove_from_cart(turn.customer_id, line.sku, turn.lang)
    turn.say("cart.removed", title=turn.t("cart.title_joiner").join(line_label(line) for line in lines))
    await view_after_edit(turn)


async def remove(turn: Turn, sku: str) -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    line = next((item for item in cart.lines if item.sku == sku), None)
    if line is None:
        turn.say("cart.not_in_cart")
        await view(turn)
        return
    await turn.services.shop.remove_from_cart(turn.customer_id, sku, turn.lang)
    turn.say("cart.removed", title=line_label(line))
    await view_after_edit(turn)


async def change_by(turn: Turn, sku: str, delta: int) -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    line = next((item for item in cart.lines if item.sku == sku), None)
    if line is None:
        turn.say("cart.not_in_cart")
        await view(turn)
        return
    await set_quantity(turn, sku, line.quantity + delta)


async def set_quantity(turn: Turn, sku: str, quantity: int) -> None:
    if quantity <= 0:
        await remove(turn, sku)
        return
    if quantity > MAX_QTY:
        turn.say("cart.bad_quantity", max=MAX_QTY)
        return
    product = await turn.services.shop.product_by_sku(sku, turn.lang)
    variant = product.variant(sku) if product else None
    if variant is not None and quantity > variant.stock:
        turn.say("cart.only_left_plain", count=variant.stock)
        return
    await turn.services.shop.set_quantity(turn.customer_id, sku, quantity, turn.lang)
    touch(turn, sku)
    turn.say("cart.quantity_set", qty=quantity)
    await view_after_edit(turn)


async def inc_button(turn: Turn, sku: str) -> None:
    await change_by(turn, sku, 1)


async def dec_button(turn: Turn, sku: str) -> None:
    await change_by(turn, sku, -1)


async def remove_button(turn: Turn, sku: str) -> None:
    await remove(turn, sku)


async def clear_button(turn: Turn, _: str = "") -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart.empty:
        turn.say("cart.empty", turn.button("menu.search", codes.INTENT, "search_product"))
        return
    await ask_confirmation(turn, "clear_cart", {}, "cart.confirm_clear")


async def clear_confirmed(turn: Turn, _: dict[str, str]) -> None:
    await turn.services.shop.clear_cart(turn.customer_id)
    turn.say("cart.cleared", *menu_buttons(turn))


# --- for the edits of several lines in one message (dialogs.flows.edits) --------------------------


def asks_for_change(text: str) -> bool:
    """A word of changing a line: "改成", "换成", "make it", "one size up", "XL not M"."""
    return any(pattern.search(text) for pattern in (_CHANGE, _CHANGE_TO, _STEP_UP, _STEP_DOWN, _CORRECTION))


def about_after_sales(text: str) -> bool:
    """Words of an order or goods received: a change of those is after-sales, not a cart edit."""
    return bool(_AFTER_SALES.search(text))


async def matching_lines(turn: Turn, cart: CartView) -> LineMatch:
    return await _matching_lines(turn, cart)


async def option_swaps(turn: Turn, lines: list[CartLineView]) -> list[Swap]:
    """The lines (of those given) the message gives other options, the ones it describes first."""
    swaps: list[Swap] = []
    for line in lines[:MAX_SWAP_LINES]:
        product = await turn.services.shop.product_by_sku(line.sku, turn.lang)
        changes = _option_changes(turn, product, line) if product is not None else {}
        if product is not None and changes:
            swaps.append(Swap(line, product, changes))
    described = [swap for swap in swaps if _describes(turn.text, swap)]
    return described or swaps


def target_variant(swap: Swap) -> str | None:
    return _target_variant(swap)


def described_part(text: str) -> str:
    """The words naming the line in a change: before "to" ("change the blue one to grey") or before
    the verb ("粉色的换成灰色"); the whole text when the verb comes first with no "to"."""
    verb = _CHANGE_TO.search(text)
    to = _TO.search(text, verb.end()) if verb else None
    if to:
        return text[: to.start()]
    return text[: verb.start()] if verb and verb.start() > 0 else text
