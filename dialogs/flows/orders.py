"""Orders: list, detail/status, tracking, paying again, cancelling, changing the address."""

from __future__ import annotations

import re
from typing import ClassVar

from commerce.aftersales.model import ELIGIBLE
from commerce.errors import DomainError
from commerce.orders.model import OrderStatus
from dialogs import buttons as codes
from dialogs import reasons, step_reply
from dialogs.address import AddressDraft, fill_field, parse_address
from dialogs.flows import cart as cart_flow
from dialogs.flows import checkout, checkout_go_ahead, info, products
from dialogs.flows.base import Flow, looks_like_side_question, menu_buttons, yes_no_buttons
from dialogs.flows.checkout import send_payment_link
from dialogs.flows.confirm import ask_confirmation
from dialogs.flows.products import title_mentions
from dialogs.i18n import t_or
from dialogs.messages import Button, Lang, OrderSummary, SummaryLine
from dialogs.ports import AddressView, OrderView
from dialogs.references import asks_how_paying_works, ordinal, pick, product_words
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

LIST_LIMIT = 5


def status_label(turn: Turn, status: str) -> str:
    return t_or(f"order_status.{status}", turn.lang, status)


def _order_buttons(turn: Turn, order: OrderView) -> list[Button]:
    buttons: list[Button] = []
    if order.status == "pending_payment":
        buttons.append(turn.button("button.pay_now", codes.PAY, order.number))
    if order.tracking_no or order.status in ("shipped", "delivered"):
        buttons.append(turn.button("button.track", codes.TRACK, order.number))
    if order.can_change_address:
        buttons.append(turn.button("button.change_address", codes.CHANGE_ADDRESS, order.number))
    if order.can_cancel:
        buttons.append(turn.button("button.cancel_order", codes.CANCEL_ORDER, order.number))
    if aftersales_kinds(order.status):
        # Only what the order's state allows: an unshipped order offers a refund, not a return.
        kinds = [k for k in ("return", "exchange", "refund") if k in aftersales_kinds(order.status)]
        buttons.extend(turn.button(f"button.{k}", codes.AFTERSALES, f"{k}.{order.number}") for k in kinds)
    return buttons


def aftersales_kinds(status: str) -> set[str]:
    """The after-sales kinds the shop allows for an order in this state."""
    try:
        return {kind.value for kind in ELIGIBLE.get(OrderStatus(status), frozenset())}
    except ValueError:
        return set()


def order_summary(turn: Turn, order: OrderView) -> OrderSummary:
    lines = [
        SummaryLine(label=f"{line.title} ×{line.quantity}", value=(line.unit_price * line.quantity).format())
        for line in order.lines
    ]
    lines.append(SummaryLine(label=turn.t("summary.status"), value=status_label(turn, order.status)))
    if order.tracking_no:
        lines.append(
            SummaryLine(label=turn.t("summary.tracking"), value=f"{order.carrier or ''} {order.tracking_no}".strip())
        )
    if order.address:
        lines.append(SummaryLine(label=turn.t("summary.address"), value=order.address.one_line()))
    return OrderSummary(
        text=turn.t("orders.detail_title", number=order.number),
        lines=tuple(lines),
        total=order.total.format(),
        order_number=order.number,
        buttons=tuple(_order_buttons(turn, order)),
    )


async def _resolve_order(turn: Turn, *, allowed: str | None = None) -> OrderView | None:
    """The order meant: an order number in the text, "the second one" of a shown list, or the
    only/newest order when that is unambiguous. `allowed` filters: cancel, address, return."""
    shop = turn.services.shop
    number = turn.entity("order_id")
    if number:
        return await shop.order(turn.customer_id, str(number), turn.lang)
    context = turn.state.context
    position = ordinal(turn.text) if turn.text else None
    if position is not None and context.get("list_kind") == "orders":
        chosen = pick(list(context.get("orders") or []), position)
        if chosen:
            return await shop.order(turn.customer_id, chosen, turn.lang)
    orders = await shop.orders(turn.customer_id, turn.lang, LIST_LIMIT)
    candidates = [o for o in orders if _allowed(o, allowed)]
    last = context.get("last_order")
    if last and any(o.number == last for o in candidates) and allowed is None:
        return next(o for o in candidates if o.number == last)
    return candidates[0] if len(candidates) == 1 else None


