"""After-sales: return, exchange or refund with a reason (and photos where the channel allows),
confirmed before it is filed; and the status of earlier requests.

A request that already says everything ("they're too tight, I want to send them back" with one
order it can be about) is filed at once with the reason it gave (`dialogs/reasons.py`); asked as
a question ("能换个M的吗") it goes straight to the confirmation. After such a filing the customer
may go on explaining or send photos: those are added to the request, and "ok", "没有照片",
"submit" are acknowledged, never filed twice (`after_filing`, `photos_after_filing`, read by the
router before any intent while no flow runs). "yes" is never taken as a reason.

When the order's state calls for a refund (paid, not shipped) and the customer asked to return
or cancel it, the refund is explained and offered; a "yes" to that offer files it
(`offer_reply`, read before any intent)."""

from __future__ import annotations

import re
from typing import ClassVar

from commerce.errors import Conflict, NotFound, ValidationFailed
from dialogs import buttons as codes
from dialogs import reasons, step_reply
from dialogs.flows import arrival, orders
from dialogs.flows.base import Flow, looks_like_side_question, menu_buttons, yes_no_buttons
from dialogs.flows.orders import aftersales_kinds, list_orders, offer_refund, order_to_refund_instead, refunded_instead
from dialogs.flows.products import title_mentions
from dialogs.i18n import t_list, t_or
from dialogs.messages import Button
from dialogs.ports import OrderView
from dialogs.references import ordinal, pick, product_words
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

KINDS = {"return_goods": "return", "exchange_goods": "exchange", "refund": "refund"}
MAX_PHOTOS = 6
_PHOTOS = re.compile(r"照片|图片|拍照|\bphotos?\b|\bpictures?\b|\bpics?\b", re.I)
_STATUS_QUESTION = re.compile(r"进度|状态|怎么样了|到哪|结果|status|progress|update", re.I)


FILED = "aftersale_filed"  # context: the request just filed from one message, for what follows
_NEGATED = re.compile(r"不|别|\b(?:no|not|don'?t|do not|never)\b", re.I)
_CANCEL_WORDS = re.compile(r"取消|\bcancel", re.I)
_NO_REFUND = re.compile(
    r"(?:不|别|不用|不要|无需|没)(?:用|要)?(?:退款|退钱)|"
    r"\b(?:no|not|don'?t|without)\s+(?:need\s+)?(?:a\s+|any\s+)?refund",
    re.I,
)


def stated_reason(turn: Turn, text: str | None = None) -> str:
    return reasons.stated(turn.text if text is None else text, turn.lang)


async def intent(turn: Turn) -> None:
    kind = KINDS.get(turn.intent, "return")
    if _STATUS_QUESTION.search(turn.text):
        await show_status(turn)
        return
    number = turn.entity("order_id")
    await start(turn, kind, str(number) if number else "", reason=stated_reason(turn))


async def cancel_intent(turn: Turn) -> None:
    """ "Cancel it" in words. A paid order not shipped yet cannot simply be cancelled: its refund is
    offered - or filed at once when the message asks for the money back ("刚付完发现买重了 这单帮我
    取消 钱退回来", "cancel and give me my money back"), with the reason the message gives."""
    if turn.text and (_asks_money_back(turn.text) or await _plainly_cancels_a_paid_order(turn)):
        order = await order_to_refund_instead(turn)
        if order is not None:
            reason = stated_reason(turn) or _reason_in_words(turn, "refund", order)
            reason = reason or turn.t("aftersales.reason_cancel")
            await start(turn, "refund", order.number, reason=reason, stated=True)
            return
    await orders.cancel_intent(turn)


async def _plainly_cancels_a_paid_order(turn: Turn) -> bool:
    """ "cancel it", "取消订单" said plainly (not "can I still cancel?") with no order that can simply
    be cancelled: for a paid order not shipped yet, cancelling is its refund - filed as asked,
    never held back for a "yes" the customer already gave by asking."""
    if reasons.tentative(turn.text) or _NO_REFUND.search(turn.text):
        return False
    return await orders.cancellable_order(turn) is None


