"""Template messages (模板消息) for order paid / shipped / delivered and after-sales updates.

Subscribed to the commerce event bus. While the customer's 48-hour customer-service window is
open the dialogs' own push reaches them as a normal chat message; once it is closed only a
template message gets through, so that is when this notifier sends one (`always=True` sends
it regardless). Field names follow the classic template layout (first / keyword1..3 /
remark); pass `fields` to match the template chosen in the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from bot.wechat.api import WeChatApi, WeChatApiError
from bot.wechat.config import TemplateIds
from bot.wechat.texts import wt
from bot.wechat.users import WeChatUsers
from commerce.customers.model import Customer, IdentityKind
from commerce.money import Money
from commerce.orders.events import Event
from core.logging_setup import get_logger
from dialogs.messages import Lang, normalize_lang

log = get_logger("bot.wechat.notifier")

EVENT_TYPES = ("order.paid", "order.shipped", "order.delivered", "aftersale.updated", "order.refunded")
_TEXT_KEYS = {
    "order.paid": "order_paid",
    "order.shipped": "order_shipped",
    "order.delivered": "order_delivered",
    "aftersale.updated": "aftersales",
    "order.refunded": "aftersales",
}
CHINA_TIME = timezone(timedelta(hours=8), "CST")  # no daylight saving: a fixed offset is exact
DEFAULT_FIELDS = {"first": "first", "number": "keyword1", "detail": "keyword2", "time": "keyword3", "remark": "remark"}


class CustomerLookup(Protocol):
    async def get(self, customer_id: str) -> Customer: ...


def _money_text(value: Any) -> str:
    if isinstance(value, Mapping) and "amount" in value and "currency" in value:
        try:
            return Money.from_doc(dict(value)).format()
        except (TypeError, ValueError, KeyError):
            return ""
    return str(value or "")


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
    ) -> None:
        self.api = api
        self.users = users
        self.customers = customers
        self.templates = templates
        self.always = always
        self.fields = {**DEFAULT_FIELDS, **(fields or {})}
        self.order_url = order_url

    async def __call__(self, event: Event) -> None:
        await self.notify(event)

    async def notify(self, event: Event) -> bool:
        """True when a template message was sent."""
        template_id = self.templates.for_event(event.type)
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
            await self.api.send_template(openid, template_id, self.data(event, lang), url=self.order_url)
        except WeChatApiError as exc:
            # 43004: the user unfollowed; 40037: wrong template id. Nothing to retry.
            log.warning("wechat.template_failed", errcode=exc.errcode, event_type=event.type)
            return False
        return True

    def data(self, event: Event, lang: Lang) -> dict[str, dict[str, str]]:
        payload = event.payload
        key = _TEXT_KEYS[event.type]
        number = str(payload.get("order_number") or payload.get("number") or event.order_id or "")
        if event.type == "order.paid":
            detail = _money_text(payload.get("total") or payload.get("amount")) or wt(f"templates.{key}.status", lang)
        elif event.type == "order.shipped":
            detail = " ".join(str(payload.get(k) or "") for k in ("carrier", "tracking_no")).strip()
            detail = detail or wt(f"templates.{key}.status", lang)
        elif key == "aftersales":
            detail = wt(f"templates.{key}.status", lang, status=str(payload.get("status") or ""))
        else:
            detail = wt(f"templates.{key}.status", lang)
        at: datetime = event.created_at.astimezone(CHINA_TIME)
        values = {
            "first": wt(f"templates.{key}.first", lang),
            "number": number,
            "detail": detail,
            "time": at.strftime("%Y-%m-%d %H:%M"),
            "remark": wt(f"templates.{key}.remark", lang),
        }
        return {self.fields[name]: {"value": value[:200]} for name, value in values.items() if self.fields.get(name)}
