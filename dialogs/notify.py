"""Turning commerce events into messages pushed to the customer's chat.

Subscribed to the commerce event outbox (`commerce.orders.events.EventBus`): payment
confirmed or failed, shipped, delivered, after-sales updates, a product back in stock that
the customer asked about (到货提醒). The customer is reached on
the channel of their most recent conversation. Delivery is at-least-once upstream, so each
event id is remembered per conversation and a repeat is not sent twice.
"""

from __future__ import annotations

from commerce.events import (
    AfterSaleChanged,
    BackInStock,
    DomainEvent,
    OrderCancelled,
    OrderDelivered,
    OrderPaid,
    OrderRefunded,
    OrderShipped,
    PaymentFailed,
    PaymentRefunded,
    RefundOwed,
)
from commerce.orders.events import StoredEvent
from core.logging_setup import get_logger
from dialogs import buttons as codes
from dialogs.i18n import t, t_or
from dialogs.messages import Button, Lang, OutgoingMessage, TextReply
from dialogs.outbound import ChannelAddress, Outbound
from dialogs.ports import OrderView, ShopPort
from dialogs.state import ConversationState, ConversationStore

log = get_logger(__name__)

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    OrderPaid,
    PaymentFailed,
    PaymentRefunded,
    RefundOwed,
    OrderShipped,
    OrderDelivered,
    OrderCancelled,
    OrderRefunded,
    AfterSaleChanged,
    BackInStock,
)
REMEMBERED_EVENTS = 50


class Notifier:
    def __init__(self, store: ConversationStore, shop: ShopPort, outbound: Outbound) -> None:
        self.store = store
        self.shop = shop
        self.outbound = outbound

    async def handle(self, stored: StoredEvent) -> None:
        event = stored.event
        if not isinstance(event, EVENT_TYPES) or not event.customer_id:
            return
        if isinstance(event, AfterSaleChanged) and event.status == "requested":
            return  # the customer filed it a moment ago and was told so in the chat
        conversations = await self.store.by_customer(event.customer_id)
        if not conversations:
            return
        state = conversations[0]
        sent: list[str] = list(state.context.get("notified") or [])
        if stored.id in sent:
            return
        messages = await self.messages_for(event, state)
        if not messages:
            return
        await self.outbound.send(ChannelAddress(state.channel, state.channel_user_id), messages)
        # A version bump, so a turn saving at the same moment merges this in instead of overwriting it.
        await self.store.collection.update_one(
            {"_id": state.id},
            {"$set": {"context.notified": [*sent[-(REMEMBERED_EVENTS - 1) :], stored.id]}, "$inc": {"version": 1}},
        )

    async def messages_for(self, event: DomainEvent, state: ConversationState) -> list[OutgoingMessage]:
        lang = state.lang
        if isinstance(event, BackInStock):
            return await self._back_in_stock(event, lang)
        order: OrderView | None = None
        if event.order_id:
            order = await self.shop.order_by_id(event.order_id, lang)
        number = event.number or (order.number if order else "")
        detail = Button(label=t("button.order_detail", lang), payload=f"o:{number}"[:64]) if number else None
        buttons = (detail,) if detail else ()
        match event:
            case OrderPaid():
                amount = order.total.format() if order else (event.total.format() if event.total else "")
                return [TextReply(text=t("payment.confirmed", lang, number=number, amount=amount), buttons=buttons)]
            case PaymentFailed():
                return [
                    TextReply(
                        text=t("payment.failed", lang, number=number),
                        buttons=(Button(label=t("button.pay_again", lang), payload=f"pay:{number}"[:64]),),
                    )
                ]
            case PaymentRefunded() | RefundOwed():
                amount = event.amount.format() if event.amount else ""
                if isinstance(event, RefundOwed):
                    key = "payment.refund_owed"
                else:
                    key = "payment.refunded_late" if event.late_payment else "payment.refunded"
                return [TextReply(text=t(key, lang, number=number, amount=amount), buttons=buttons)]
            case OrderShipped():
                carrier = event.carrier or (order.carrier if order else "") or ""
                tracking = event.tracking_no or (order.tracking_no if order else "") or ""
                return [
                    TextReply(
                        text=t("tracking.shipped", lang, number=number, carrier=carrier, tracking_no=tracking),
                        buttons=(Button(label=t("button.track", lang), payload=f"trk:{number}"[:64]),),
                    )
                ]
            case OrderDelivered():
                return [TextReply(text=t("tracking.delivered", lang, number=number), buttons=buttons)]
            case OrderCancelled() | OrderRefunded():
                status = "cancelled" if isinstance(event, OrderCancelled) else "refunded"
                return [
                    TextReply(
                        text=t("orders.detail_title", lang, number=number)
                        + " — "
                        + t_or(f"order_status.{status}", lang, status),
                        buttons=buttons,
                    )
                ]
            case AfterSaleChanged():
                kind = event.kind or "return"
                text = t(
                    "aftersales.update",
                    lang,
                    number=number,
                    kind=t_or(f"aftersales.kind_{kind}", lang, kind),
                    status=t_or(f"aftersale_status.{event.status}", lang, event.status),
                )
                if event.note:  # the staff's explanation is for the customer: it must arrive
                    text += "\n" + t("aftersales.shop_note", lang, note=event.note)
                return [TextReply(text=text)]
        return []

    async def _back_in_stock(self, event: BackInStock, lang: Lang) -> list[OutgoingMessage]:
        product = await self.shop.product_by_sku(event.sku, lang)
        variant = product.variant(event.sku) if product else None
        if product is None or variant is None:
            return []  # gone from the catalog meanwhile: nothing to offer
        title = product.title
        spec = "/".join(variant.attributes.values())
        if spec and len(product.variants) > 1:
            title = t("restock.title_versions", lang, title=product.title, versions=spec)
        buttons = [Button(label=t("button.details", lang), payload=f"{codes.PRODUCT}:{product.product_id}"[:64])]
        add = f"{codes.ADD_SKU}:{event.sku}"
        if len(add.encode("utf-8")) <= 64:
            buttons.insert(0, Button(label=t("button.add_to_cart", lang), payload=add))
        return [TextReply(text=t("restock.back", lang, title=title), buttons=tuple(buttons))]