def _asks_money_back(text: str) -> bool:
    return reasons.kind_in(text) == "refund" and not _NO_REFUND.search(text)


async def button(turn: Turn, value: str) -> None:
    context = turn.state.context
    reason = ""
    if "." in value:
        kind, _, number = value.partition(".")
        offer = context.pop("refund_offer", None)
        if kind == "refund" and isinstance(offer, dict) and offer.get("order") == number:
            await _accept_offer(turn, offer)  # the "Refund" button of the offer: its "yes"
            return
    else:  # picked from the list of eligible orders
        kind, number = str(context.get("aftersale_kind") or "return"), value
        reason = str(context.pop("aftersale_reason", "") or "")
    await start(turn, kind if kind in KINDS.values() else "return", number, reason=reason, stated=bool(reason))


async def offer_reply(turn: Turn) -> bool:
    """The answer to "this order can be refunded instead - shall I?" ("嗯 确定取消", "yes refund",
    "ok"): a yes files the refund; anything else lets the message be read as usual."""
    offer = turn.state.context.pop("refund_offer", None)
    if not isinstance(offer, dict) or not offer.get("order"):
        return False
    answer = step_reply.read(turn, Expects(yes_no=True))
    restated = (
        (reasons.kind_in(turn.text) == "refund" or _CANCEL_WORDS.search(turn.text))
        and not _NEGATED.search(turn.text)
        and not reasons.tentative(turn.text)
    )
    if (answer and answer.has(Reply.YES)) or restated:
        turn.intent = "aftersales:refund_offer"
        await _accept_offer(turn, offer)
        return True
    if answer and answer.has(Reply.NO):
        turn.intent = "aftersales:refund_offer_declined"
        turn.say("confirm.not_done", *menu_buttons(turn))
        return True
    return False


async def after_filing(turn: Turn) -> bool:
    """A message after a request was filed from one message: more words about the item go into
    it ("it leaks when it rains"), "ok" / "没有照片" / "submit" are acknowledged; anything else
    ends this and is read as usual."""
    filed = turn.state.context.get(FILED)
    if not isinstance(filed, dict):
        return False
    answer = step_reply.read(turn, Expects(yes_no=True, skippable=True, proceed=True))
    explains = reasons.reason_in(turn.text) is not None or (turn.nlu_intent == "complaint" and not answer)
    if explains and reasons.kind_in(turn.text) in (None, filed.get("kind")):
        turn.intent = "aftersales:details"
        await _add_details(turn, filed, note=" ".join(turn.text.split()))
        return True
    small_talk = turn.nlu_intent in ("affirm", "deny", "thanks") and turn.confidence >= 0.5
    restated = reasons.kind_in(turn.text) == filed.get("kind") and not _STATUS_QUESTION.search(turn.text)
    if answer or _PHOTOS.search(turn.text) or small_talk or restated:
        turn.intent = "aftersales:filed"
        turn.say(
            "aftersales.filed_already",
            turn.button("button.aftersales_status", codes.AFTERSALES_STATUS),
            kind=turn.t(f"aftersales.kind_{filed.get('kind') or 'return'}"),
            number=filed.get("order", ""),
        )
        return True
    turn.state.context.pop(FILED, None)
    return False


async def photos_after_filing(turn: Turn) -> bool:
    filed = turn.state.context.get(FILED)
    if not isinstance(filed, dict) or not turn.message.image_urls:
        return False
    turn.intent = "aftersales:photo"
    await _add_details(turn, filed, photos=list(turn.message.image_urls)[:MAX_PHOTOS])
    return True


async def _add_details(turn: Turn, filed: dict[str, str], *, note: str = "", photos: list[str] | None = None) -> None:
    try:
        await turn.services.shop.add_after_sale_details(
            turn.customer_id, str(filed.get("request") or ""), note, list(photos or []), turn.lang
        )
    except (Conflict, NotFound, ValidationFailed):
        turn.state.context.pop(FILED, None)  # the shop is on it already: the customer tells the team
        turn.say("aftersales.details_too_late", number=filed.get("order", ""))
        return
    turn.say("aftersales.details_added" if note else "aftersales.photo_added", count=len(photos or []))


