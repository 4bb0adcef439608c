"""The providers' HTTP endpoints and the shop's own payment pages in front of them.

POST /api/v1/payments/wechatpay/notify         WeChat Pay payment notifications
POST /api/v1/payments/wechatpay/refund-notify  WeChat Pay refund notifications
POST /api/v1/payments/alipay/notify            Alipay async notifications
GET  /pay/go/{payment_id}                      checks the order can still be paid, then sends the
                                               customer on to the provider's page (Alipay, WeChat H5)
GET  /pay/qr/{payment_id}                      WeChat Native: the QR code to scan, only while payable
GET  /pay/jsapi/{payment_id}                   WeChat JSAPI (inside WeChat): pays in place, only while payable

Each notify endpoint answers what its provider expects (WeChat: 204, or an error with
{"code":"FAIL"}; Alipay: the literal "success", or "failure") and answers success only after
the result is stored, so an error or a crash makes the provider send it again. Plain aiohttp
routes because those answers are not the JSON API's.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import TypeVar

import segno
from aiohttp import web

from commerce.errors import DomainError
from commerce.payments.model import PaymentIntent, PaymentStatus
from commerce.payments.service import PaymentService
from core.logging_setup import get_logger

log = get_logger("commerce.payments.web")
PROVIDER_PAYMENTS_KEY: web.AppKey[PaymentService] = web.AppKey("provider_payments", PaymentService)
MAX_NOTIFICATION_BYTES = 64_000

_Part = TypeVar("_Part")
_REFUSED = (
    "这个订单已不能支付（已取消、已支付或已超时），没有扣款。 · "
    "This order can no longer be paid (cancelled, already paid or expired); no money was taken."
)
_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
.card {{ border: 1px solid #ddd; border-radius: .75rem; padding: 1.5rem; text-align: center; }}
.amount {{ font-size: 2rem; font-weight: 600; margin: .5rem 0 1rem; }}
svg {{ max-width: 100%; height: auto; }}
a {{ color: #576b95; }}
</style></head>
<body><div class="card">
<h1>订单 Order {number}</h1>
<div class="amount">{amount}</div>
{body}
<p><a href="/chat">返回聊天 · Back to the chat</a></p>
</div></body></html>
"""


def _page(payment: PaymentIntent, title: str, body: str, status: int = 200) -> web.Response:
    text = _PAGE.format(
        title=html.escape(title),
        number=html.escape(payment.order_number),
        amount=html.escape(payment.amount.format()),
        body=body,
    )
    return web.Response(
        text=text,
        content_type="text/html",
        status=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )


async def _read_limited(request: web.Request) -> bytes | None:
    if request.content_length is not None and request.content_length > MAX_NOTIFICATION_BYTES:
        return None
    body = await request.content.read(MAX_NOTIFICATION_BYTES + 1)
    return None if len(body) > MAX_NOTIFICATION_BYTES else body


async def _notify(request: web.Request, *, refund: bool) -> web.Response:
    payments = request.app[PROVIDER_PAYMENTS_KEY]
    name = request.match_info["provider"]
    provider = payments.providers.get(name)
    if provider is None or name == "sandbox":
        return web.json_response({"code": "FAIL", "message": "unknown provider"}, status=404)
    body = await _read_limited(request)
    ok = False
    if body is not None:
        try:
            if refund:
                await payments.refunding.handle_refund_notification(name, dict(request.headers), body)
            else:
                await payments.handle_notification(name, dict(request.headers), body)
            ok = True
        except DomainError as exc:
            log.warning("payment_notify_refused", provider=name, code=exc.code, refund=refund)
        except Exception:  # stored nothing for sure: the provider must try again
            log.exception("payment_notify_failed", provider=name, refund=refund)
    status, content_type, text = provider.notify_answer(ok)
    if status == 204:
        return web.Response(status=204)
    return web.Response(status=status, text=text, content_type=content_type)


