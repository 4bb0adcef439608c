"""Button codes: the prefix of a button payload ("<code>:<value>") names what pressing it does.

Payloads travel through the channels (Telegram callback data, WeChat menu keys, the web
chat) and stay in old messages for weeks, so a renamed code must keep working: buttons sent
before the rename carry the short codes in `LEGACY_CODES`, which `canonical` translates.
"""

from __future__ import annotations

from typing import Final

# Browsing
PRODUCT: Final = "product"  # open a product card
OPTION: Final = "option"  # choose a spec value of the product on screen ("<dim>.<value>" positions)
PAGE: Final = "page"  # a page of the last search
SIMILAR: Final = "similar"
POPULAR: Final = "popular"
COMPARE: Final = "compare"
RESTOCK_NOTICE: Final = "restock_notice"  # tell me when this variant is back in stock
# Cart
ADD_SKU: Final = "add"
ADD_PRODUCT: Final = "add_product"  # the spec chosen so far decides the variant
ADD_QUANTITY: Final = "add_qty"  # "<sku>*<n>"
SET_QUANTITY: Final = "set_qty"  # "<sku>*<n>": the cart line's new quantity
SWAP_OPTION: Final = "swap"  # "<sku>*<other sku>": the cart line becomes another variant, same quantity
CART: Final = "cart"
MORE_ONE: Final = "more"
LESS_ONE: Final = "less"
REMOVE: Final = "remove"
CLEAR_CART: Final = "clear"
CHECKOUT: Final = "checkout"
# Orders and after-sales
ORDERS: Final = "orders"
ORDER: Final = "order"
TRACK: Final = "track"
PAY: Final = "pay"
PAY_LINK: Final = "pay_url"  # the button carrying the payment page's URL
PAY_WITH: Final = "pay_with"  # "<provider>.<order number>": pay with another offered provider
CANCEL_ORDER: Final = "cancel_order"
CHANGE_ADDRESS: Final = "change_address"
AFTERSALES: Final = "aftersales"  # "<kind>.<order number>" or an order number picked from a list
AFTERSALES_STATUS: Final = "aftersales_status"
# Steps of a flow (answered by the active flow)
YES: Final = "yes"
NO: Final = "no"
ADDRESS: Final = "address"  # a saved address by position, or "new"
SHIPPING: Final = "shipping"
COUPON: Final = "coupon"  # "none" (no coupon) or "enter"
EDIT_ADDRESS: Final = "edit_address"  # change the address from the order summary
REASON: Final = "reason"
PHOTOS_DONE: Final = "photos"
# Elsewhere
FAQ: Final = "faq"
HUMAN: Final = "human"
INTENT: Final = "intent"  # run an intent ("intent:search_product")
LANG: Final = "lang"
HANDOFF: Final = "handoff"

# Codes of buttons sent before the readable names; still decoded for chats that show them.
LEGACY_CODES: Final[dict[str, str]] = {
    "p": PRODUCT,
    "opt": OPTION,
    "pg": PAGE,
    "sim": SIMILAR,
    "pop": POPULAR,
    "addp": ADD_PRODUCT,
    "addq": ADD_QUANTITY,
    "inc": MORE_ONE,
    "dec": LESS_ONE,
    "rm": REMOVE,
    "co": CHECKOUT,
    "o": ORDER,
    "trk": TRACK,
    "payurl": PAY_LINK,
    "cxl": CANCEL_ORDER,
    "chaddr": CHANGE_ADDRESS,
    "as": AFTERSALES,
    "asst": AFTERSALES_STATUS,
    "addr": ADDRESS,
    "ship": SHIPPING,
    "cpn": COUPON,
    "rsn": REASON,
}

# Buttons that only show something (a product, a page, an order's state): they are answered
# while a person owns the conversation too - an agent's product card must open.
SHOWS_ONLY: Final = frozenset(
    {PRODUCT, OPTION, PAGE, SIMILAR, POPULAR, COMPARE, CART, ORDERS, ORDER, TRACK, AFTERSALES_STATUS, FAQ}
)

# Buttons whose answer replaces the message they were pressed on (a channel may edit in place).
IN_PLACE: Final = frozenset({PAGE, OPTION})


def canonical(code: str) -> str:
    """The current name of a button code (old short codes translated)."""
    return LEGACY_CODES.get(code, code)


def split(payload: str) -> tuple[str, str]:
    """ "<code>:<value>" -> (current code, value); a payload without ':' has an empty value."""
    code, _, value = payload.partition(":")
    return canonical(code), value


def shows_only(payload: str) -> bool:
    return split(payload)[0] in SHOWS_ONLY


def edits_in_place(payload: str) -> bool:
    return split(payload)[0] in IN_PLACE
