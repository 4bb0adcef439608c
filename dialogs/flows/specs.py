"""Choosing a product's options - by button or typed ("黑色 L码", "the 256 one") - and finishing
an add-to-cart that waited for them."""

from __future__ import annotations

import re

from dialogs.flows import cart, products
from dialogs.flows.base import menu_buttons
from dialogs.references import quantity_in
from dialogs.turn import Turn

# A spec named as a request, not only a choice: "the red one please", "来个大号".
# ("要黑色的" alone only chooses: the card's "add" button is the next step customers expect.)
_REQUEST = re.compile(
    r"^\s*(?:来|买|拿)|给我|就要|\b(?:please|pls|plz|i'?ll\s+(?:take|have|get|go\s+with)|i'?d\s+like|give\s+me|"
    r"go(?:ing)?\s+with)\b",
    re.I,
)


async def spec_follow_up(turn: Turn) -> bool:
    """Specs typed for the product on screen: select them (and finish a pending "add to cart")."""
    context = turn.state.context
    product_id = context.get("product")
    if not product_id or not turn.text:
        return False
    # Most messages about the product on screen are not specs ("how long is the warranty?"):
    # its options as shown tell that without reading it again.
    remembered = products.remembered_options(context, str(product_id))
    if remembered is not None and not products.names_only_specs(turn, remembered):
        return False
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None or not products.spec_only(turn, product):
        return False
    chosen = products.selection_from_text(turn, product)
    missing = products.unmatched_specs(turn, product)
    if missing and not chosen:
        turn.intent = "select_spec"
        turn.say(
            "product.spec_unavailable",
            title=product.title,
            wanted=" ".join(missing),
            options=products.options_text(product),
        )
        products.show(turn, product)
        return True
    if not chosen:
        return False
    turn.intent = "select_spec"
    current = products.set_selection(turn, product, {**products.selection(turn, product), **chosen})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return True
    if _REQUEST.search(turn.text):
        # "the red one please", "要白色的": choosing and asking for it - add it, don't only select.
        turn.intent = "add_to_cart"
        await cart.choose_variant(turn, product, current, quantity_in(turn.text) or 1)
        return True
    products.show(turn, product)
    return True


async def option_button(turn: Turn, value: str) -> None:
    """ "option:<dim>.<value>" on the product on screen; completes a pending add-to-cart."""
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
    current = products.set_selection(turn, product, {**products.selection(turn, product), dim: chosen_value})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return
    products.show(turn, product)
