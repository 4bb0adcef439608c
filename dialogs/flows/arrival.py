"""What a customer says about goods that arrived, before asking for anything.

"the jacket came but the zipper sticks", "收到了 拉链老是卡住", "glasses arrived but the frame looks
too heavy on me": with an order delivered, this is the story of a return or an exchange to come -
never a purchase of the item named again, nor a case for a person straight away. The customer is
offered what the order allows (return, exchange), and the words are kept: the request that follows
("i'd like to send it back", "能换成藏青色的吗", a button) is filed with them as its reason, not
asked "why?" again."""

from __future__ import annotations

import re

from dialogs import buttons as codes
from dialogs import reasons
from dialogs.flows.orders import aftersales_kinds
from dialogs.flows.products import title_mentions
from dialogs.ports import OrderView
from dialogs.references import asks_for_more, product_words
from dialogs.turn import Turn

STORY = "aftersale_story"  # context: {"order": number, "reason": words} said about what arrived
# Words of the goods having come ("收到了", "到货了", "the mat came", "got the glasses").
_ARRIVED = re.compile(
    r"收到|到货|拿到|签收|寄到了|送到了|到了|"
    r"\b(?:arrived|came|received|delivered|showed\s+up|turned\s+up)\b|\bgot\s+(?:the|my|it|them|these|those)\b",
    re.I,
)
# Something not right with it: a contrast, a negation, an excess or a fault ("but", "too heavy",
# "还是卡", "显黑", "smells"). A plain "got it, thanks" has none and is read as usual.
_NOT_RIGHT = re.compile(
    r"不|没|太|但|可是|就是|还是|有点|显|卡住|坏|破|疼|痛|紧|松|味|臭|掉|裂|漏|难看|丑|差|偏|"
    r"\b(?:but|too|not|never|still|bad|wrong|broken|smells?|smelly|stinks?|hurts?|ugly|weird|tight|loose|"
    r"sticks?|stuck|faulty|cracked|scratched|dull|heavy|cheap|flimsy|itchy|uncomfortable)\b|n't\b",
    re.I,
)
# Readings that ask something else of the shop, whatever the message says of the parcel.
_OTHER_REQUESTS = {"checkout", "pay", "cancel_order", "order_status", "track_shipment", "aftersales_status"}


async def tells_what_arrived(turn: Turn, intent: str) -> bool:
    """A message about goods that arrived, saying something is not right and asking nothing yet:
    offered a return or an exchange, its words kept as the reason."""
    text = turn.text
    if intent in _OTHER_REQUESTS or reasons.kind_in(text) is not None or asks_for_more(text):
        return False
    if reasons.exchange_target(text) is not None:
        return False  # "I got the wrong version, can you send the pro instead?": the request is made
    if not _ARRIVED.search(text) or not _NOT_RIGHT.search(text):
        return False
    order = await _order_talked_about(turn)
    if order is None:
        return False
    kinds = [kind for kind in ("return", "exchange") if kind in aftersales_kinds(order.status)]
    words = " ".join(text.split())
    turn.state.context[STORY] = {"order": order.number, "reason": (reasons.stated(words, turn.lang) or words)[:300]}
    turn.intent = "aftersales:arrived"
    turn.say(
        "aftersales.arrived_not_right",
        *(turn.button(f"button.{kind}", codes.AFTERSALES, f"{kind}.{order.number}") for kind in kinds),
        number=order.number,
        options=" / ".join(turn.t(f"aftersales.kind_{kind}") for kind in kinds),
    )
    return True


async def _order_talked_about(turn: Turn) -> OrderView | None:
    """The delivered order the message is about: the one holding the item it names, else the
    latest one - unless it names some other product (then it is no story about this parcel)."""
    placed = await turn.services.shop.orders(turn.customer_id, turn.lang, 20)
    arrived = [o for o in placed if {"return", "exchange"} & aftersales_kinds(o.status)]
    if not arrived:
        return None
    words = product_words(reasons.without_request_words(turn.text))
    named = [o for o in arrived if words and any(title_mentions(line.title, words) for line in o.lines)]
    if named:
        return named[0]
    return None if turn.entity("product") else arrived[0]


def reason_told(turn: Turn, number: str) -> str:
    """The words said about what arrived in this order, for the request that follows (once)."""
    story = turn.state.context.get(STORY)
    if not isinstance(story, dict) or story.get("order") != number:
        return ""
    turn.state.context.pop(STORY, None)
    return str(story.get("reason") or "")
