"""A go-ahead at any checkout step once the address is known: the defaults for what is left, and
the order placed.

"confirm" / "looks good" / "对的 确认 发链接吧" under "How should we ship it?", "yep go" under the
coupon question, "standard shipping is fine, place the order pls": the customer has said all
they mean to say. A shop assistant takes the default shipping method (or the one named in the
same message), the coupon given earlier in the conversation (checked again by the quote) or
none, and places the order - the summary and the payment link in one reply, so the totals are
still seen. Step answers (a method, a code, "no code") are not go-aheads and keep their steps.
"""

from __future__ import annotations

from typing import Protocol

from dialogs import go_ahead
from dialogs.flows.checkout_answers import NO_COUPON, coupon_code_in, default_method
from dialogs.go_ahead import GoAhead
from dialogs.ports import ShippingOption
from dialogs.turn import Turn


class PlacesOrders(Protocol):
    async def show_summary(self, turn: Turn) -> None: ...

    async def place(self, turn: Turn) -> None: ...


STARTED_BY_ADDRESS = "started_by_address"  # slot: the checkout began with the address pasted


def mark_started_by_address(turn: Turn) -> None:
    """The checkout began with the address, before the customer asked for one: their "checkout"
    that follows means "that's all, finish it" (`reading`)."""
    if turn.state.flow == "checkout":
        turn.state.slots[STARTED_BY_ADDRESS] = True


def reading(turn: Turn) -> GoAhead | None:
    """The go-ahead in the message; "checkout" said in a checkout the pasted address began (the
    shop asked how to ship before the customer asked for anything) asks to finish - the summary
    comes with the order. Said again in a checkout they asked for, it only moves to the summary."""
    found = go_ahead.read(turn.text)
    started_by_address = bool(turn.state.slots.get(STARTED_BY_ADDRESS))
    if found is None and started_by_address and go_ahead.asks_for_checkout(turn.text):
        return GoAhead(places=True, bare=True, only_yes=False)
    return found


def finishes_here(step: str, found: GoAhead, named_method: str | None) -> bool:
    """Whether a go-ahead at `step` places the order (rather than answering the step).

    A method named without asking for the order ("express is fine") answers the shipping question;
    a plain "yes" to "do you have a coupon code?" says there is one to type."""
    if named_method is not None and not found.places:
        return False
    if step == "coupon" and found.only_yes:
        return False
    return found.places or found.bare


def remembered_coupon(turn: Turn) -> str | None:
    """The coupon of this message, or the one given earlier in the conversation, or None."""
    slots = turn.state.slots
    code = coupon_code_in(turn.text) or slots.get("coupon") or slots.pop("coupon_answer", None)
    return None if code in (None, NO_COUPON) else str(code)


async def place_with_defaults(
    flow: PlacesOrders, turn: Turn, options: list[ShippingOption], method: str | None = None
) -> bool:
    """The order placed with `method` (or the one already chosen, or the default) and the
    remembered coupon; False when no method can be had (the caller asks for one)."""
    slots = turn.state.slots
    chosen = method or slots.get("shipping")
    if chosen not in [o.code for o in options]:
        default = default_method(options)
        chosen = default.code if default else None
    if chosen is None:
        return False
    slots["shipping_options"] = [o.code for o in options]
    slots["pickup_places"] = {
        o.code: {"address": o.pickup_address, "hours": o.pickup_hours} for o in options if o.pickup_address
    }
    slots["shipping"] = chosen
    slots.pop("shipping_answer", None)
    slots.pop("editing", None)
    slots["coupon"] = remembered_coupon(turn)
    await flow.show_summary(turn)  # the quote checks the coupon again and says why one is dropped
    if turn.state.step == "confirm":
        await flow.place(turn)
    return True
