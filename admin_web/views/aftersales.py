"""The after-sales queue: approve, reject, goods received, refund, exchange, close.

Each step goes through `AfterSalesService`, which publishes `aftersale.updated`; the dialogs
notifier turns that into a message in the customer's own chat.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of
from admin_web.forms import RefundForm
from admin_web.views.common import actor, audit, path_param, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.aftersales.model import PATHS, AfterSaleStatus
from commerce.errors import ValidationFailed
from commerce.money import Money, MoneyError

ACTIONS = {
    "approve": AfterSaleStatus.APPROVED,
    "reject": AfterSaleStatus.REJECTED,
    "receive": AfterSaleStatus.GOODS_RECEIVED,
    "refund": AfterSaleStatus.REFUNDED,
    "exchange": AfterSaleStatus.EXCHANGED,
    "close": AfterSaleStatus.CLOSED,
}


@requires(permissions.AFTERSALES_READ)
async def queue(request: web.Request) -> web.StreamResponse:
    raw = request.query.get("status", "requested")
    status = AfterSaleStatus(raw) if raw in AfterSaleStatus._value2member_map_ else None
    after = query_text(request, "after", 64) or None
    requests, next_after = await admin_of(request).commerce.aftersales.list_requests(status=status, after=after)
    return render(
        request,
        "aftersales.html",
        {
            "requests": requests,
            "next_after": next_after,
            "status": status.value if status else "",
            "statuses": list(AfterSaleStatus),
            "local": admin_of(request).queries.local,
        },
    )


@requires(permissions.AFTERSALES_READ)
async def detail(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    item = await admin.commerce.aftersales.get(path_param(request, "request", 64))
    order = await admin.commerce.orders.get(item.order_id)
    allowed = PATHS[item.kind].get(item.status, frozenset())
    actions = [name for name, target in ACTIONS.items() if target in allowed]
    return render(
        request,
        "aftersale_detail.html",
        {"item": item, "order": order, "actions": actions, "local": admin.queries.local},
    )


@requires(permissions.AFTERSALES_WRITE)
async def act(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    service = admin.commerce.aftersales
    name = path_param(request, "action", 20)
    if name not in ACTIONS:
        raise ValidationFailed("unknown action", details={"action": name})
    form = parse_form(RefundForm, await form_data(request))
    before = await service.get(path_param(request, "request", 64))
    who = actor(request)
    result: Any
    if name == "refund":
        amount = None
        if form.amount:
            order = await admin.commerce.orders.get(before.order_id)
            try:
                amount = Money.parse(form.amount, order.currency)
            except MoneyError:
                raise ValidationFailed("invalid amount", details={"field": "amount"}) from None
        result = await service.refund(before.id, actor=who, amount=amount, note=form.note)
    elif name == "reject":
        result = await service.reject(before.id, actor=who, note=form.note)
    else:
        method = {
            "approve": service.approve,
            "receive": service.receive_goods,
            "exchange": service.exchange,
            "close": service.close,
        }[name]
        result = await method(before.id, actor=who, note=form.note)
    await audit(
        request,
        f"aftersale.{name}",
        "aftersale",
        before.id,
        before={"status": before.status.value},
        after={"status": result.status.value, "note": form.note, "amount": form.amount or None},
    )
    return redirect(f"{PREFIX}/aftersales/{before.id}?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/aftersales", queue),
        web.get(f"{prefix}/aftersales/{{request}}", detail),
        web.post(f"{prefix}/aftersales/{{request}}/{{action}}", act),
    ]