async def cancellable_order(turn: Turn) -> OrderView | None:
    """The order a "cancel it" means when that order can simply be cancelled (not paid yet)."""
    order = await _resolve_order(turn, allowed="cancel_now")
    return order if order is not None and order.can_cancel else None


def refunded_instead(order: OrderView) -> bool:
    """Paid and not shipped: cancelling it is a refund (the shop cannot simply cancel it)."""
    return not order.can_cancel and order.status == "paid" and "refund" in aftersales_kinds(order.status)


async def order_to_refund_instead(turn: Turn) -> OrderView | None:
    """The paid, unshipped order a "cancel it and give me my money back" is about: the one named or
    picked from a list, else the only such order, else the one this conversation placed."""
    order = await _resolve_order(turn, allowed="refund_instead")
    if order is not None or turn.entity("order_id"):
        return order if order is not None and refunded_instead(order) else None
    last = turn.state.context.get("last_order")
    orders = await turn.services.shop.orders(turn.customer_id, turn.lang, LIST_LIMIT)
    return next((o for o in orders if o.number == last and refunded_instead(o)), None)


def _allowed(order: OrderView, allowed: str | None) -> bool:
    if allowed == "cancel":
        return order.can_cancel or refunded_instead(order)  # the latter is offered a refund
    if allowed == "cancel_now":
        return order.can_cancel
    if allowed == "refund_instead":
        return refunded_instead(order)
    if allowed == "address":
        return order.can_change_address
    if allowed == "return":
        return bool(aftersales_kinds(order.status))
    if allowed == "track":
        return bool(order.tracking_no) or order.status in ("shipped", "delivered")
    if allowed == "pay":
        return order.status == "pending_payment"
    return True


async def list_orders(turn: Turn, _: str = "", *, allowed: str | None = None, action: str = codes.ORDER) -> None:
    orders = [o for o in await turn.services.shop.orders(turn.customer_id, turn.lang, 20) if _allowed(o, allowed)]
    orders = orders[:LIST_LIMIT]
    if not orders:
        turn.say("orders.none" if allowed is None else "orders.none_eligible", *menu_buttons(turn))
        return
    context = turn.state.context
    context["orders"] = [o.number for o in orders]
    context["list_kind"] = "orders"
    rows = [
        turn.t(
            "orders.row",
            n=i,
            number=o.number,
            status=status_label(turn, o.status),
            total=o.total.format(),
            date=o.created_at,
        )
        for i, o in enumerate(orders, start=1)
    ]
    buttons = [Button(label=o.number[:64], payload=turn.payload(action, o.number)) for o in orders]
    turn.say("orders.list" if allowed is None else "orders.pick", *buttons, rows="\n".join(rows))


async def status_intent(turn: Turn) -> None:
    order = await _resolve_order(turn)
    if turn.entity("order_id") and order is None:
        turn.say("orders.not_found", turn.button("menu.orders", codes.ORDERS), number=str(turn.entity("order_id")))
        return
    if order is None:
        await list_orders(turn)
        return
    await show_order(turn, order.number)


async def show_order(turn: Turn, number: str) -> None:
    order = await turn.services.shop.order(turn.customer_id, number, turn.lang)
    if order is None:
        turn.say("orders.not_found", turn.button("menu.orders", codes.ORDERS), number=number)
        return
    turn.state.context["last_order"] = order.number
    turn.reply(order_summary(turn, order))


