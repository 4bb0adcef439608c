"""The live agent console: the handoff queue, taking over, replying (text, product card,
coupon), handing back to the bot, and a WebSocket that streams new messages.

Handoff state changes go through `dialogs.handoff.HandoffService` (guarded updates, so two
agents can never own one conversation); messages reach the customer through
`dialogs.outbound.Outbound` on their own channel, which also records them in the transcript.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from aiohttp import WSMsgType, web

from admin_web import permissions
from admin_web.console.hub import MAX_WATCHED, ConsoleClient
from admin_web.console.shown import show_message, show_transcript
from admin_web.context import admin_of, current, lang_of
from admin_web.forms import AgentCardForm, AgentCouponForm, AgentTextForm
from admin_web.i18n import translate
from admin_web.views.common import audit, path_param
from admin_web.web import form_data, parse_form, render, requires
from commerce.errors import Forbidden, NotFound, ValidationFailed
from commerce.money import Money
from core.json_limits import loads_bounded
from core.mongo import as_utc, utcnow
from dialogs import buttons as button_codes
from dialogs.messages import Button, OutgoingMessage, ProductCard, TextReply
from dialogs.outbound import ChannelAddress
from dialogs.state import ConversationState

if TYPE_CHECKING:
    from dialogs.engine import DialogEngine

HEARTBEAT_SECONDS = 25.0


def _dialogs(request: web.Request) -> DialogEngine:
    dialogs = admin_of(request).dialogs
    if dialogs is None:
        raise NotFound("the conversation engine is not running in this process", code="dialogs_unavailable")
    return dialogs


def _conversation_id(request: web.Request) -> str:
    cid = path_param(request, "cid", 200)
    if ":" not in cid:
        raise ValidationFailed("invalid conversation id", details={"field": "cid"})
    return cid


async def _queue_context(request: web.Request) -> dict[str, Any]:
    admin = admin_of(request)
    staff = current(request)
    waiting, mine = await admin.queries.handoff_conversations(staff.id)
    ids = [d["_id"] for d in (*waiting, *mine)]
    names = await admin.queries.customer_names(
        {str(d["customer_id"]) for d in (*waiting, *mine) if d.get("customer_id")}
    )
    said = await admin.queries.last_customer_messages(ids)
    lang = lang_of(request)
    now = utcnow()

    def preview(cid: str) -> str:
        doc = said.get(cid)
        if doc is None:
            return ""
        images = tuple(str(u) for u in doc.get("images") or () if isinstance(u, str))
        kind, text = str(doc.get("kind") or "text"), str(doc.get("text") or "")
        shown = show_message(
            lang, admin.queries.clock, key="", sender="customer", kind=kind, text=text, at=None, images=images
        )
        return shown.text

    def row(doc: dict[str, Any]) -> dict[str, Any]:
        since = (doc.get("handoff") or {}).get("since")
        wait = int((now - as_utc(since)).total_seconds()) if since else 0
        return {
            "id": doc["_id"],
            "channel": doc.get("channel"),
            "customer_id": doc.get("customer_id"),
            "customer": customer_name(lang, names.get(str(doc.get("customer_id")), ""), str(doc["_id"])),
            "wait_minutes": wait // 60,
            "wait_seconds": wait % 60,
            "since_ms": int(as_utc(since).timestamp() * 1000) if since else 0,
            "reason": (doc.get("handoff") or {}).get("reason"),
            "preview": preview(doc["_id"]),
        }

    return {"waiting": [row(d) for d in waiting], "mine": [row(d) for d in mine]}


def customer_name(lang: str, label: str, conversation_id: str) -> str:
    """The customer's name/phone/nickname; a visitor nobody knows yet gets a short, stable tag
    (from the conversation, never the raw channel id - a hash on the web chat)."""
    if label:
        return label
    tag = hashlib.sha256(conversation_id.encode()).hexdigest()[:4].upper()
    return translate(lang, "console.guest", tag=tag)


@requires(permissions.CONSOLE)
async def console_page(request: web.Request) -> web.StreamResponse:
    context = await _queue_context(request)
    selected = request.query.get("c")
    panel = await _panel_context(request, selected) if selected and ":" in selected else None
    return render(
        request,
        "console.html",
        {**context, "panel": panel, "idle_minutes": admin_of(request).idle_minutes},
    )


@requires(permissions.CONSOLE)
async def queue_fragment(request: web.Request) -> web.StreamResponse:
    return render(request, "_console_queue.html", await _queue_context(request))


async def _panel_context(request: web.Request, cid: str) -> dict[str, Any]:
    admin = admin_of(request)
    dialogs = _dialogs(request)
    state = await dialogs.handoff.store.get(cid)
    if state is None:
        raise NotFound("conversation not found", details={"conversation": cid[:80]})
    lang = lang_of(request)
    clock = admin.queries.clock
    transcript = show_transcript(lang, clock, await dialogs.services.transcript.history(cid, limit=100))
    customer = cart = None
    orders: list[Any] = []
    if state.customer_id:
        customer = await admin.commerce.customers.find(state.customer_id)
        cart = await admin.commerce.carts.view(state.customer_id)
        orders = (await admin.commerce.orders.list_for_customer(state.customer_id, limit=5)).orders
    owner = state.handoff.get("agent_id")
    label = (
        (await admin.queries.customer_names({state.customer_id})).get(state.customer_id, "")
        if state.customer_id
        else ""
    )
    return {
        "customer_name": customer_name(lang, label, cid),
        "state": state,
        "transcript": transcript,
        "customer": customer,
        "cart": cart,
        "orders": orders,
        "mine": state.handoff_status == "agent" and owner == current(request).id,
        "owner": owner,
        "local": admin.queries.local,
    }


@requires(permissions.CONSOLE)
async def conversation_panel(request: web.Request) -> web.StreamResponse:
    return render(request, "_console_panel.html", {"panel": await _panel_context(request, _conversation_id(request))})


async def _panel_response(request: web.Request, cid: str) -> web.StreamResponse:
    return render(request, "_console_panel.html", {"panel": await _panel_context(request, cid)})


@requires(permissions.CONSOLE)
async def take_over(request: web.Request) -> web.StreamResponse:
    cid = _conversation_id(request)
    state = await _dialogs(request).handoff.take_over(cid, current(request).id, current(request).name)
    await audit(request, "handoff.take_over", "conversation", cid, after={"agent_id": state.handoff.get("agent_id")})
    return await _panel_response(request, cid)


@requires(permissions.CONSOLE)
async def release(request: web.Request) -> web.StreamResponse:
    cid = _conversation_id(request)
    await _dialogs(request).handoff.release(cid, current(request).id, current(request).name)
    await audit(request, "handoff.release", "conversation", cid)
    return await _panel_response(request, cid)


@requires(permissions.CONSOLE)
async def send_text(request: web.Request) -> web.StreamResponse:
    cid = _conversation_id(request)
    form = parse_form(AgentTextForm, await form_data(request))
    await _dialogs(request).handoff.agent_send(cid, current(request).id, form.text, current(request).name)
    return web.Response(status=204)


async def _owned_state(request: web.Request, cid: str) -> ConversationState:
    """The conversation, if this agent owns it (the same rule as HandoffService.agent_send)."""
    state = await _dialogs(request).handoff.store.get(cid)
    if state is None:
        raise NotFound("conversation not found", details={"conversation": cid[:80]})
    if state.handoff_status != "agent" or state.handoff.get("agent_id") != current(request).id:
        raise Forbidden("take over the conversation before writing in it", code="handoff_not_owner")
    return state


async def _push(request: web.Request, state: ConversationState, message: OutgoingMessage) -> None:
    await _dialogs(request).outbound.send(
        ChannelAddress(state.channel, state.channel_user_id),
        [message],
        sender="agent",
        agent_id=current(request).id,
        agent_name=current(request).name,
    )


@requires(permissions.CONSOLE)
async def send_card(request: web.Request) -> web.StreamResponse:
    cid = _conversation_id(request)
    form = parse_form(AgentCardForm, await form_data(request))
    state = await _owned_state(request, cid)
    detail = await admin_of(request).commerce.catalog.get_product_detail(form.product, public_only=True)
    product = detail.product
    lang = "en" if state.lang == "en" else "zh"
    low, high = product.price_min, product.price_max
    price = low.format() if low == high else f"{low.format()} - {high.format()}"
    stock = translate(lang, "customer.in_stock" if detail.in_stock else "customer.out_of_stock")
    payload = f"{button_codes.PRODUCT}:{product.code}"
    buttons = (Button(label=translate(lang, "customer.view_product"), payload=payload),) if len(payload) <= 64 else ()
    card = ProductCard(
        product_id=product.code,
        title=product.title.get(lang),
        price=price,
        text=" · ".join(p for p in (product.brand, stock) if p),
        image_url=product.image,
        buttons=buttons,
    )
    await _push(request, state, card)
    return web.Response(status=204)


@requires(permissions.CONSOLE)
async def send_coupon(request: web.Request) -> web.StreamResponse:
    cid = _conversation_id(request)
    form = parse_form(AgentCouponForm, await form_data(request))
    state = await _owned_state(request, cid)
    coupon = await admin_of(request).commerce.promotions.get(form.code.strip().upper())
    if coupon is None or not coupon.active:
        raise NotFound("no active coupon with this code", details={"code": form.code[:40]})
    lang = "en" if state.lang == "en" else "zh"
    if coupon.kind.value == "percent":
        value = translate(lang, "customer.coupon_percent", percent=coupon.value)
    else:
        value = translate(lang, "customer.coupon_fixed", amount=Money(coupon.value, coupon.currency).format())
    text = translate(
        lang, "customer.coupon", code=coupon.code, value=value, description=coupon.description.get(lang) or value
    )
    await _push(request, state, TextReply(text=text))
    await audit(request, "handoff.coupon", "conversation", cid, after={"coupon": coupon.code})
    return web.Response(status=204)


def _same_origin(request: web.Request) -> bool:
    """WebSockets are not covered by CORS: refuse pages from other sites (cross-site hijacking)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not a browser
    return urlparse(origin).netloc == request.host


