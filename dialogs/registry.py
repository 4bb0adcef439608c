"""Which handler answers which intent, button and flow step. The router consults these tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dialogs.flows import aftersales, browse, cart, checkout, info, orders
from dialogs.flows.base import Flow
from dialogs.flows.confirm import ACTIONS, ConfirmFlow
from dialogs.turn import Turn

IntentHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, str], Awaitable[None]]


async def _use_coupon(turn: Turn) -> None:
    """A coupon mentioned outside checkout is kept for the next checkout (and checked now)."""
    code = turn.entity("coupon_code")
    if not code:
        turn.say("coupon.ask_code")
        return
    check = await turn.services.shop.check_coupon(turn.customer_id, str(code).upper(), turn.lang)
    if not check.ok:
        turn.say("checkout.coupon_invalid", code=str(code), reason=check.message)
        return
    turn.state.context["pending_coupon"] = check.code
    turn.say("coupon.saved", turn.button("button.checkout", "co"), code=check.code)


async def _remove_or_clear(turn: Turn) -> None:
    if any(word in turn.text.lower() for word in ("清空", "全部删", "都删", "clear", "empty the cart", "remove all")):
        await cart.clear_button(turn)
        return
    await cart.remove_intent(turn)


INTENT_HANDLERS: dict[str, IntentHandler] = {
    "greet": info.greet,
    "goodbye": info.goodbye,
    "thanks": info.thanks,
    "help": info.help_,
    "affirm": info.affirm_or_deny,
    "deny": info.affirm_or_deny,
    "chitchat": info.chitchat,
    "search_product": browse.search_intent,
    "product_info": browse.product_info,
    "recommend": browse.recommend,
    "add_to_cart": cart.add_intent,
    "view_cart": cart.view,
    "remove_from_cart": _remove_or_clear,
    "checkout": checkout.start,
    "ask_promotion": info.faq_for_intent,
    "use_coupon": _use_coupon,
    "pay": orders.pay_intent,
    "payment_problem": info.faq_for_intent,
    "order_status": orders.status_intent,
    "track_shipment": orders.track_intent,
    "cancel_order": orders.cancel_intent,
    "change_address": orders.change_address_intent,
    "return_goods": aftersales.intent,
    "exchange_goods": aftersales.intent,
    "refund": aftersales.intent,
    "shipping_info": info.faq_for_intent,
    "invoice": info.faq_for_intent,
    "human_agent": info.human_intent,
    "complaint": info.complaint,
    "aftersales_status": aftersales.show_status,
}

BUTTON_HANDLERS: dict[str, ButtonHandler] = {
    "p": browse.show_product,
    "opt": browse.option_button,
    "pg": browse.page_button,
    "sim": browse.similar,
    "pop": browse.popular,
    "add": cart.add_sku_button,
    "addp": cart.add_product_button,
    "addq": cart.add_quantity_button,
    "cart": cart.view,
    "inc": cart.inc_button,
    "dec": cart.dec_button,
    "rm": cart.remove_button,
    "clear": cart.clear_button,
    "co": checkout.start,
    "orders": orders.list_orders,
    "o": orders.show_order,
    "trk": orders.track,
    "pay": orders.pay_intent,
    "payurl": orders.pay_intent,
    "cxl": orders.cancel_intent,
    "chaddr": orders.change_address_intent,
    "as": aftersales.button,
    "asst": aftersales.show_status,
    "faq": info.faq_answer,
    "human": info.human_button,
}

FLOWS: dict[str, Flow] = {
    "checkout": checkout.CheckoutFlow(),
    "confirm": ConfirmFlow(),
    "change_address": orders.ChangeAddressFlow(),
    "aftersales": aftersales.AfterSalesFlow(),
}

ACTIONS.update({"clear_cart": cart.clear_confirmed, "cancel_order": orders.cancel_confirmed})


def detect_language_switch(turn: Turn) -> None:
    """Answer in the language the customer writes in, unless they chose one with /lang."""
    from dialogs.engine import detect_language

    state = turn.state
    if state.lang_locked:
        return
    detected = detect_language(turn.text)
    if detected is not None:
        state.lang = detected