async def track_intent(turn: Turn) -> None:
    pointed = turn.entity("order_id") or (turn.text and ordinal(turn.text) is not None)
    if pointed:
        order = await _resolve_order(turn, allowed="track")
    else:
        order = await _parcel_meant(turn) or await _resolve_order(turn, allowed="track")
    if order is None and not turn.entity("order_id") and not await _has_parcels(turn):
        await status_intent(turn)  # nothing sent yet: the order's state says so ("paid, preparing shipment")
        return
    if order is None:
        if turn.entity("order_id"):
            turn.say("orders.not_found", turn.button("menu.orders", codes.ORDERS), number=str(turn.entity("order_id")))
        else:
            await list_orders(turn, allowed="track", action=codes.TRACK)
        return
    await track(turn, order.number)


async def _has_parcels(turn: Turn) -> bool:
    return any(_allowed(o, "track") for o in await turn.services.shop.orders(turn.customer_id, turn.lang, 20))


async def _parcel_meant(turn: Turn) -> OrderView | None:
    """With several orders, "膜发出来了吗 到哪了" / "where's my parcel" means the one holding the item
    named, else the only parcel still on its way (a delivered one is home), else the order this
    conversation placed when it is paid and waits to be sent ("any tracking no?" right after paying)."""
    orders = await turn.services.shop.orders(turn.customer_id, turn.lang, 20)
    live = [o for o in orders if _allowed(o, "track") or o.status == "paid"]
    words = product_words(turn.text) if turn.text else ""
    named = [o for o in live if words and any(title_mentions(line.title, words) for line in o.lines)]
    if len(named) == 1:
        return named[0]
    pool = named or live
    on_the_way = [o for o in pool if o.status == "shipped"]
    if len(on_the_way) == 1:
        return on_the_way[0]
    last = turn.state.context.get("last_order")
    waiting = [o for o in pool if o.number == last and o.status == "paid"]
    return waiting[0] if waiting and not on_the_way else None


async def track(turn: Turn, number: str) -> None:
    tracking = await turn.services.shop.tracking(turn.customer_id, number, turn.lang)
    if tracking is None or not tracking.tracking_no:
        order = await turn.services.shop.order(turn.customer_id, number, turn.lang)
        status = status_label(turn, order.status) if order else "-"
        turn.say(
            "tracking.not_shipped",
            turn.button("button.order_detail", codes.ORDER, number),
            number=number,
            status=status,
        )
        return
    events = "\n".join(f"{event.at} {event.text}" for event in tracking.events[-5:]) or turn.t("tracking.no_events")
    turn.say(
        "tracking.info",
        turn.button("button.order_detail", codes.ORDER, number),
        number=number,
        carrier=tracking.carrier or "",
        tracking_no=tracking.tracking_no,
        status=status_label(turn, tracking.status),
        events=events,
    )


async def pay_intent(turn: Turn, number: str = "") -> None:
    shop = turn.services.shop
    order = (
        await shop.order(turn.customer_id, number, turn.lang) if number else await _resolve_order(turn, allowed="pay")
    )
    if order is None:
        order = await _newest_waiting_for_payment(turn)
    if order is None and not number and (closed := await _closed_for_want_of_payment(turn)) is not None:
        await _place_again(turn, closed)
        return
    if order is None and not number and await _has_something_to_check_out(turn):
        # "ready to pay", "好了 付钱" with the cart full and no order yet: that is the checkout.
        await checkout.start(turn)
        return
    if order is None or order.status != "pending_payment":
        turn.say("payment.nothing_to_pay", turn.button("menu.orders", codes.ORDERS))
        return
    await send_payment_link(turn, order)


async def _newest_waiting_for_payment(turn: Turn) -> OrderView | None:
    orders = await turn.services.shop.orders(turn.customer_id, turn.lang, 20)
    return next((o for o in orders if o.status == "pending_payment"), None)


async def _has_something_to_check_out(turn: Turn) -> bool:
    """Items in the cart, or a checkout put aside for a side question."""
    if any(s.get("flow") == "checkout" for s in turn.state.suspended):
        return True
    return not (await turn.services.shop.cart(turn.customer_id, turn.lang)).empty


