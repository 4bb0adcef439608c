"""Which handler answers which intent, button and flow step. The router consults these tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from dialogs import buttons as codes
from dialogs.flows import aftersales, browse, cart, checkout, compare, fit, info, orders, restock, several, specs
from dialogs.flows.base import Flow
from dialogs.flows.confirm import ConfirmedAction, ConfirmFlow
from dialogs.turn import Turn

IntentHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, str], Awaitable[None]]


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
    "add_to_cart": several.add_intent,  # several products named, else cart.add_intent
    "view_cart": cart.view,
    "remove_from_cart": cart.remove_or_clear_intent,
    "checkout": checkout.start,
    "ask_promotion": info.faq_for_intent,
    "use_coupon": checkout.coupon_intent,
    "pay": orders.pay_intent,
    "payment_problem": orders.payment_problem_intent,
    "order_status": orders.status_intent,
    "track_shipment": orders.track_intent,
    "cancel_order": aftersales.cancel_intent,  # a paid unshipped order's refund, else orders.cancel_intent
    "change_address": orders.change_address_intent,
    "return_goods": aftersales.intent,
    "exchange_goods": aftersales.intent,
    "refund": aftersales.intent,
    "shipping_info": info.faq_for_intent,
    "invoice": info.faq_for_intent,
    "human_agent": info.human_intent,
    "complaint": info.complaint,
    "aftersales_status": aftersales.show_status,
    "faq_question": info.faq_question,
    "bargain": info.bargain,
    "compare": compare.compare,
    "stock_question": browse.stock_answer,
    "product_question": fit.answer,
}

BUTTON_HANDLERS: dict[str, ButtonHandler] = {
    codes.PRODUCT: browse.show_product,
    codes.OPTION: specs.option_button,
    codes.PAGE: browse.page_button,
    codes.SIMILAR: browse.similar,
    codes.RESTOCK_NOTICE: restock.button,
    codes.POPULAR: browse.popular,
    codes.ADD_SKU: cart.add_sku_button,
    codes.ADD_PRODUCT: cart.add_product_button,
    codes.ADD_QUANTITY: cart.add_quantity_button,
    codes.SET_QUANTITY: cart.set_quantity_button,
    codes.SWAP_OPTION: cart.swap_button,
    codes.CART: cart.view,
    codes.MORE_ONE: cart.inc_button,
    codes.LESS_ONE: cart.dec_button,
    codes.REMOVE: cart.remove_button,
    codes.CLEAR_CART: cart.clear_button,
    codes.CHECKOUT: checkout.start,
    codes.EDIT_ADDRESS: checkout.start,  # the summary's "change address" after checkout ended
    codes.ORDERS: orders.list_orders,
    codes.ORDER: orders.show_order,
    codes.TRACK: orders.track,
    codes.PAY: orders.pay_intent,
    codes.PAY_LINK: orders.pay_intent,
    codes.PAY_WITH: orders.pay_with,
    codes.CANCEL_ORDER: orders.cancel_intent,
    codes.CHANGE_ADDRESS: orders.change_address_intent,
    codes.AFTERSALES: aftersales.button,
    codes.AFTERSALES_STATUS: aftersales.show_status,
    codes.FAQ: info.faq_answer,
    codes.HUMAN: info.human_button,
}

# What "yes" to an "are you sure?" question does, by the action name the question was asked for.
CONFIRMED_ACTIONS: dict[str, ConfirmedAction] = {
    "clear_cart": cart.clear_confirmed,
    "cancel_order": orders.cancel_confirmed,
}

FLOWS: dict[str, Flow] = {
    "checkout": checkout.CheckoutFlow(),
    "confirm": ConfirmFlow(CONFIRMED_ACTIONS),
    "change_address": orders.ChangeAddressFlow(),
    "aftersales": aftersales.AfterSalesFlow(),
}
