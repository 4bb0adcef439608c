"""What every multi-step flow offers the router, and small helpers shared by flows."""

from __future__ import annotations

import re
from typing import ClassVar

from dialogs import buttons as codes
from dialogs import go_ahead
from dialogs.i18n import t_both
from dialogs.messages import Button
from dialogs.references import asks_about_fit
from dialogs.state import ConversationState
from dialogs.step_reply import Expects
from dialogs.turn import Turn

_PUNCT = re.compile(r"[\s!！。.,，~～?？]+")


class Flow:
    """A multi-step conversation (checkout, after-sales, ...) driven by `state.step`."""

    name: ClassVar[str] = ""
    # What each step takes as an answer (by `state.step`; "" for any step): told to the NLU with
    # the message so that a short "ok" / "算了" reads as the answer the step is waiting for.
    step_expects: ClassVar[dict[str, Expects]] = {}

    def expects(self, state: ConversationState) -> Expects | None:
        return self.step_expects.get(state.step or "") or self.step_expects.get("")

    async def on_text(self, turn: Turn) -> bool:
        """Use the typed text for the current step; False when it is not an answer to it."""
        return False

    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        """Handle a button that belongs to this flow; False to let the router handle it."""
        return False

    async def on_image(self, turn: Turn) -> bool:
        return False

    async def prompt(self, turn: Turn) -> None:
        """(Re-)ask the question of the current step."""


def _clean(text: str) -> str:
    return _PUNCT.sub("", text.lower())


def is_cancel(turn: Turn) -> bool:
    return _clean(turn.text) in {_clean(w) for w in t_both("words.cancel")}


# Giving up what is under way, in more words than one ("算了不买了", "先不买了 下次吧", "cancel the
# order", "forget it, I don't want it anymore", "changed my mind"); "取消优惠券" / "cancel the
# coupon" drop a coupon, not the purchase. A plain "no" / "不要了" is none of these: it answers the
# step (no coupon) and is read there first.
_GIVES_UP = re.compile(
    # not "蓝的不想要了" (one item): behind a word of its own, not behind a product's
    r"(?:(?<![\u4e00-\u9fff])|(?<=[了我都就是先吧算]))(?:不买了|不想买了|不想要了)|先不买|暂时不买|不下单了|先不下单|不结账了|先不结|下次再买|改天再买|下回再买|"
    r"算了(?:吧)?\s*(?:不买|不要了|别买|取消)|(?:先)?别(?:下单|买了|提交|结账)|这单(?:先)?不要了|订单(?:先)?不要了|"
    r"取消(?!\s*(?:优惠|券|码|地址|自提|快递|配送))|"
    r"\bcancel\b(?!\s+(?:the\s+|my\s+|that\s+)?(?:coupon|code|promo|voucher|discount|address|shipping|express|pick\s*up))|"
    r"\bforget\s+(?:it|about\s+it|the\s+(?:order|whole\s+thing))\b|"
    r"\bnever\s*mind\b(?!,?\s+(?:about\s+)?(?:the\s+|my\s+)?(?:coupon|code|promo|voucher|discount|address))|"
    r"\bchanged?\s+my\s+mind\b|"
    r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|need)\s+(?:it|this|that|them|these|those|to\s+(?:buy|order))\b|"
    r"\bnot\s+(?:buying|ordering)\b|\bmaybe\s+(?:later|next\s+time)\b|\bi'?ll\s+pass\b|\bstop\s+(?:the\s+)?checkout\b",
    re.I,
)


# "下次再下单", "order it another time": the order asked for is not for now.
_ANOTHER_TIME = re.compile(
    r"下次|下回|改天|以后|回头|晚点|晚些|过几天|等会|\b(?:later|next\s+time|another\s+time|tomorrow)\b", re.I
)


def gives_up(text: str) -> bool:
    """The message drops what is under way (the checkout), in whatever words (`_GIVES_UP`) - unless
    it asks for the order after them: "oh never mind, just place the order then", "算了 直接下单吧"
    give up the last question (a code, a change), not the purchase."""
    found = [match.end() for match in _GIVES_UP.finditer(text)]
    if not found:
        return False
    after = text[found[-1] :]
    return not (go_ahead.asks_to_place(after) and not _ANOTHER_TIME.search(after))


# Questions a customer may ask in the middle of a step; answered, then the step continues.
SIDE_QUESTIONS = {
    "shipping_info",
    "invoice",
    "ask_promotion",
    "payment_problem",
    "help",
    "human_agent",
    "complaint",
    "view_cart",
    "order_status",
    "track_shipment",
    "search_product",
    "product_info",
    "recommend",
}


# Paying the courier on arrival: a question about how this shop takes money (dialogs/faq.yml
# cash_on_delivery answers it), whatever step or reading the message meets - never a name,
# a street, a coupon code or a payment.
_PAYS_ON_DELIVERY = re.compile(
    r"货到付款|到付|收货再付|收到再付|先发货后付|cash\s+on\s+delivery|pay(?:ing)?\s+on\s+delivery|\bcod\b|"
    r"pay\s+(?:when|once)\s+(?:it\s+arrives|it\s+comes|i\s+get\s+it)|pay\s+at\s+the\s+door",
    re.I,
)


def asks_to_pay_on_delivery(text: str) -> bool:
    return bool(_PAYS_ON_DELIVERY.search(text))


def looks_like_side_question(turn: Turn, threshold: float = 0.6) -> bool:
    """A confident NLU reading of a side question, a question whether the product suits a use
    ("够用吗", "warm enough?") or about paying on delivery: the text is not an answer to the step."""
    return (
        (turn.nlu_intent in SIDE_QUESTIONS and turn.confidence >= threshold)
        or asks_about_fit(turn.text)
        or asks_to_pay_on_delivery(turn.text)
    )


def yes_no_buttons(turn: Turn, yes_key: str = "button.yes", no_key: str = "button.no") -> tuple[Button, Button]:
    return turn.button(yes_key, "yes"), turn.button(no_key, "no")


def menu_buttons(turn: Turn) -> tuple[Button, ...]:
    return (
        turn.button("menu.search", codes.INTENT, "search_product"),
        turn.button("menu.popular", codes.POPULAR),
        turn.button("menu.cart", codes.CART),
        turn.button("menu.orders", codes.ORDERS),
    )