async def payment_problem_intent(turn: Turn) -> None:
    """ "It didn't go through", "没付成功" with an order still waiting for payment: a new payment
    link at once (what the customer needs); a question about how paying works is answered."""
    order = None if asks_how_paying_works(turn.text) else await _newest_waiting_for_payment(turn)
    if order is None and not asks_how_paying_works(turn.text):
        closed = await _closed_for_want_of_payment(turn)
        if closed is not None:
            await _place_again(turn, closed)
            return
    if order is None:
        await info.faq_for_intent(turn)
        return
    turn.say("payment.try_again", number=order.number)
    await send_payment_link(turn, order)


async def pay_with(turn: Turn, value: str = "") -> None:
    """The customer picked another payment provider ("<provider>.<order number>")."""
    provider, _, number = value.partition(".")
    order = await turn.services.shop.order(turn.customer_id, number, turn.lang) if number else None
    if order is None or order.status != "pending_payment":
        turn.say("payment.nothing_to_pay", turn.button("menu.orders", codes.ORDERS))
        return
    await send_payment_link(turn, order, provider=provider)


async def cancel_intent(turn: Turn, number: str = "") -> None:
    shop = turn.services.shop
    order = (
        await shop.order(turn.customer_id, number, turn.lang)
        if number
        else await _resolve_order(turn, allowed="cancel_now")
    )
    unambiguous = order is not None
    if order is None and not number:
        # several unpaid orders: the one this conversation placed (confirmed, as it was not named)
        order = await _last_order_if(turn, "cancel_now")
    if order is None and not number:
        # a paid one not shipped yet (its refund is offered), else the order meant, to explain why
        # it cannot be cancelled
        order = await _resolve_order(turn, allowed="refund_instead") or await _resolve_order(turn)
    if order is None:
        if turn.entity("order_id") or number:
            turn.say(
                "orders.not_found",
                turn.button("menu.orders", codes.ORDERS),
                number=number or str(turn.entity("order_id")),
            )
            return
        await list_orders(turn, allowed="cancel", action=codes.CANCEL_ORDER)
        return
    if refunded_instead(order):
        # Paid, not shipped: cancelling it is a refund. Say so and offer it; "yes" files it.
        turn.say(
            "orders.refund_instead",
            turn.button("button.refund", codes.AFTERSALES, f"refund.{order.number}"),
            number=order.number,
            total=order.total.format(),
        )
        offer_refund(turn, order.number, reasons.stated(turn.text, turn.lang), via="cancel")
        return
    if order.status == "cancelled":
        # "嗯 取消吧" once it is done: say so, not "can't be cancelled any more"
        turn.say("orders.already_cancelled", turn.button("menu.orders", codes.ORDERS), number=order.number)
        return
    if not order.can_cancel:
        turn.say(
            "orders.cannot_cancel",
            turn.button("button.return", codes.AFTERSALES, f"return.{order.number}")
            if "return" in aftersales_kinds(order.status)
            else turn.button("menu.human", codes.HUMAN),
            number=order.number,
            status=status_label(turn, order.status),
        )
        return
    if unambiguous and asks_plainly_to_cancel(turn.text, turn.lang):
        # "cancel that order pls, havent paid yet", "这单取消吧": the customer has decided - asking
        # "are you sure?" again would leave the order open when they move on.
        await cancel_confirmed(turn, {"number": order.number})
        if _AGAIN.search(turn.text):
            await _order_again(turn, order)
        return
    await ask_confirmation(
        turn,
        "cancel_order",
        {"number": order.number},
        "orders.confirm_cancel",
        number=order.number,
        total=order.total.format(),
    )


# "重新下个43的", "reorder the 10mm one": the order just cancelled is wanted again, changed
_AGAIN = re.compile(
    r"重新(?:下|买|拍|订)|重下|再(?:下|拍|买|订)(?:一|个|单)|"
    r"\b(?:re-?order|(?:order|buy|get)\s+(?:it\s+|them\s+|one\s+|that\s+)?again)\b",
    re.I,
)