@requires(permissions.CONSOLE)
async def live(request: web.Request) -> web.StreamResponse:
    if not _same_origin(request):
        raise Forbidden("cross-site WebSocket refused", code="bad_origin")
    hub = admin_of(request).hub
    if hub is None:
        raise NotFound("live updates are not enabled", code="hub_unavailable")
    socket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS, max_msg_size=64 * 1024)
    await socket.prepare(request)
    client = ConsoleClient(socket=socket, staff_id=current(request).id, lang=lang_of(request))
    hub.add(client)
    try:
        await socket.send_json({"type": "hello", "mode": hub.mode})
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                data = loads_bounded(message.data)
            except ValueError:
                continue
            watch = data.get("watch") if isinstance(data, dict) else None
            if isinstance(watch, list):
                client.watching = {str(c)[:200] for c in watch if isinstance(c, str)}
                if len(client.watching) > MAX_WATCHED:
                    client.watching = set(sorted(client.watching)[:MAX_WATCHED])
                await socket.send_json({"type": "watching", "count": len(client.watching)})
    except ConnectionError:
        pass
    finally:
        hub.remove(client)
    return socket


def routes(prefix: str) -> list[web.RouteDef]:
    base = f"{prefix}/console"
    return [
        web.get(base, console_page),
        web.get(f"{base}/queue", queue_fragment),
        web.get(f"{base}/ws", live),
        web.get(f"{base}/c/{{cid}}", conversation_panel),
        web.post(f"{base}/c/{{cid}}/take", take_over),
        web.post(f"{base}/c/{{cid}}/release", release),
        web.post(f"{base}/c/{{cid}}/send", send_text),
        web.post(f"{base}/c/{{cid}}/card", send_card),
        web.post(f"{base}/c/{{cid}}/coupon", send_coupon),
    ]
