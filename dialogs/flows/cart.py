"""The cart: add (with spec and quantity), view, change quantity, remove, clear."""

from __future__ import annotations

from dialogs import buttons as codes
from dialogs.flows import browse, products
from dialogs.flows.base import menu_buttons
from dialogs.flows.confirm import ask_confirmation
from dialogs.messages import Button, TextReply
from dialogs.ports import CartLineView, CartView, ProductView
from dialogs.references import (
    asks_for_more,
    asks_to_set_quantity,
    mentioned_values,
    only_quantity,
    ordinal,
    pick,
    product_words,
    quantity_in,
    refers_to_current,
    trailing_number,
)
from dialogs.turn import Turn

MAX_QTY = 99
MAX_LINES_WITH_BUTTONS = 5


def wanted_quantity(turn: Turn) -> int | None:
    value = turn.entity("quantity")
    if value is None and turn.text:
        value = quantity_in(turn.text)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _line_label(line: CartLineView) -> str:
    spec = "/".join(line.attributes.values())
    return f"{line.title}{f' ({spec})' if spec else ''}"


# --- add --------------------------------------------------------------------------------------


async def add_intent(turn: Turn) -> None:
    quantity = wanted_quantity(turn)
    if asks_to_set_quantity(turn.text):
        quantity = quantity if quantity is not None else trailing_number(turn.text)
    if quantity is not None and asks_to_set_quantity(turn.text):
        cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
        lines = _matching_lines(turn, cart)
        if len(lines) == 1:
            await set_quantity(turn, lines[0].sku, quantity)
            return
        if len(lines) > 1:
            # "红色的改成两件" with two red lines: ask, never guess or add a new line.
            _remember_cart(turn, cart)
            buttons = [
                Button(label=_line_label(line)[:64], payload=turn.payload(codes.SET_QUANTITY, f"{line.sku}*{quantity}"))
                for line in lines[:8]
            ]
            turn.say("cart.which_line", *buttons, qty=quantity)
            return
    if quantity is not None and await _more_of_last(turn, quantity):
        return
    product = await browse.resolve_product(turn)
    on_screen = product
    if (
        product is not None
        and product.product_id == turn.state.context.get("product")
        and ordinal(turn.text) is None
        and not turn.entity("product")
        and browse.names_another_product(turn, product)
    ):
        product = None  # "and the utensil set" while a mug is on screen: not the mug
    if product is None:
        product = await browse.find_to_buy(turn)
    if product is None and on_screen is not None:
        product = on_screen  # "just 5 at the normal price then": nothing else is named after all
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
    await buy(turn, product, quantity or 1)


async def buy(turn: Turn, product: ProductView, quantity: int) -> None:
    """Add `product` with the options named in the message (asking only for what is missing)."""
    products.remember_product(turn, product)
    missing = products.unmatched_specs(turn, product) if product.options else []
    if missing and not products.selection_from_text(turn, product):
        # "要黑色的" for a product without black: say so rather than add another colour.
        turn.say(
            "product.spec_unavailable",
            title=product.title,
            wanted=" ".join(missing),
            options=products.options_text(product),
        )
        products.show(turn, product)
        return
    chosen = products.set_selection(
        turn, product, {**products.selection(turn, product), **products.selection_from_text(turn, product)}
    )
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
    if await browse.run_search(turn, query, 1):
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
    if more:
        await add_sku(turn, str(last_sku), quantity, product)
        return True
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if not any(line.sku == last_sku for line in cart.lines):
        return False
    await set_quantity(turn, str(last_sku), quantity)
    return True


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
        context.pop("pending_add", None)
        await add_sku(turn, candidates[0].sku, quantity, product)
        return
    context["pending_add"] = {"product": product.product_id, "qty": quantity}
    dim = next(d for d, values in product.options.items() if d not in chosen and len(values) > 1)
    turn.say("cart.choose_spec", dim=dim)
    products.show(turn, product)


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
            turn.button("button.similar", codes.SIMILAR, product.product_id),
            *menu_buttons(turn)[:1],
            title=title,
        )
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
        turn.t("cart.line", n=i, title=_line_label(line), qty=line.quantity, total=line.line_total.format())
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


async def _resolve_line(turn: Turn) -> CartLineView | None:
    """The one cart line the message means, or None (no line, or several fit)."""
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    matching = _matching_lines(turn, cart)
    return matching[0] if len(matching) == 1 else None


def _matching_lines(turn: Turn, cart: CartView) -> list[CartLineView]:
    """The cart lines the message points at: "第二个", "the blue one", "红色的", "the mug", "it"."""
    if cart.empty:
        return []
    lines = cart.lines
    context = turn.state.context
    position = ordinal(turn.text) if turn.text else None
    if position is not None:
        skus = context.get("cart_skus") if context.get("list_kind") == "cart" else None
        sku = pick(list(skus or [line.sku for line in lines]), position)
        found = [line for line in lines if line.sku == sku]
        if found:
            return found
    described = _described_lines(turn.text, lines) if turn.text else []
    if described:
        return described
    name = turn.entity("product")
    if name:
        lowered = str(name).lower()
        matches = [line for line in lines if lowered in line.title.lower() or line.title.lower() in lowered]
        if matches:
            return matches
    if refers_to_current(turn.text) or not name:
        current = context.get("product")
        in_cart = [line for line in lines if line.product_id == current]
        if len(in_cart) == 1:
            return in_cart
    return list(lines) if len(lines) == 1 else []


def _described_lines(text: str, lines: list[CartLineView]) -> list[CartLineView]:
    """Lines whose options ("蓝的", "the blue one", "L码") and/or title words the text names."""
    by_option = [line for line in lines if mentioned_values(text, list(line.attributes.values()))]
    all_values = [value for line in lines for value in line.attributes.values()]
    words = products.without_values(product_words(text), all_values)
    by_title = [line for line in lines if words and products.title_mentions(line.title, words)]
    both = [line for line in by_option if line in by_title]
    return both or by_option or by_title


async def remove_intent(turn: Turn) -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart.empty:
        turn.say("cart.empty", turn.button("menu.search", codes.INTENT, "search_product"))
        return
    line = await _resolve_line(turn)
    if line is None:
        turn.state.context["cart_skus"] = [item.sku for item in cart.lines]
        turn.state.context["list_kind"] = "cart"
        buttons = [
            Button(label=_line_label(item)[:64], payload=turn.payload(codes.REMOVE, item.sku))
            for item in cart.lines[:8]
        ]
        turn.say("cart.which_remove", *buttons)
        return
    await remove(turn, line.sku)


async def remove_or_clear_intent(turn: Turn) -> None:
    """ "Remove the X" removes one line; "empty the cart" asks before clearing it."""
    if any(word in turn.text.lower() for word in ("清空", "全部删", "都删", "clear", "empty the cart", "remove all")):
        await clear_button(turn)
        return
    await remove_intent(turn)


async def remove(turn: Turn, sku: str) -> None:
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    line = next((item for item in cart.lines if item.sku == sku), None)
    if line is None:
        turn.say("cart.not_in_cart")
        await view(turn)
        return
    await turn.services.shop.remove_from_cart(turn.customer_id, sku, turn.lang)
    turn.say("cart.removed", title=_line_label(line))
    await view(turn)


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
    turn.say("cart.quantity_set", qty=quantity)
    await view(turn)


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