async def _order_again(turn: Turn, order: OrderView) -> None:
    """ "这单取消吧 重新下个43的 地址不变": the order just cancelled placed again with the option the
    message names, to the same address - the new summary and payment link, as a shop assistant would."""
    if not await _refill_cart(turn, order):
        return  # sold out meanwhile: the cancellation stands; the customer chooses again
    await cart_flow.change_options_named(turn, {line.sku for line in order.lines})
    await _check_out_to(turn, order, parse_address(turn.text))


async def _refill_cart(turn: Turn, order: OrderView) -> bool:
    """The order's lines back in the cart (False when one is no longer to be had)."""
    try:
        for line in order.lines:
            await turn.services.shop.add_to_cart(turn.customer_id, line.sku, line.quantity, turn.lang)
    except DomainError:
        return False
    return True


async def _check_out_to(turn: Turn, order: OrderView, address: AddressDraft) -> None:
    """The checkout of the cart to `address` (else the order's own), placed with the defaults."""
    if address.missing() and order.address is not None:
        kept = order.address
        address = AddressDraft(name=kept.name, phone=kept.phone, region=kept.region, detail=kept.detail)
    if not address.missing():
        turn.state.context["pending_address"] = address.to_dict()
    await checkout.start(turn)
    if turn.state.flow == "checkout" and turn.state.step in ("shipping", "coupon", "confirm"):
        await checkout.CheckoutFlow().place_with_defaults(turn)


async def _closed_for_want_of_payment(turn: Turn) -> OrderView | None:
    """The customer's newest order, when the shop closed it because the payment never came - and
    nothing newer is in the cart: "pay again" / "重新付款" is about that order."""
    orders = await turn.services.shop.orders(turn.customer_id, turn.lang, 1)
    if not orders or not orders[0].closed_unpaid or await _has_something_to_check_out(turn):
        return None
    return orders[0]


async def _place_again(turn: Turn, order: OrderView) -> None:
    """A closed order asked to be paid: placed again as it was (a new number and payment link)."""
    if not await _refill_cart(turn, order):
        await cart_flow.view(turn)  # what is left of it; the customer chooses again
        return
    turn.say("payment.placed_again", number=order.number)
    await _check_out_to(turn, order, AddressDraft())


async def _last_order_if(turn: Turn, allowed: str) -> OrderView | None:
    last = turn.state.context.get("last_order")
    if not last:
        return None
    order = await turn.services.shop.order(turn.customer_id, str(last), turn.lang)
    return order if order is not None and _allowed(order, allowed) else None


# Cancelling named in words: "取消", "撤销", "cancel", or an order dropped ("这单不要了", "scrap the
# order", "don't want this order anymore"); "算了 不买了" alone may be about the cart, so it is asked.
_CANCEL_WORDS = re.compile(r"取消|撤销|撤单|作废|qu\s?xiao|\bcancel", re.I)
_ORDER_NAMED = re.compile(r"订单|这单|那单|这一单|单子|\border\b", re.I)
_DROPPED = re.compile(
    r"不要了|不想要了|不买了|不需要了|算了|\b(?:forget|scrap|drop|void|kill|call\s+off)\b|"
    r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|need)\b|\bnever\s*mind\b",
    re.I,
)


# A question that is a polite request ("can you cancel it pls", "麻烦帮我取消一下好吗"), unless it asks
# whether it is still possible or puts a condition ("can I still cancel?", "如果还没发货能取消吗").
_POLITE = re.compile(r"帮我|麻烦|给我|\b(?:pl[sz]|please|plea?se|kindly)\b", re.I)
_WHETHER = re.compile(r"还能|还可以|能不能|可不可以|如果|要是|假如|万一|是否|\b(?:still|if|whether|possible)\b", re.I)


