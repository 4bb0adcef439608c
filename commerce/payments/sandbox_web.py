"""The sandbox "pay here" page: GET shows the amount with Pay / Fail buttons; POST sends the
signed notification to the shop's own notify endpoint over HTTP, like a real provider would.

Mounted by the web app factory: `setup_sandbox_routes(app, commerce.payments)`.
"""

from __future__ import annotations

import html

import aiohttp
from aiohttp import web

from commerce.errors import DomainError
from commerce.payments.model import PaymentIntent, PaymentStatus
from commerce.payments.service import PaymentService
from core.logging_setup import get_logger

log = get_logger("commerce.payments.sandbox_web")
PAYMENTS_KEY: web.AppKey[PaymentService] = web.AppKey("sandbox_payments", PaymentService)

_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox payment</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
.card {{ border: 1px solid #ddd; border-radius: .75rem; padding: 1.5rem; }}
.amount {{ font-size: 2rem; font-weight: 600; margin: .5rem 0 1rem; }}
.note {{ color: #777; font-size: .85rem; }}
button {{ font-size: 1rem; padding: .6rem 1.4rem; border-radius: .5rem; border: 0; cursor: pointer;
  margin-right: .5rem; }}
.pay {{ background: #067a3e; color: #fff; }} .fail {{ background: #eee; color: #222; }}
.back-to-chat {{ display: inline-block; margin-top: 1rem; color: #9a3412; font-weight: 600; }}
</style></head>
<body><div class="card">
<div class="note">沙箱支付 · Sandbox payment — no real money moves</div>
<h1>订单 Order {number}</h1>
<div class="amount">{amount}</div>
{body}
</div></body></html>
"""
# The payment pages open from the chat; every result leads back to it.
_BACK_TO_CHAT = '<p><a class="back-to-chat" href="/chat">返回聊天 · Back to the chat</a></p>'


_REFUSED = (
    "这个订单已不能支付（已取消、已支付或已超时），没有扣款。 · "
    "This order can no longer be paid (cancelled, already paid or expired); no money was taken."
)
_DONE = {
    PaymentStatus.SUCCEEDED: "这笔支付已完成。 · This payment has been completed.",
    PaymentStatus.FAILED: "这笔支付未成功。 · This payment did not go through.",
    PaymentStatus.VOID: "这笔支付已失效。 · This payment is no longer valid.",
    PaymentStatus.ORPHANED: "这笔支付已退回。 · This payment has been refunded.",
}


def _page(payment: PaymentIntent, body: str, status: int = 200) -> web.Response:
    text = _PAGE.format(
        number=html.escape(payment.order_number), amount=html.escape(payment.amount.format()), body=body
    )
    return web.Response(
        text=text,
        content_type="text/html",
        status=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


def _message(text: str) -> str:
    return f"<p>{html.escape(text)}</p>{_BACK_TO_CHAT}"


async def _payment(request: web.Request) -> PaymentIntent | None:
    payments = request.app[PAYMENTS_KEY]
    try:
        return await payments.get(request.match_info["payment_id"])
    except DomainError:
        return None


async def show_payment(request: web.Request) -> web.Response:
    payment = await _payment(request)
    if payment is None:
        return web.Response(text="payment not found", status=404)
    if payment.status is not PaymentStatus.PENDING:
        return _page(payment, _message(_DONE.get(payment.status, _DONE[PaymentStatus.VOID])))
    if await request.app[PAYMENTS_KEY].refusal(payment) is not None:
        return _page(payment, _message(_REFUSED), 409)
    action = html.escape(f"/pay/sandbox/{payment.id}")
    buttons = (
        f'<form method="post" action="{action}/pay" style="display:inline">'
        '<button class="pay" type="submit">支付 Pay</button></form>'
        f'<form method="post" action="{action}/fail" style="display:inline">'
        '<button class="fail" type="submit">失败 Fail</button></form>'
    )
    return _page(payment, buttons)


async def settle_payment(request: web.Request) -> web.Response:
    payment = await _payment(request)
    if payment is None:
        return web.Response(text="payment not found", status=404)
    succeeded = request.match_info["outcome"] == "pay"
    payments = request.app[PAYMENTS_KEY]
    # Checked again on the click: the order may have been cancelled since the page was shown.
    if succeeded and await payments.refusal(payment) is not None:
        return _page(payment, _message(_REFUSED), 409)
    sandbox = payments.sandbox
    headers, body = sandbox.build_notification(payment, succeeded=succeeded)
    try:
        timeout = aiohttp.ClientTimeout(total=15)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(sandbox.notify_url, data=body, headers=headers) as response,
        ):
            answer = await response.json(content_type=None)
            status = response.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("sandbox_notify_unreachable", url=sandbox.notify_url, error=type(exc).__name__)
        return _page(payment, _message("无法通知商店，请稍后重试 · Could not reach the shop, please retry."), 502)
    if status >= 400:
        message = (answer.get("error") or {}).get("message", "rejected") if isinstance(answer, dict) else "rejected"
        return _page(payment, _message(f"商店拒绝了通知 · The shop rejected the notification: {message}"), 502)
    if succeeded:
        return _page(payment, _message("支付成功！请回到聊天窗口。 · Paid! You can go back to the chat."))
    return _page(payment, _message("已模拟支付失败。 · Payment failure simulated."))


def setup_sandbox_routes(app: web.Application, payments: PaymentService) -> None:
    app[PAYMENTS_KEY] = payments
    app.router.add_get("/pay/sandbox/{payment_id}", show_payment)
    app.router.add_post("/pay/sandbox/{payment_id}/{outcome:(pay|fail)}", settle_payment)
