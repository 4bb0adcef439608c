"""A coupon code said anywhere in the conversation, not only at the checkout's coupon step.

"use CAMP10", "我有个券 OLDSALE 能用吗", "那用CAMP10吧", "oldsale doesnt work? try summer20": the
code is looked up among the shop's coupons (any case), checked now and kept for the checkout (or
applied to the one under way); when it cannot be used the customer is told why and the shopping
goes on. What else the message asks ("ok ill take one. use CAMP10", "两套 用SUMMER20") is done
too - the router runs it before the coupon is checked, so a minimum spend sees the new cart.
"""

from __future__ import annotations

import re

from dialogs import buttons as codes
from dialogs.flows import checkout
from dialogs.flows.checkout_answers import coupon_code_in
from dialogs.turn import Turn

# Letters and digits standing together: what may be a code ("CAMP10", "oldsale", "618SALE").
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9][A-Za-z0-9_-]{2,31}(?![A-Za-z0-9_-])")
# A word for a code: an unknown code-shaped token is read as one only next to such a word
# ("code SAVE50", "这个券 XYZ88"); "尺码" / "号码" / "密码" are no coupons.
_CODE_NOUN = re.compile(r"coupon|promo|voucher|\bcodes?\b|优惠|券|(?<![尺号密编])码", re.I)
# Words that go with using a code. A shop's code in lower case without a digit ("oldsale") counts
# only next to one of these or a code noun: "any sale today?" uses no code named SALE.
_USE_WORD = re.compile(r"\b(?:use|using|used|try|apply|with|what\s+about|how\s+about)\b|用|试", re.I)
# What a message about a code says besides it ("use", "try ... then", "那...呢", "这个码").
_COUPON_TALK = re.compile(
    _CODE_NOUN.pattern
    + r"|\b(?:use|using|try|apply|with|then|instead|please|pls|plz|this|that|the|my|one|ok|okay|what|about|how)\b|"
    r"用(?:一)?下|用|试试|试下|试一下|这个|那个|可以|能|吗|呢|吧|啊|那|了|有",
    re.I,
)


# A measure, not a code: "20000mAh", "500ml", "65w", "4x4", "2xl".
_MEASURE = re.compile(
    r"^\d+(?:\.\d+)?(?:mah|mm|cm|ml|kg|g|l|w|v|gb|tb|mb|hz|inch|in|pcs|pc|x\d+|k|m|s|xs|xl|xxl|寸)$", re.I
)


def _candidates(text: str) -> list[str]:
    """Words of the message that would be meant as a code if the shop has one by that name: with
    a digit (no measure), in capitals, or next to a word for a code or for using one ("oldsale
    doesnt work? try summer20"). Only these are looked up, so a message without any costs no read."""
    near_code_words = bool(_CODE_NOUN.search(text) or _USE_WORD.search(text))
    found = []
    for token in _TOKEN.findall(text):
        letters = sum(ch.isalpha() for ch in token)
        if not letters or _MEASURE.match(token):
            continue
        has_digit = any(ch.isdigit() for ch in token)
        capitals = token.isupper() and len(token) >= 4
        if (has_digit and letters >= 2) or capitals or (near_code_words and len(token) >= 4):
            found.append(token)
    return found


async def mentioned(turn: Turn) -> str | None:
    """The coupon code the message names, upper-cased: one of the shop's (the last one named -
    "oldsale doesnt work? try summer20"), else a code-shaped word next to a word for a code (an
    unknown code, still checked so the customer hears it does not exist), else None."""
    text = turn.text
    tokens = _candidates(text)
    if tokens:
        known = await turn.services.shop.coupon_codes_among(tokens)
        named = [t for t in tokens if t.upper() in known]
        if named:
            return named[-1].upper()
    if not _CODE_NOUN.search(text):
        return None
    code = coupon_code_in(text)
    return code.upper() if code else None


def without_code(text: str, code: str) -> str:
    """The message without the code and the words about it: what else it asks for."""
    rest = re.sub(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", " ", text, flags=re.I)
    return re.sub(r"\s+", " ", _COUPON_TALK.sub(" ", rest)).strip(" ,，.。!！?？~～")


def rest_of(text: str, code: str) -> str:
    """The message without the code and the words using it ("use CAMP10", "用下OLDSALE这个码"),
    the other words as typed: what else it asks for."""
    spoken = (
        r"(?:\b(?:use|using|try|apply|with)\s+(?:the\s+|my\s+|this\s+)?(?:(?:coupon|promo|voucher)\s+)?(?:code\s+)?|"
        r"(?:(?:coupon|promo|voucher)\s+)?\bcode\s*[:：]?\s*|"
        r"(?:用一?下|用|试试|试下|试一下)(?:这个|个)?(?:优惠码|优惠券|券|码)?\s*)?"
    )
    after = r"(?:\s*(?:这个|的)?(?:优惠码|优惠券|券|码)|\s+(?:code|coupon))?"
    pattern = rf"{spoken}(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9]){after}"
    rest = re.sub(pattern, " ", text, flags=re.I)
    return re.sub(r"\s+", " ", rest).strip()


async def take(turn: Turn, code: str, *, prompt: bool = True) -> None:
    """Check the code now and keep it: for the checkout under way (then its current question
    again, or the summary with the code applied), or for the next checkout. A code that cannot be
    used is said so, with the reason, and the shopping goes on without it."""
    state = turn.state
    flow = checkout.CheckoutFlow()
    if state.flow == "checkout" and state.step in ("coupon", "confirm"):
        await flow.apply_coupon(turn, code, summary_anyway=state.step == "confirm")
        return
    check = await turn.services.shop.check_coupon(turn.customer_id, code, turn.lang)
    if state.flow == "checkout":
        if check.ok:
            state.slots["coupon"] = check.code
            turn.say("coupon.kept_for_checkout", code=check.code)
        else:
            turn.say("coupon.cannot_use", code=code, reason=check.message)
        if prompt:
            await flow.prompt(turn)  # the question the customer had not answered yet
        return
    if not check.ok:
        state.context.pop("pending_coupon", None)
        turn.say("coupon.cannot_use", code=code, reason=check.message)
        return
    state.context["pending_coupon"] = check.code
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    offered = any(b.payload == codes.CHECKOUT for r in turn.replies for b in getattr(r, "buttons", ()))
    buttons = () if cart.empty or offered else (turn.button("button.checkout", codes.CHECKOUT),)
    turn.say("coupon.saved", *buttons, code=check.code)