# "havent paid yet", "还没付钱": the customer knows what state the order is in
_UNPAID = re.compile(
    r"还没付|没付|未付|没有付|没支付|\b(?:have\s*n'?t|have\s+not|did\s*n'?t|not|never)\s+(?:\w+\s+)?(?:paid|pay)\b|\bunpaid\b",
    re.I,
)


def asks_plainly_to_cancel(text: str, lang: Lang) -> bool:
    """The message asks to cancel the order plainly and says why or what next ("cancel that order
    pls, havent paid yet", "刚那单帮我取消 还没付钱", "scrap the order, my roommate has it"): the
    customer has decided. Not a question or a condition ("can I still cancel?", "如果还没发货就取消"),
    nor the bare command ("取消订单", "cancel my order"), which is confirmed like the button."""
    if not text:
        return False
    if reasons.tentative(text) and not (_POLITE.search(text) and not _WHETHER.search(text)):
        return False
    if not (_CANCEL_WORDS.search(text) or (_ORDER_NAMED.search(text) and _DROPPED.search(text))):
        return False
    return reasons.reason_in(text) is not None or bool(reasons.explained(text, lang)) or bool(_UNPAID.search(text))


def offer_refund(turn: Turn, number: str, reason: str, *, via: str = "") -> None:
    """Remember that a refund of this order was offered ("paid, not shipped: refund it?"), with
    the reason the customer gave, for their "yes" in the next message
    (`dialogs.flows.aftersales.offer_reply`)."""
    turn.state.context["refund_offer"] = {"order": number, "reason": reason, "via": via}


async def cancel_confirmed(turn: Turn, args: dict[str, str]) -> None:
    order = await turn.services.shop.cancel_order(turn.customer_id, args["number"], turn.lang)
    turn.say("orders.cancelled", turn.button("menu.orders", codes.ORDERS), number=order.number)


# --- change address (before shipping) -----------------------------------------------------------


async def change_address_intent(turn: Turn, number: str = "") -> None:
    shop = turn.services.shop
    order = (
        await shop.order(turn.customer_id, number, turn.lang)
        if number
        else await _resolve_order(turn, allowed="address")
    )
    if order is None and not number and await _checkout_to(turn):
        return
    if order is None and not number:
        order = await _resolve_order(turn)  # the order meant, to explain why its address is fixed
    if order is None:
        await list_orders(turn, allowed="address", action=codes.CHANGE_ADDRESS)
        return
    if not order.can_change_address:
        turn.say(
            "orders.cannot_change_address",
            turn.button("menu.human", codes.HUMAN),
            number=order.number,
            status=status_label(turn, order.status),
        )
        return
    turn.state.start_flow("change_address", "addr_entry", {"order": order.number, "draft": {}})
    draft = parse_address(turn.text) if turn.text else AddressDraft()
    if not draft.missing():
        turn.state.slots["draft"] = draft.to_dict()
        await ChangeAddressFlow().confirm(turn)
        return
    turn.say("orders.ask_new_address", number=order.number)


async def _one_chosen_on_screen(turn: Turn) -> bool:
    """A product card on screen whose options chosen so far name one version in stock, and no
    other choice waiting: what an address sent right under it is for."""
    product_id = products.on_screen(turn)
    if product_id is None or turn.state.context.get("pending_add"):
        return False
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        return False
    candidates = product.variants if len(product.variants) == 1 else None
    candidates = candidates or products.matching_variants(product, products.selection(turn, product))
    return len(candidates) == 1 and candidates[0].stock > 0