async def _accept_offer(turn: Turn, offer: dict[str, str]) -> None:
    reason = str(offer.get("reason") or "") or stated_reason(turn)
    if not reason and offer.get("via") == "cancel":
        reason = turn.t("aftersales.reason_cancel")
    turn.state.start_flow(
        "aftersales", "reason", {"kind": "refund", "order": str(offer["order"]), "photos": [], "confirmed": True}
    )
    flow = AfterSalesFlow()
    if reason:
        turn.state.slots["reason"] = reason
        await flow.submit(turn)
    else:
        await flow.prompt(turn)


async def start(turn: Turn, kind: str, number: str, *, reason: str = "", stated: bool = False) -> None:
    """`reason`: what the request message (or the one that led to a list of orders) said
    already; with it the request is filed at once, or confirmed when it was asked tentatively."""
    shop = turn.services.shop
    order = await shop.order(turn.customer_id, number, turn.lang) if number else None
    if number and order is None:
        turn.say("orders.not_found", turn.button("menu.orders", codes.ORDERS), number=number)
        return
    if order is None:
        context = turn.state.context
        position = ordinal(turn.text) if turn.text else None
        if position is not None and context.get("list_kind") == "orders":
            chosen = pick(list(context.get("orders") or []), position)
            order = await shop.order(turn.customer_id, chosen, turn.lang) if chosen else None
    if order is None:
        eligible = [o for o in await shop.orders(turn.customer_id, turn.lang, 20) if aftersales_kinds(o.status)]
        if len(eligible) > 1 and turn.message.kind == "text":
            eligible = _meant(turn, kind, eligible)
        if len(eligible) == 1:
            order = eligible[0]
        else:
            turn.state.context["aftersale_kind"] = kind
            turn.state.context["aftersale_reason"] = reason
            await list_orders(turn, allowed="return", action=codes.AFTERSALES)
            return
    if not reason and turn.message.kind == "text":
        reason = _reason_in_words(turn, kind, order)
    # "the mat came but it smells" a moment ago, then "i wanna return it": those words are the reason
    told = arrival.reason_told(turn, order.number)
    reason = (f"{told} / {reason}" if told and reason and reason not in told else reason or told)[:300]
    before_shipping = kind == "refund" and refunded_instead(order)
    if not reason and before_shipping and (_CANCEL_WORDS.search(turn.text) or turn.message.kind == "text"):
        # "just paid but i need to cancel, please refund", "能退款吗": nothing to send back, nothing
        # to photograph - the money back for an order that never left is reason enough
        reason = turn.t("aftersales.reason_cancel")
    allowed = allowed_kinds(order.status)
    if not allowed:
        turn.say(
            "aftersales.not_eligible",
            turn.button("menu.human", codes.HUMAN),
            number=order.number,
            status=t_or(f"order_status.{order.status}", turn.lang, order.status),
        )
        return
    if kind not in allowed:
        # Before asking for reasons and photos: say what this order's state allows, and offer it
        # ("paid but not shipped yet: a refund, or cancel the order").
        _explain_what_applies(turn, order.number, order.status, kind, allowed, can_cancel=order.can_cancel)
        if order.status == "paid" and "refund" in allowed:
            offer_refund(turn, order.number, reason)
        return
    turn.state.start_flow("aftersales", "reason", {"kind": kind, "order": order.number, "photos": []})
    flow = AfterSalesFlow()
    if not reason:
        await flow.prompt(turn)
        return
    slots = turn.state.slots
    slots["reason"] = reason
    slots["photo_offer"] = turn.message.channel in turn.services.config.photo_channels and not before_shipping
    turn.state.step = "confirm"
    # "can u refund that? it hasnt shipped yet right?", "能退款吗" about a paid order not shipped yet is
    # how the money back is asked for (nothing else applies to it), not whether it is possible.
    asked = reasons.tentative(turn.text) and not before_shipping
    if asked and not stated and not _names_exchange(turn, kind):
        await flow.prompt(turn)  # "could I exchange it?": confirm what will be filed
        return
    slots["direct"] = True
    await flow.submit(turn)


