"""Orders: the filtered list, the detail with its history, shipping, cancelling, staff notes."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of
from admin_web.forms import NoteForm, ReasonForm, ShipForm
from admin_web.queries import OrderListFilter
from admin_web.views.common import actor, audit, path_param, query_date, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.orders.model import SALES_CHANNELS, TRANSITIONS, OrderStatus


@requires(permissions.ORDERS_READ)
async def order_list(request: web.Request) -> web.StreamResponse:
    status = request.query.get("status", "")
    channel = request.query.get("channel", "")
    filters = OrderListFilter(
        status=status if status in OrderStatus._value2member_map_ else None,
        number=query_text(request, "number", 40) or None,
        customer_id=query_text(request, "customer", 64) or None,
        channel=channel if channel in SALES_CHANNELS else None,
        date_from=query_date(request, "from"),
        date_to=query_date(request, "to"),
    )
    after = query_text(request, "after", 64) or None
    result = await admin_of(request).queries.orders(filters, after=after)
    params = {k: v for k, v in request.query.items() if k != "after" and v}
    return render(
        request,
        "orders.html",
        {
            "result": result,
            "filters": filters,
            "statuses": list(OrderStatus),
            "channels": SALES_CHANNELS,
            "params": params,
            "local": admin_of(request).queries.local,
        },
    )


@requires(permissions.ORDERS_READ)
async def order_detail(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    order = await admin.commerce.orders.find(path_param(request, "order", 64))
    customer = await admin.commerce.customers.find(order.customer_id)
    aftersales = await admin.commerce.aftersales.list_for_order(order.id)
    payments = admin.commerce.payments
    return render(
        request,
        "order_detail.html",
        {
            "order": order,
            "customer": customer,
            "notes": list(reversed(order.notes)),
            "aftersales": aftersales,
            "payments": await payments.for_order(order.id),
            "refunds": await payments.refunds.for_order(order.id),
            "payment_alerts": await payments.alerts.recent(order_id=order.id),
            "local": admin.queries.local,
            "can_ship": OrderStatus.SHIPPED in _next(order.status),
            "can_deliver": OrderStatus.DELIVERED in _next(order.status),
            "can_refund": OrderStatus.REFUNDED in _next(order.status),
        },
    )


def _next(status: OrderStatus) -> frozenset[OrderStatus]:
    return TRANSITIONS[status]


@requires(permissions.ORDERS_WRITE)
async def ship(request: web.Request) -> web.StreamResponse:
    orders = admin_of(request).commerce.orders
    form = parse_form(ShipForm, await form_data(request))
    before = await orders.find(path_param(request, "order", 64))
    after = await orders.ship(before.id, carrier=form.carrier, tracking_no=form.tracking_no, actor=actor(request))
    await audit(
        request,
        "order.ship",
        "order",
        before.number,
        before={"status": before.status.value},
        after={"status": after.status.value, "carrier": form.carrier, "tracking_no": form.tracking_no},
    )
    return redirect(f"{PREFIX}/orders/{before.id}?flash=saved", request)


@requires(permissions.ORDERS_WRITE)
async def deliver(request: web.Request) -> web.StreamResponse:
    orders = admin_of(request).commerce.orders
    before = await orders.find(path_param(request, "order", 64))
    after = await orders.deliver(before.id, actor=actor(request))
    await audit(
        request,
        "order.deliver",
        "order",
        before.number,
        before={"status": before.status.value},
        after={"status": after.status.value},
    )
    return redirect(f"{PREFIX}/orders/{before.id}?flash=saved", request)


@requires(permissions.ORDERS_WRITE)
async def cancel(request: web.Request) -> web.StreamResponse:
    orders = admin_of(request).commerce.orders
    form = parse_form(ReasonForm, await form_data(request))
    before = await orders.find(path_param(request, "order", 64))
    after = await orders.cancel(before.id, actor=actor(request), reason=form.reason or "cancelled by the shop")
    await audit(
        request,
        "order.cancel",
        "order",
        before.number,
        before={"status": before.status.value},
        after={"status": after.status.value, "reason": form.reason},
    )
    return redirect(f"{PREFIX}/orders/{before.id}?flash=saved", request)


@requires(permissions.ORDERS_WRITE)
async def add_note(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    form = parse_form(NoteForm, await form_data(request))
    order = await admin.commerce.orders.find(path_param(request, "order", 64))
    await admin.commerce.orders.add_note(order.id, text=form.text, actor=actor(request))
    await audit(request, "order.note", "order", order.number, after={"text": form.text})
    return redirect(f"{PREFIX}/orders/{order.id}?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/orders", order_list),
        web.get(f"{prefix}/orders/{{order}}", order_detail),
        web.post(f"{prefix}/orders/{{order}}/ship", ship),
        web.post(f"{prefix}/orders/{{order}}/deliver", deliver),
        web.post(f"{prefix}/orders/{{order}}/cancel", cancel),
        web.post(f"{prefix}/orders/{{order}}/notes", add_note),
    ]
