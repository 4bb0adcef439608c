"""Inventory: stock levels, the low-stock list, the ledger of a SKU and manual adjustments."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of
from admin_web.forms import AdjustForm
from admin_web.views.common import actor, audit, path_param, query_int, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.errors import ValidationFailed

LOW_STOCK_ROWS = 100  # the most urgent ones; each row costs a product lookup for its title


@requires(permissions.INVENTORY_READ)
async def stock_list(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    view = "low" if request.query.get("view") == "low" else "all"
    sku = query_text(request, "sku", 64)
    after = query_text(request, "after", 64) or None
    threshold = query_int(request, "threshold", admin.low_stock_threshold, 0, 1_000_000)
    if view == "low":
        rows, next_after = await admin.queries.low_stock(threshold, limit=LOW_STOCK_ROWS), None
    else:
        rows, next_after = await admin.queries.stock_levels(sku_prefix=sku, after=after)
    return render(
        request,
        "inventory.html",
        {"rows": rows, "view": view, "sku": sku, "next_after": next_after, "threshold": threshold},
    )


@requires(permissions.INVENTORY_READ)
async def sku_ledger(request: web.Request) -> web.StreamResponse:
    sku = path_param(request, "sku", 100)
    inventory = admin_of(request).commerce.inventory
    level = (await inventory.get_levels([sku]))[sku]
    movements = await inventory.ledger(sku, limit=200)
    return render(request, "inventory_sku.html", {"sku": sku, "level": level, "movements": movements})


@requires(permissions.INVENTORY_WRITE)
async def adjust(request: web.Request) -> web.StreamResponse:
    sku = path_param(request, "sku", 100)
    form = parse_form(AdjustForm, await form_data(request))
    if form.delta == 0:
        raise ValidationFailed("the change must not be zero", details={"field": "delta"})
    inventory = admin_of(request).commerce.inventory
    before = (await inventory.get_levels([sku]))[sku]
    after = await inventory.adjust(sku, form.delta, form.reason, actor(request))
    await audit(
        request,
        "stock.adjust",
        "sku",
        sku,
        before={"available": before.available},
        after={"available": after.available, "delta": form.delta, "reason": form.reason},
    )
    return redirect(f"{PREFIX}/inventory/{sku}?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/inventory", stock_list),
        web.get(f"{prefix}/inventory/{{sku}}", sku_ledger),
        web.post(f"{prefix}/inventory/{{sku}}/adjust", adjust),
    ]