def _reason_in_words(turn: Turn, kind: str, order: OrderView) -> str:
    """A reason the request gives in words no reason pattern knows: an exchange naming the option
    it is for ("能换成73码吗", "swap these for the pro ones? havent opened the box": the wrong one
    was ordered), or any explanation beyond the asking ("my sister just gave us a bunch of bottles")."""
    if _names_exchange(turn, kind):
        return reasons.for_exchange(turn.text, turn.lang)
    return reasons.explained(turn.text, turn.lang, tuple(line.title for line in order.lines))


def _names_exchange(turn: Turn, kind: str) -> bool:
    return kind == "exchange" and reasons.exchange_target(turn.text) is not None


def _meant(turn: Turn, kind: str, eligible: list[OrderView]) -> list[OrderView]:
    """The orders a request can be about, narrowed by what it says: the item it names ("the mug
    arrived chipped"), the kind it asks for (an exchange: a delivered order), why ("坏了": one that
    arrived; "买重了", "取消 钱退回来": one not shipped yet, else the one this conversation placed)."""
    eligible = _naming(turn, eligible) or eligible
    eligible = [o for o in eligible if kind in allowed_kinds(o.status)] or eligible
    if len(eligible) < 2:
        return eligible
    reason = reasons.reason_in(turn.text)
    if reason in (reasons.DAMAGED, reasons.WRONG_SIZE, reasons.NOT_AS_DESCRIBED, reasons.LATE):
        return [o for o in eligible if o.status in ("shipped", "delivered")] or eligible
    if _CANCEL_WORDS.search(turn.text) or reason == reasons.CHANGED_MIND:
        unshipped = [o for o in eligible if refunded_instead(o)]
        if len(unshipped) == 1:
            return unshipped
    last = turn.state.context.get("last_order")
    return [o for o in eligible if o.number == last] or eligible


def _naming(turn: Turn, orders: list[OrderView]) -> list[OrderView]:
    """The orders holding an item the message names ("马克杯摔裂了" -> the one with the 陶瓷马克杯)."""
    words = product_words(reasons.without_request_words(turn.text))
    if not words:
        return []
    return [o for o in orders if any(title_mentions(line.title, words) for line in o.lines)]


def allowed_kinds(status: str) -> list[str]:
    """The after-sales kinds an order in this state can have (the shop's rule), in offer order."""
    allowed = aftersales_kinds(status)
    return [kind for kind in ("refund", "return", "exchange") if kind in allowed]


def _explain_what_applies(
    turn: Turn, number: str, status: str, wanted: str, allowed: list[str], *, can_cancel: bool
) -> None:
    buttons = [turn.button(f"button.{kind}", codes.AFTERSALES, f"{kind}.{number}") for kind in allowed]
    if can_cancel:
        buttons.append(turn.button("button.cancel_order", codes.CANCEL_ORDER, number))
    turn.say(
        "aftersales.kind_not_applicable",
        *buttons,
        number=number,
        status=t_or(f"order_status.{status}", turn.lang, status),
        wanted=turn.t(f"aftersales.kind_{wanted}"),
        options=" / ".join(turn.t(f"aftersales.kind_{kind}") for kind in allowed),
    )
    if status == "paid" and "refund" in allowed:
        turn.say("aftersales.offer_refund", number=number)


async def show_status(turn: Turn, _: str = "") -> None:
    requests = await turn.services.shop.after_sales(turn.customer_id, turn.lang)
    if not requests:
        turn.say("aftersales.none", *menu_buttons(turn))
        return
    rows = [
        turn.t(
            "aftersales.row",
            number=r.order_number,
            kind=turn.t(f"aftersales.kind_{r.kind}"),
            status=t_or(f"aftersale_status.{r.status}", turn.lang, r.status),
        )
        for r in requests[:5]
    ]
    turn.say("aftersales.status", *menu_buttons(turn), rows="\n".join(rows))


