"""After-sales: return, exchange or refund with a reason (and photos where the channel allows),
confirmed before it is filed; and the status of earlier requests."""

from __future__ import annotations

import re
from typing import ClassVar

from commerce.errors import Conflict, ValidationFailed
from dialogs import buttons as codes
from dialogs import step_reply
from dialogs.flows.base import Flow, looks_like_side_question, menu_buttons, yes_no_buttons
from dialogs.flows.orders import aftersales_kinds, list_orders
from dialogs.i18n import t_list, t_or
from dialogs.messages import Button
from dialogs.references import ordinal, pick
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

KINDS = {"return_goods": "return", "exchange_goods": "exchange", "refund": "refund"}
MAX_PHOTOS = 6
_PHOTOS = re.compile(r"照片|图片|拍照|\bphotos?\b|\bpictures?\b|\bpics?\b", re.I)
_STATUS_QUESTION = re.compile(r"进度|状态|怎么样了|到哪|结果|status|progress|update", re.I)


async def intent(turn: Turn) -> None:
    kind = KINDS.get(turn.intent, "return")
    if _STATUS_QUESTION.search(turn.text):
        await show_status(turn)
        return
    number = turn.entity("order_id")
    await start(turn, kind, str(number) if number else "")


async def button(turn: Turn, value: str) -> None:
    if "." in value:
        kind, _, number = value.partition(".")
    else:  # picked from the list of eligible orders
        kind, number = str(turn.state.context.get("aftersale_kind") or "return"), value
    await start(turn, kind if kind in KINDS.values() else "return", number)


async def start(turn: Turn, kind: str, number: str) -> None:
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
        if len(eligible) == 1:
            order = eligible[0]
        else:
            turn.state.context["aftersale_kind"] = kind
            await list_orders(turn, allowed="return", action=codes.AFTERSALES)
            return
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
        return
    turn.state.start_flow("aftersales", "reason", {"kind": kind, "order": order.number, "photos": []})
    await AfterSalesFlow().prompt(turn)


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

    async def _reason(self, turn: Turn, reason: str) -> None:
        state = turn.state
        state.slots["reason"] = reason[:300]
        state.step = "photos" if turn.message.channel in turn.services.config.photo_channels else "confirm"
        await self.prompt(turn)

    async def on_text(self, turn: Turn) -> bool:
        state = turn.state
        if state.step == "reason":
            if looks_like_side_question(turn, 0.75) or len(turn.text) < 2:
                return False
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
        return False

    async def on_image(self, turn: Turn) -> bool:
        state = turn.state
        if state.step not in ("photos", "reason"):
            return False
        photos = [*state.slots.get("photos", []), *turn.message.image_urls][:MAX_PHOTOS]
        state.slots["photos"] = photos
        turn.intent = "aftersales:photo"
        if state.step == "reason":
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
        state.end_flow()
        turn.say(
            "aftersales.filed",
            turn.button("button.aftersales_status", codes.AFTERSALES_STATUS),
            *menu_buttons(turn)[:1],
            kind=turn.t(f"aftersales.kind_{request.kind}"),
            number=request.order_number,
            status=t_or(f"aftersale_status.{request.status}", turn.lang, request.status),
        )