async def payment_notify(request: web.Request) -> web.Response:
    return await _notify(request, refund=False)


async def refund_notify(request: web.Request) -> web.Response:
    return await _notify(request, refund=True)


async def _payable(
    request: web.Request, what: Callable[[PaymentIntent], _Part | None]
) -> tuple[PaymentIntent, _Part] | web.Response:
    """The payment named in the URL and `what` the page needs of it, while it can still be
    paid; otherwise the page to answer instead (not found, already paid, no longer payable)."""
    payments = request.app[PROVIDER_PAYMENTS_KEY]
    try:
        payment = await payments.get(request.match_info["payment_id"])
    except DomainError:
        return web.Response(text="payment not found", status=404)
    if payment.status is PaymentStatus.SUCCEEDED:
        return _page(payment, "Paid", "<p>这笔支付已完成。 · This payment has been completed.</p>")
    if await payments.refusal(payment) is not None:
        return _page(payment, "Not payable", f"<p>{html.escape(_REFUSED)}</p>", 409)
    part = what(payment)
    if not part:
        return web.Response(text="payment not found", status=404)
    return payment, part


async def go_to_provider(request: web.Request) -> web.StreamResponse:
    payable = await _payable(request, lambda payment: payment.provider_url)
    if isinstance(payable, web.Response):
        return payable
    _, provider_url = payable
    raise web.HTTPFound(provider_url, headers={"Cache-Control": "no-store"})


async def show_qr(request: web.Request) -> web.Response:
    payable = await _payable(request, lambda payment: payment.qr_content)
    if isinstance(payable, web.Response):
        return payable
    payment, qr_content = payable
    svg = segno.make(qr_content, error="m").svg_inline(scale=6, title="WeChat Pay")
    hint = "<p>请用微信扫一扫支付 · Scan with WeChat to pay</p>"
    return _page(payment, "WeChat Pay", svg + hint)


_JSAPI = """<p id="status">正在打开微信支付… · Opening WeChat Pay…</p>
<script type="application/json" id="params">{params}</script>
<script>
(function () {{
  var params = JSON.parse(document.getElementById("params").textContent);
  var status = document.getElementById("status");
  function pay() {{
    WeixinJSBridge.invoke("getBrandWCPayRequest", params, function (res) {{
      status.textContent = res.err_msg === "get_brand_wcpay_request:ok"
        ? "支付成功，请回到对话 · Paid, you can go back to the chat"
        : "未完成支付 · The payment was not completed";
    }});
  }}
  if (typeof WeixinJSBridge === "undefined") {{
    document.addEventListener("WeixinJSBridgeReady", pay, false);
    status.textContent = "请在微信中打开 · Please open this page in WeChat";
  }} else {{ pay(); }}
}})();
</script>"""


async def jsapi_page(request: web.Request) -> web.Response:
    """WeChat Pay inside the official account: the signed parameters for WeixinJSBridge, only
    while the order can still be paid."""
    payable = await _payable(request, lambda payment: payment.client_params)
    if isinstance(payable, web.Response):
        return payable
    payment, client_params = payable
    # JSON inside <script type="application/json">: "<" escaped so no value can end the element.
    params = json.dumps(dict(client_params)).replace("<", "\\u003c")
    return _page(payment, "WeChat Pay", _JSAPI.format(params=params))


def setup_provider_routes(app: web.Application, payments: PaymentService) -> None:
    app[PROVIDER_PAYMENTS_KEY] = payments
    app.router.add_post("/api/v1/payments/{provider:(wechatpay|alipay)}/notify", payment_notify)
    app.router.add_post("/api/v1/payments/{provider:(wechatpay)}/refund-notify", refund_notify)
    app.router.add_get("/pay/go/{payment_id}", go_to_provider)
    app.router.add_get("/pay/qr/{payment_id}", show_qr)
    app.router.add_get("/pay/jsapi/{payment_id}", jsapi_page)