class AfterSalesFlow(Flow):
    name: ClassVar[str] = "aftersales"
    step_expects: ClassVar[dict[str, Expects]] = {
        "photos": Expects(yes_no=True, skippable=True, proceed=True),
        "confirm": Expects(yes_no=True, proceed=True),
    }

    async def prompt(self, turn: Turn) -> None:
        state = turn.state
        slots = state.slots
        kind_label = turn.t(f"aftersales.kind_{slots['kind']}")
        if state.step == "reason":
            reasons = t_list("aftersales.reasons", turn.lang)
            buttons = [Button(label=r[:64], payload=turn.payload(codes.REASON, str(i))) for i, r in enumerate(reasons)]
            turn.say("aftersales.ask_reason", *buttons, kind=kind_label, number=slots["order"])
        elif state.step == "photos":
            turn.say("aftersales.ask_photos", turn.button("button.skip_photos", codes.PHOTOS_DONE, "done"))
        else:
            turn.say(
                "aftersales.confirm",
                *yes_no_buttons(turn),
                kind=kind_label,
                number=slots["order"],
                reason=slots.get("reason", ""),
                photos=len(slots.get("photos") or []),
            )
            if slots.get("photo_offer") and not slots.get("photos"):
                turn.say("aftersales.photos_welcome")

    async def _reason(self, turn: Turn, reason: str) -> None:
        state = turn.state
        state.slots["reason"] = reason[:300]
        if state.slots.get("confirmed"):  # the refund was offered and accepted: file it now
            await self.submit(turn)
            return
        photos = turn.message.channel in turn.services.config.photo_channels
        if photos and state.slots.get("kind") == "refund":
            # an order not shipped yet has nothing to photograph
            order = await turn.services.shop.order(turn.customer_id, str(state.slots.get("order")), turn.lang)
            photos = order is None or not refunded_instead(order)
        state.step = "photos" if photos else "confirm"
        await self.prompt(turn)

    async def on_text(self, turn: Turn) -> bool:
        state = turn.state
        if state.step == "reason":
            gives_reason = reasons.reason_in(turn.text) is not None
            # A complaint at this step is the reason ("quality issue", "it leaks"), not a case for a person.
            side = looks_like_side_question(turn, 0.75) and turn.nlu_intent != "complaint"
            if (side and not gives_reason) or len(turn.text) < 2:
                return False
            answer = step_reply.read(turn, Expects(yes_no=True, proceed=True))
            if not gives_reason and answer and answer.kinds & {Reply.YES, Reply.PROCEED}:
                await self.prompt(turn)  # "yes", "对 退款": a confirmation is never the reason
                return True
            await self._reason(turn, turn.text)
            return True
        if state.step == "photos":
            if step_reply.read(turn, Expects(yes_no=True, skippable=True, proceed=True)):
                state.step = "confirm"  # "no photos", "skip", "ok", "submit"
                await self.prompt(turn)
                return True
            return False
        answer = step_reply.read(turn, Expects(yes_no=True, proceed=True))
        if _PHOTOS.search(turn.text) and not (answer and answer.has(Reply.PROCEED)):
            await self.prompt(turn)  # "没有照片" answers the photo question, not this one
            return True
        if answer and (answer.kinds & {Reply.YES, Reply.PROCEED}):
            await self.submit(turn)
            return True
        if answer and answer.has(Reply.NO):
            state.end_flow()
            turn.say("confirm.not_done", *menu_buttons(turn))
            return True
        if not answer and self._more_reason(turn):
            turn.say("aftersales.reason_added")
            await self.prompt(turn)  # "it leaks when it rains" before confirming: kept with the reason
            return True
        return False

    @staticmethod
    def _more_reason(turn: Turn) -> bool:
        """Words that explain the request further (a reason, or a complaint about the item)."""
        if reasons.reason_in(turn.text) is None and turn.nlu_intent != "complaint":
            return False
        slots = turn.state.slots
        words = " ".join(turn.text.split())
        if words not in str(slots.get("reason", "")):
            slots["reason"] = f"{slots.get('reason', '')} / {words}".strip(" /")[:300]
        return True

    async def on_image(self, turn: Turn) -> bool:
        state = turn.state
        if state.step not in ("photos", "reason", "confirm"):
            return False
        photos = [*state.slots.get("photos", []), *turn.message.image_urls][:MAX_PHOTOS]
        state.slots["photos"] = photos
        turn.intent = "aftersales:photo"
        if state.step in ("reason", "confirm"):
            turn.say("aftersales.photo_received", count=len(photos))
            await self.prompt(turn)
            return True
        turn.say(
            "aftersales.photo_received", turn.button("button.photos_done", codes.PHOTOS_DONE, "done"), count=len(photos)
        )
        return True

    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        state = turn.state
        if prefix == codes.REASON and state.step == "reason":
            reasons = t_list("aftersales.reasons", turn.lang)
            index = int(value) if value.isdigit() else -1
            if 0 <= index < len(reasons):
                await self._reason(turn, reasons[index])
                return True
        if prefix == codes.PHOTOS_DONE:
            state.step = "confirm"
            await self.prompt(turn)
            return True
        if prefix in (codes.YES, codes.NO) and state.step == "confirm":
            if prefix == codes.YES:
                await self.submit(turn)
            else:
                state.end_flow()
                turn.say("confirm.not_done", *menu_buttons(turn))
            return True
        return False

    async def _keep_and_redirect(self, turn: Turn, exc: ValidationFailed) -> None:
        """The shop refused this kind of request: keep the reason and photos the customer gave and
        offer what applies instead (or ask again for what was missing)."""
        state = turn.state
        if exc.code == "reason_required":
            state.step = "reason"
            await self.prompt(turn)
            return
        order = await turn.services.shop.order(turn.customer_id, state.slots["order"], turn.lang)
        allowed = allowed_kinds(order.status) if order else []
        if "refund" in allowed and state.slots.get("kind") != "refund":
            state.slots["kind"] = "refund"
            state.step = "confirm"
            turn.say("aftersales.switched_to_refund", number=state.slots["order"])
            await self.prompt(turn)
            return
        state.end_flow()
        turn.say("aftersales.refused", turn.button("menu.human", codes.HUMAN), reason=exc.message)

    async def submit(self, turn: Turn) -> None:
        state = turn.state
        slots = dict(state.slots)
        try:
            request = await turn.services.shop.request_after_sale(
                turn.customer_id,
                slots["order"],
                slots["kind"],
                slots.get("reason", ""),
                list(slots.get("photos") or []),
                turn.lang,
            )
        except Conflict as exc:
            if exc.code != "aftersale_exists":
                raise
            state.end_flow()  # a request is open already: say so, never "please try again"
            turn.say(
                "aftersales.already_open",
                turn.button("button.aftersales_status", codes.AFTERSALES_STATUS),
                number=slots["order"],
            )
            return
        except ValidationFailed as exc:
            await self._keep_and_redirect(turn, exc)
            return
        direct = bool(slots.get("direct"))
        state.end_flow()
        turn.say(
            "aftersales.filed",
            turn.button("button.aftersales_status", codes.AFTERSALES_STATUS),
            *menu_buttons(turn)[:1],
            kind=turn.t(f"aftersales.kind_{request.kind}"),
            number=request.order_number,
            status=t_or(f"aftersale_status.{request.status}", turn.lang, request.status),
        )
        if direct:
            # Filed from one message: say what was understood, and keep listening for more words
            # or photos about it (the customer did not go through the steps).
            turn.say("aftersales.filed_reason", reason=request.reason)
            if slots.get("photo_offer"):
                turn.say("aftersales.photos_welcome")
            state.context[FILED] = {"kind": request.kind, "order": request.order_number, "request": request.request_id}
