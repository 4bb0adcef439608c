"""Payments: alerts (security events, late payments, refunds owed or failed, reconciliation
differences), refunds that need a person, and the daily reconciliation reports."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of
from admin_web.forms import RefundForm
from admin_web.views.common import actor, audit, path_param
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.errors import NotFound, ValidationFailed
from commerce.money import Money, MoneyError
from commerce.payments.model import RefundState
from commerce.payments.reconcile import report_from_doc


@requires(permissions.ORDERS_READ)
async def overview(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    payments = admin.commerce.payments
    show_all = request.query.get("all") == "1"
    alerts = await payments.alerts.recent(open_only=not show_all, limit=200)
    owed = await payments.refunds.recent(states=(RefundState.MANUAL, RefundState.FAILED, RefundState.PENDING))
    reports = [report_from_doc(doc) for doc in await admin.commerce.reconciler.recent(limit=30)]
    return render(
        request,
        "payments.html",
        {
            "alerts": alerts,
            "owed": owed,
            "reports": reports,
            "show_all": show_all,
            "local": admin.queries.local,
            "providers": payments.offered,
        },
    )


@requires(permissions.ORDERS_WRITE)
async def alert_handled(request: web.Request) -> web.StreamResponse:
    alert_id = path_param(request, "alert", 120)
    if not await admin_of(request).commerce.payments.alerts.mark_handled(alert_id, actor(request)):
        raise NotFound("alert not found or handled already", details={"alert": alert_id})
    await audit(request, "payment_alert.handled", "payment_alert", alert_id)
    return redirect(f"{PREFIX}/payments?flash=saved", request)


@requires(permissions.ORDERS_WRITE)
async def refund_settled_by_hand(request: web.Request) -> web.StreamResponse:
    refund_id = path_param(request, "refund", 80)
    refund = await admin_of(request).commerce.payments.refunding.settle_by_hand(refund_id, actor=actor(request))
    await audit(
        request,
        "refund.settled_by_hand",
        "refund",
        refund.id,
        after={"order": refund.order_number, "amount": refund.amount.to_decimal_string()},
    )
    return redirect(f"{PREFIX}/payments?flash=saved", request)


@requires(permissions.ORDERS_WRITE)
async def refund_order(request: web.Request) -> web.StreamResponse:
    """Refund part or all of a paid order through the provider of its payment (an admin action
    outside after-sales: goodwill, a price error). Empty amount: everything not yet refunded."""
    admin = admin_of(request)
    form = parse_form(RefundForm, await form_data(request))
    order = await admin.commerce.orders.find(path_param(request, "order", 64))
    remaining = order.total - (order.refunded or Money.zero(order.currency))
    try:
        amount = Money.parse(form.amount, order.currency) if form.amount else remaining
    except MoneyError:
        raise ValidationFailed("invalid amount", details={"field": "amount"}) from None
    if not 0 < amount.amount <= remaining.amount:
        raise ValidationFailed(
            f"the refund must be between 0 and {remaining.to_decimal_string()}", code="invalid_refund"
        )
    reason = form.note or "refund by staff"
    await admin.commerce.payments.refund(order, amount, reason=reason, actor=actor(request), purpose="admin")
    await admin.commerce.orders.add_refund(order.id, amount, actor=actor(request), reason=reason)
    await audit(
        request, "order.refund", "order", order.number, after={"amount": amount.to_decimal_string(), "note": form.note}
    )
    return redirect(f"{PREFIX}/orders/{order.id}?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/payments", overview),
        web.post(f"{prefix}/payments/alerts/{{alert}}/handled", alert_handled),
        web.post(f"{prefix}/payments/refunds/{{refund}}/settled", refund_settled_by_hand),
        web.post(f"{prefix}/orders/{{order}}/refund", refund_order),
    ]