async def _checkout_to(turn: Turn) -> bool:
    """A whole address typed while the cart holds items and no order can take it: the customer
    is checking out ("Amy Xu, 135..., 12 Binjiang Ave, Hangzhou"), so check out to it."""
    if not turn.text or parse_address(turn.text).missing():
        return False
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart.empty and await _one_chosen_on_screen(turn):
        # The boots chosen down to their size, then the address: that pair is being bought.
        turn.state.context["pending_address"] = parse_address(turn.text).to_dict()
        await checkout.start(turn)
        checkout_go_ahead.mark_started_by_address(turn)
        return True
    if cart.empty:
        await checkout.keep_address(turn, parse_address(turn.text))  # for the checkout to come
        return True
    checking_out = turn.state.flow == "checkout" or any(s.get("flow") == "checkout" for s in turn.state.suspended)
    if not checking_out:
        # A new checkout takes the address at once: read back, then the shipping question (never
        # "please send the address" right before the address it was sent).
        turn.state.context["pending_address"] = parse_address(turn.text).to_dict()
    await checkout.start(turn)
    if not checking_out:
        checkout_go_ahead.mark_started_by_address(turn)
    if checking_out and turn.state.flow == "checkout" and await checkout.CheckoutFlow().on_text(turn):
        turn.intent = "checkout:address"
    return turn.state.flow == "checkout" or bool(turn.replies)


class ChangeAddressFlow(Flow):
    name: ClassVar[str] = "change_address"
    step_expects: ClassVar[dict[str, Expects]] = {
        "addr_entry": Expects(answers=("change_address",)),
        "confirm": Expects(yes_no=True, proceed=True),
    }

    async def prompt(self, turn: Turn) -> None:
        step = turn.state.step
        if step == "confirm":
            await self.confirm(turn)
        elif step and step.startswith("addr_") and step != "addr_entry":
            turn.say(f"checkout.ask_{step[5:]}")
        else:
            turn.say("orders.ask_new_address", number=turn.state.slots.get("order", ""))

    async def confirm(self, turn: Turn) -> None:
        state = turn.state
        state.step = "confirm"
        draft = AddressDraft.from_dict(state.slots["draft"])
        address = AddressView(None, draft.name, draft.phone, draft.region, draft.detail)
        turn.say(
            "orders.confirm_address", *yes_no_buttons(turn), number=state.slots["order"], address=address.one_line()
        )

    async def on_text(self, turn: Turn) -> bool:
        state = turn.state
        if state.step == "confirm":
            answer = step_reply.read(turn, Expects(yes_no=True, proceed=True))
            if answer and (answer.kinds & {Reply.YES, Reply.PROCEED}):
                await self.apply(turn)
                return True
            if answer and answer.has(Reply.NO):
                state.end_flow()
                turn.say("confirm.not_done", *menu_buttons(turn))
                return True
            return False
        if looks_like_side_question(turn):
            return False
        draft = AddressDraft.from_dict(state.slots.get("draft"))
        if state.step == "addr_entry":
            parsed = parse_address(turn.text)
            if not any(parsed.to_dict().values()):
                turn.say("checkout.invalid_phone" if parsed.phone_invalid else "checkout.invalid_address_line")
                return True
            draft = AddressDraft(
                **{f: getattr(parsed, f) or getattr(draft, f) for f in ("name", "phone", "region", "detail")}
            )
        else:
            field = (state.step or "addr_detail")[5:]
            draft, ok = fill_field(draft, field, turn.text)
            if not ok:
                turn.say(f"checkout.invalid_{field}")
                return True
        state.slots["draft"] = draft.to_dict()
        missing = draft.missing()
        if missing:
            state.step = f"addr_{missing[0]}"
            turn.say(f"checkout.ask_{missing[0]}")
            return True
        await self.confirm(turn)
        return True

    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        if prefix in (codes.YES, codes.NO) and turn.state.step == "confirm":
            if prefix == codes.YES:
                await self.apply(turn)
            else:
                turn.state.end_flow()
                turn.say("confirm.not_done", *menu_buttons(turn))
            return True
        return False

    async def apply(self, turn: Turn) -> None:
        state = turn.state
        draft = AddressDraft.from_dict(state.slots["draft"])
        number = state.slots["order"]
        state.end_flow()
        order = await turn.services.shop.change_address(
            turn.customer_id, number, AddressView(None, draft.name, draft.phone, draft.region, draft.detail), turn.lang
        )
        turn.say(
            "orders.address_changed", turn.button("button.order_detail", codes.ORDER, order.number), number=order.number
        )
