"""Orders: the filtered list, the detail with its history, shipping, cancelling, staff notes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of, lang_of
from admin_web.forms import NoteForm, ReasonForm, ShipForm
from admin_web.i18n import translate
from admin_web.queries import OrderListFilter
from admin_web.views.common import actor, audit, path_param, query_date, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.aftersales.model import AfterSaleKind
from commerce.catalog.specs import label_specs
from commerce.customers.model import Address, display_phone
from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.orders.model import SALES_CHANNELS, TRANSITIONS, OrderStatus
from commerce.services import Commerce


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


def shipping_name(commerce: Commerce, code: str, lang: str) -> str:
    """The shipping method as the shop names it; a method removed since keeps its code."""
    try:
        return str(commerce.shipping.method(code).name.get(lang))
    except (NotFound, ValidationFailed, KeyError):
        return code


def spec_text(specs: dict[str, str], lang: str) -> str:
    """颜色: 黑色 · 尺码: L - the options the customer chose, labelled in the page's language."""
    return " · ".join(label.format(lang) for label in label_specs(specs))


def address_lines(address: Address) -> list[str]:
    """The recipient, then the region, then the street: Chinese regions read large to small
    without separators, Latin ones small to large with commas (as the customer wrote them)."""
    parts = [p for p in (address.province, address.city, address.district) if p]
    if all(p.isascii() for p in parts):
        region = ", ".join(dict.fromkeys(reversed(parts)))
        place = f"{address.detail}, {region}" if address.detail else region
    else:
        place = f"{address.region_line()} {address.detail}".strip()
    lines = [f"{address.recipient} {display_phone(address.phone)}".strip(), place]
    if address.postcode:
        lines.append(address.postcode)
    return [line for line in lines if line]


@requires(permissions.ORDERS_READ)
async def order_detail(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    lang = lang_of(request)
    order = await admin.commerce.orders.find(path_param(request, "order", 64))
    customer = await admin.commerce.customers.find(order.customer_id)
    label = (await admin.queries.customer_names({order.customer_id})).get(order.customer_id, "")
    aftersales = await admin.commerce.aftersales.list_for_order(order.id)
    payments = admin.commerce.payments
    return render(
        request,
        "order_detail.html",
        {
            "order": order,
            "customer": customer,
            "customer_name": (name := label or translate(lang, "customers.unnamed", tag=order.customer_id[-6:])),
            "actor_names": {f"customer:{order.customer_id}": name},
            "address_lines": address_lines(order.address),
            "shipping_name": shipping_name(admin.commerce, order.shipment.method, lang),
            "specs": {line.sku: spec_text(line.specs, lang) for line in order.lines},
            "open_refunds": open_money_requests(aftersales),
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


def open_money_requests(aftersales: list[Any]) -> list[Any]:
    """After-sales requests still open that would give money back (refund, return): shipping
    the order now may send goods the customer is being refunded for."""
    return [a for a in aftersales if a.status.open and a.kind in (AfterSaleKind.REFUND, AfterSaleKind.RETURN)]


@requires(permissions.ORDERS_WRITE)
async def ship(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    orders = admin.commerce.orders
    form = parse_form(ShipForm, await form_data(request))
    before = await orders.find(path_param(request, "order", 64))
    pending = open_money_requests(await admin.commerce.aftersales.list_for_order(before.id))
    if pending and not form.despite_refund:
        raise Conflict(
            "a refund request on this order is still open: confirm to ship anyway",
            code="refund_pending",
            details={"requests": [a.id for a in pending]},
        )
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
