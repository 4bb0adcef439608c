"""Template messages (模板消息) for order paid / shipped / delivered and after-sales updates.

Subscribed to the commerce event bus. While the customer's 48-hour customer-service window is
open the dialogs' own push reaches them as a normal chat message; once it is closed only a
template message gets through, so that is when this notifier sends one (`always=True` sends
it regardless). Field names follow the classic template layout (first / keyword1..3 /
remark); pass `fields` to match the template chosen in the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bot.wechat.api import WeChatApi, WeChatApiError
from bot.wechat.config import TemplateIds
from bot.wechat.texts import wt
from bot.wechat.users import WeChatUsers
from commerce.customers.model import Customer, IdentityKind
from commerce.events import AfterSaleChanged, DomainEvent, OrderDelivered, OrderPaid, OrderRefunded, OrderShipped
from commerce.orders.events import StoredEvent
from core.logging_setup import get_logger
from core.shop_time import ShopClock
from dialogs.messages import Lang, normalize_lang

log = get_logger("bot.wechat.notifier")

EVENT_TYPES: tuple[type[DomainEvent], ...] = (OrderPaid, OrderShipped, OrderDelivered, AfterSaleChanged, OrderRefunded)
DEFAULT_FIELDS = {"first": "first", "number": "keyword1", "detail": "keyword2", "time": "keyword3", "remark": "remark"}


class CustomerLookup(Protocol):
    async def get(self, customer_id: str) -> Customer: ...


class WeChatTemplateNotifier:
    def __init__(
        self,
        *,
        api: WeChatApi,
        users: WeChatUsers,
        customers: CustomerLookup,
        templates: TemplateIds,
        always: bool = False,
        fields: Mapping[str, str] | None = None,
        order_url: str | None = None,
        clock: ShopClock | None = None,
    ) -> None:
        self.clock = clock or ShopClock()  # the time in the message: the shop's zone
        self.api = api
        self.users = users
        self.customers = customers
        self.templates = templates
        self.always = always
        self.fields = {**DEFAULT_FIELDS, **(fields or {})}
        self.order_url = order_url

    async def __call__(self, stored: StoredEvent) -> None:
        await self.notify(stored)

    async def notify(self, stored: StoredEvent) -> bool:
        """True when a template message was sent."""
        event = stored.event
        template_id = self.templates.for_event(event)
        if template_id is None or not event.customer_id:
            return False
        customer = await self.customers.get(event.customer_id)
        openid = customer.identity(IdentityKind.WECHAT_OPENID)
        if not openid:
            return False
        if not self.always and await self.users.window_open(openid):
            return False  # the chat push reaches them as a normal message
        lang: Lang = normalize_lang(getattr(customer, "language", None)) or "zh"
        try:
            await self.api.send_template(openid, template_id, self.data(stored, lang), url=self.order_url)
        except WeChatApiError as exc:
            # 43004: the user unfollowed; 40037: wrong template id. Nothing to retry.
            log.warning("wechat.template_failed", errcode=exc.errcode, event_type=stored.type)
            return False
        return True

    def data(self, stored: StoredEvent, lang: Lang) -> dict[str, dict[str, str]]:
        event = stored.event
        key = _text_key(event)
        status = wt(f"templates.{key}.status", lang) if key != "aftersales" else ""
        match event:
            case OrderPaid():
                detail = event.total.format() if event.total else status
            case OrderShipped():
                detail = f"{event.carrier} {event.tracking_no}".strip() or status
            case AfterSaleChanged():
                detail = wt(f"templates.{key}.status", lang, status=event.status)
            case OrderRefunded():
                detail = wt(f"templates.{key}.status", lang, status="refunded")
            case _:
                detail = status
        values = {
            "first": wt(f"templates.{key}.first", lang),
            "number": event.number or event.order_id or "",
            "detail": detail,
            "time": self.clock.format(stored.created_at),
            "remark": wt(f"templates.{key}.remark", lang),
        }
        return {self.fields[name]: {"value": value[:200]} for name, value in values.items() if self.fields.get(name)}


def _text_key(event: DomainEvent) -> str:
    """The texts.yml section of the template message for this event."""
    match event:
        case OrderPaid():
            return "order_paid"
        case OrderShipped():
            return "order_shipped"
        case OrderDelivered():
            return "order_delivered"
    return "aftersales"
