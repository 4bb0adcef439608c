"""Turning commerce events into messages pushed to the customer's chat.

Subscribed to the commerce event outbox (`commerce.orders.events.EventBus`): payment
confirmed or failed, shipped, delivered, after-sales updates. The customer is reached on
the channel of their most recent conversation. Delivery is at-least-once upstream, so each
event id is remembered per conversation and a repeat is not sent twice.
"""

from __future__ import annotations

from typing import Any, Protocol

from commerce.money import Money
from core.logging_setup import get_logger
from dialogs.i18n import t, t_or
from dialogs.messages import Button, OutgoingMessage, PaymentLink, TextReply
from dialogs.outbound import ChannelAddress, Outbound
from dialogs.ports import OrderView, ShopPort
from dialogs.state import ConversationState, ConversationStore

log = get_logger(__name__)

EVENT_TYPES = (
    "order.paid",
    "payment.failed",
    "payment.refunded",
    "payment.refund_owed",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "order.refunded",
    "aftersale.updated",
)
REMEMBERED_EVENTS = 50


class CommerceEvent(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def customer_id(self) -> str | None: ...
    @property
    def order_id(self) -> str | None: ...
    @property
    def payload(self) -> Any: ...


def _money_text(value: Any) -> str:
    """An event's money ({"amount": minor, "currency"}) as people read it."""
    if not isinstance(value, dict):
        return ""
    try:
        return Money.from_doc(value).format()
    except (KeyError, TypeError, ValueError):
        return ""


class Notifier:
    def __init__(self, store: ConversationStore, shop: ShopPort, outbound: Outbound) -> None:
        self.store = store
        self.shop = shop
        self.outbound = outbound

    async def handle(self, event: CommerceEvent) -> None:
        if event.type not in EVENT_TYPES or not event.customer_id:
            return
        if event.type == "aftersale.updated" and (event.payload or {}).get("status") == "requested":
            return  # the customer filed it a moment ago and was told so in the chat
        conversations = await self.store.by_customer(event.customer_id)
        if not conversations:
            return
        state = conversations[0]
        sent: list[str] = list(state.context.get("notified") or [])
        if event.id in sent:
            return
        messages = await self.messages_for(event, state)
        if not messages:
            return
        await self.outbound.send(ChannelAddress(state.channel, state.channel_user_id), messages)
        # A version bump, so a turn saving at the same moment merges this in instead of overwriting it.
        await self.store.collection.update_one(
            {"_id": state.id},
            {"$set": {"context.notified": [*sent[-(REMEMBERED_EVENTS - 1) :], event.id]}, "$inc": {"version": 1}},
        )

    async def messages_for(self, event: CommerceEvent, state: ConversationState) -> list[OutgoingMessage]:
        lang = state.lang
        payload = dict(event.payload or {})
        order: OrderView | None = None
        if event.order_id:
            order = await self.shop.order_by_id(event.order_id, lang)
        number = str(payload.get("number") or payload.get("order_number") or (order.number if order else ""))
        detail = Button(label=t("button.order_detail", lang), payload=f"o:{number}"[:64]) if number else None
        buttons = (detail,) if detail else ()
        if event.type == "order.paid":
            amount = order.total.format() if order else str(payload.get("total") or "")
            return [TextReply(text=t("payment.confirmed", lang, number=number, amount=amount), buttons=buttons)]
        if event.type == "payment.failed":
            url = str(payload.get("pay_url") or payload.get("url") or "")
            text = t("payment.failed", lang, number=number)
            if url and order:
                return [
                    PaymentLink(
                        text=text,
                        url=url,
                        order_number=number,
                        amount=order.total.to_decimal_string(),
                        buttons=(Button(label=t("button.pay_now", lang), payload=f"pay:{number}"[:64], url=url),),
                    )
                ]
            return [
                TextReply(text=text, buttons=(Button(label=t("button.pay_again", lang), payload=f"pay:{number}"[:64]),))
            ]
        if event.type in ("payment.refunded", "payment.refund_owed"):
            amount = _money_text(payload.get("amount"))
            if event.type == "payment.refund_owed":
                key = "payment.refund_owed"
            else:
                key = "payment.refunded_late" if payload.get("purpose") == "late_payment" else "payment.refunded"
            return [TextReply(text=t(key, lang, number=number, amount=amount), buttons=buttons)]
        if event.type == "order.shipped":
            carrier = str(payload.get("carrier") or (order.carrier if order else "") or "")
            tracking = str(payload.get("tracking_no") or (order.tracking_no if order else "") or "")
            return [
                TextReply(
                    text=t("tracking.shipped", lang, number=number, carrier=carrier, tracking_no=tracking),
                    buttons=(Button(label=t("button.track", lang), payload=f"trk:{number}"[:64]),),
                )
            ]
        if event.type == "order.delivered":
            return [TextReply(text=t("tracking.delivered", lang, number=number), buttons=buttons)]
        if event.type in ("order.cancelled", "order.refunded"):
            status = event.type.split(".", 1)[1]
            return [
                TextReply(
                    text=t("orders.detail_title", lang, number=number)
                    + " — "
                    + t_or(f"order_status.{status}", lang, status),
                    buttons=buttons,
                )
            ]
        if event.type == "aftersale.updated":
            kind = str(payload.get("kind") or "return")
            status = str(payload.get("status") or "")
            return [
                TextReply(
                    text=t(
                        "aftersales.update",
                        lang,
                        number=number,
                        kind=t_or(f"aftersales.kind_{kind}", lang, kind),
                        status=t_or(f"aftersale_status.{status}", lang, status),
                    )
                )
            ]
        return []
