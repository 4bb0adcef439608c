"""Customers: search, profile with identities, tier, addresses, orders and chat history."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.console.shown import show_transcript
from admin_web.context import admin_of, lang_of
from admin_web.forms import TierForm
from admin_web.views.common import actor, audit, path_param, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.customers.model import Tier, display_phone
from commerce.money import Money


@requires(permissions.CUSTOMERS_READ)
async def customer_list(request: web.Request) -> web.StreamResponse:
    q = query_text(request, "q", 100)
    tier = request.query.get("tier", "")
    after = query_text(request, "after", 64) or None
    rows, next_after = await admin_of(request).queries.customers(
        q=q, tier=tier if tier in Tier._value2member_map_ else None, after=after
    )
    return render(
        request,
        "customers.html",
        {
            "rows": rows,
            "next_after": next_after,
            "q": q,
            "tier": tier,
            "tiers": list(Tier),
            "display_phone": display_phone,
        },
    )


@requires(permissions.CUSTOMERS_READ)
async def customer_detail(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    customer = await admin.commerce.customers.get(path_param(request, "customer", 64))
    orders = await admin.commerce.orders.list_for_customer(customer.id, limit=20)
    conversations = await admin.queries.customer_conversations(customer.id)
    selected = request.query.get("conversation") or (conversations[0]["_id"] if conversations else None)
    transcript = []
    if selected and any(c["_id"] == selected for c in conversations) and admin.dialogs is not None:
        history = await admin.dialogs.services.transcript.history(selected, limit=200)
        transcript = show_transcript(lang_of(request), admin.queries.clock, history, style="short")
    return render(
        request,
        "customer_detail.html",
        {
            "customer": customer,
            "orders": orders.orders,
            "conversations": conversations,
            "selected": selected,
            "transcript": transcript,
            "tiers": list(Tier),
            "display_phone": display_phone,
            "local": admin.queries.local,
            "spent": Money(customer.purchases.spent_minor, admin.queries.currency).format(),
        },
    )


@requires(permissions.CUSTOMERS_WRITE)
async def set_tier(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    form = parse_form(TierForm, await form_data(request))
    before = await admin.commerce.customers.get(path_param(request, "customer", 64))
    after = await admin.commerce.customers.set_tier(before.id, form.tier, actor(request))
    await audit(
        request,
        "customer.tier",
        "customer",
        before.id,
        before={"tier": before.tier.value},
        after={"tier": after.tier.value},
    )
    return redirect(f"{PREFIX}/customers/{before.id}?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/customers", customer_list),
        web.get(f"{prefix}/customers/{{customer}}", customer_detail),
        web.post(f"{prefix}/customers/{{customer}}/tier", set_tier),
    ]
