"""The dashboard: today's GMV, orders, conversion, open handoffs, low stock, 14-day charts."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of, translator
from admin_web.web import json_attr, render, requires
from commerce.money import Money


@requires(permissions.ANY_STAFF)
async def dashboard(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    t = translator(request)
    figures = await admin.queries.dashboard(low_stock_threshold=admin.low_stock_threshold)
    currency = figures.currency
    chart = {
        "days": [d.day[5:] for d in figures.days],
        "gmv": [Money(d.gmv_minor, currency).to_decimal_string() for d in figures.days],
        "orders": [d.orders for d in figures.days],
        "labels": {"gmv": t("dashboard.gmv"), "orders": t("dashboard.paid_orders")},
        "statuses": [
            {"name": t.opt(f"order_status.{k}", k), "value": v} for k, v in sorted(figures.status_counts.items())
        ],
    }
    return render(
        request,
        "dashboard.html",
        {
            "figures": figures,
            "gmv_today": Money(figures.gmv_today_minor, currency).format(),
            "conversion": f"{figures.conversion * 100:.1f}%" if figures.conversion is not None else "—",
            "chart_json": json_attr(chart),
            "threshold": admin.low_stock_threshold,
        },
    )


def routes(prefix: str) -> list[web.RouteDef]:
    return [web.get(f"{prefix}/", dashboard)]
