"""Alipay (支付宝开放平台): page pay (desktop), wap pay (phone), async notifications, trade
query, refunds and the daily bill. Implemented on the documented algorithms (`signing.py`) with
async HTTP.

Every request is the gateway's form of common parameters (app_id, method, charset, sign_type
RSA2, timestamp in Beijing time, version, biz_content JSON) signed with SHA256withRSA over the
sorted `k=v&k=v` string (`sign` left out). Answers are `{"<method>_response": {...}, "sign": ..}`
signed over the exact text of the response object, verified with Alipay's public key.
Notifications are form posts signed the same way (`sign` and `sign_type` left out); only
TRADE_SUCCESS / TRADE_FINISHED pay, and the shop answers the literal `success` once stored.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from commerce.errors import Unauthorized, ValidationFailed
from commerce.money import Money, MoneyError
from commerce.orders.model import Order
from commerce.payments.http import ProviderRejected, call
from commerce.payments.model import (
    Notification,
    PaymentIntent,
    PayMethod,
    PayOptions,
    ProviderPayment,
    ProviderUnavailable,
    RefundResult,
    RefundState,
    StatementLine,
    TradeState,
    bill_columns,
    payment_deadline,
)
from commerce.payments.signing import alipay_sign_content, rsa_sign, rsa_verify
from core.mongo import utcnow

GATEWAY = "https://openapi.alipay.com/gateway.do"
NOTIFY_PATH = "/api/v1/payments/alipay/notify"
CHINA = timezone(timedelta(hours=8))
MAX_NOTIFICATION_BYTES = 16_384
ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_PAID = ("TRADE_SUCCESS", "TRADE_FINISHED")
_TRADE_STATES = {
    "TRADE_SUCCESS": TradeState.PAID,
    "TRADE_FINISHED": TradeState.PAID,
    "WAIT_BUYER_PAY": TradeState.PENDING,
    "TRADE_CLOSED": TradeState.CLOSED,
}
_RETRY_CODES = ("20000", "20001")  # service unavailable / temporary: ask again later
_RETRY_SUB_CODES = ("ACQ.SYSTEM_ERROR", "aop.ACQ.SYSTEM_ERROR", "isp.unknow-error")


@dataclass(frozen=True)
class AlipayConfig:
    app_id: str
    app_private_key: rsa.RSAPrivateKey
    alipay_public_key: rsa.RSAPublicKey
    base_url: str  # the shop's public address (notify and return URLs)
    gateway: str = GATEWAY
    payment_ttl: timedelta = timedelta(minutes=30)
    timeout_seconds: float = 10.0


def beijing(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _yuan(money: Money) -> str:
    return money.to_decimal_string()


class AlipayProvider:
    name = "alipay"

    def __init__(self, config: AlipayConfig) -> None:
        self.config = config

    @property
    def notify_url(self) -> str:
        return self.config.base_url.rstrip("/") + NOTIFY_PATH

    # --- the signed request ------------------------------------------------------------------------
    def signed_params(self, method: str, biz: Mapping[str, Any], **extra: str) -> dict[str, str]:
        params = {
            "app_id": self.config.app_id,
            "method": method,
            "format": "JSON",
            "charset": "utf-8",
            "sign_type": "RSA2",
            "timestamp": beijing(utcnow()),
            "version": "1.0",
            "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":")),
            **extra,
        }
        params["sign"] = rsa_sign(self.config.app_private_key, alipay_sign_content(params))
        return params

    async def _request(self, method: str, biz: Mapping[str, Any]) -> dict[str, Any]:
        body = urlencode(self.signed_params(method, biz)).encode()
        answer = await call(
            "POST",
            self.config.gateway,
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"},
            body=body,
            limit_seconds=self.config.timeout_seconds,
        )
        text = answer.body.decode("utf-8", errors="replace")
        response = self.verified_response(text, method.replace(".", "_") + "_response")
        code = str(response.get("code") or "")
        if code == "10000":
            return response
        sub_code = str(response.get("sub_code") or "")
        if code in _RETRY_CODES or sub_code in _RETRY_SUB_CODES:
            raise ProviderUnavailable(f"{method}: {code} {sub_code}")
        raise ProviderRejected(f"Alipay refused: {sub_code or code}", details={"code": code, "sub_code": sub_code})

    def verified_response(self, text: str, key: str) -> dict[str, Any]:
        """The response object, after checking `sign` over its exact text."""
        marker = f'"{key}"'
        start = text.find(marker)
        if start < 0:
            raise ProviderUnavailable(f"unexpected Alipay answer (no {key})")
        colon = text.index(":", start + len(marker))
        value_start = colon + 1
        while value_start < len(text) and text[value_start].isspace():
            value_start += 1
        try:
            response, end = json.JSONDecoder().raw_decode(text, value_start)
            whole = json.loads(text)
        except ValueError:
            raise ProviderUnavailable("unreadable Alipay answer") from None
        signature = str(whole.get("sign") or "") if isinstance(whole, dict) else ""
        if not isinstance(response, dict):
            raise ProviderUnavailable("unexpected Alipay answer")
        if not signature:
            # Alipay leaves errors about the request itself (bad app id, bad signature) unsigned.
            if str(response.get("code") or "") == "10000":
                raise ProviderUnavailable("an unsigned success answer: not trusted")
            return response
        if not rsa_verify(self.config.alipay_public_key, text[value_start:end].encode(), signature):
            raise ProviderUnavailable("the Alipay answer's signature does not verify")
        return response

    # --- creating a payment ------------------------------------------------------------------------
    async def create_payment(self, order: Order, options: PayOptions) -> PaymentIntent:
        """Page pay (desktop) or wap pay (phone): a signed gateway URL the customer opens. No
        call is made: Alipay checks the signature when the page is opened."""
        method = options.method or PayMethod.WAP
        if method not in (PayMethod.PAGE, PayMethod.WAP, PayMethod.LINK):
            raise ValidationFailed("Alipay offers page pay and wap pay", code="unsupported_method")
        wap = method is not PayMethod.PAGE
        payment_id = "ali" + secrets.token_hex(14)
        now = utcnow()
        expires = payment_deadline(order, now, self.config.payment_ttl)
        biz = {
            "out_trade_no": payment_id,
            "total_amount": _yuan(order.total),
            "subject": f"订单 {order.number}"[:256],
            "product_code": "QUICK_WAP_WAY" if wap else "FAST_INSTANT_TRADE_PAY",
            "time_expire": beijing(expires),
            # Returned in the signed notification: the order is found by its id.
            "passback_params": order.id,
        }
        params = self.signed_params(
            "alipay.trade.wap.pay" if wap else "alipay.trade.page.pay",
            biz,
            notify_url=self.notify_url,
            return_url=f"{self.config.base_url.rstrip('/')}/chat",
        )
        return PaymentIntent.for_order(
            order,
            payment_id=payment_id,
            provider=self.name,
            method=PayMethod.WAP if wap else PayMethod.PAGE,
            pay_url=f"{self.config.base_url.rstrip('/')}/pay/go/{payment_id}",
            provider_url=f"{self.config.gateway}?{urlencode(params)}",
            created_at=now,
            expires_at=expires,
        )

    # --- notifications -----------------------------------------------------------------------------
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise ValidationFailed("the notification is too large", code="bad_notification")
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
        except (UnicodeDecodeError, ValueError):
            raise ValidationFailed("the notification is not a form", code="bad_notification") from None
        signature = params.get("sign", "")
        if not signature or params.get("sign_type", "RSA2") != "RSA2":
            raise Unauthorized("the notification is not signed with RSA2", code="bad_signature")
        content = alipay_sign_content(params, exclude=("sign", "sign_type"))
        if not rsa_verify(self.config.alipay_public_key, content, signature):
            raise Unauthorized("the notification signature does not verify", code="bad_signature")
        if params.get("app_id") != self.config.app_id:
            raise ValidationFailed("the notification is for another app", code="merchant_mismatch")
        status = params.get("trade_status", "")
        if status not in (*_PAID, "TRADE_CLOSED"):
            raise ValidationFailed("not a final trade status", code="not_final")
        payment_id, notify_id = params.get("out_trade_no", ""), params.get("notify_id", "")
        if not (0 < len(payment_id) <= 64 and 0 < len(notify_id) <= 128):
            raise ValidationFailed("the notification lacks out_trade_no or notify_id", code="bad_notification")
        passback = params.get("passback_params", "")
        currency = params.get("trans_currency") or "CNY"
        try:
            amount = Money.parse(params.get("total_amount", ""), currency)
        except (MoneyError, ValueError):
            raise ValidationFailed("the notification's total_amount is invalid", code="bad_notification") from None
        return Notification(
            provider=self.name,
            event_id=notify_id,
            payment_id=payment_id,
            order_id=passback if ORDER_ID.match(passback) else "",
            succeeded=status in _PAID,
            amount=amount,
            trade_no=params.get("trade_no", "")[:64],
        )

    def notify_answer(self, ok: bool) -> tuple[int, str, str]:
        # Anything but the literal "success" makes Alipay notify again (up to 8 times in 25 h).
        return (200, "text/plain", "success") if ok else (200, "text/plain", "failure")

    # --- queries, refunds, bills -------------------------------------------------------------------
    async def query_payment(self, payment: PaymentIntent) -> ProviderPayment:
        try:
            answer = await self._request("alipay.trade.query", {"out_trade_no": payment.id})
        except ProviderRejected as exc:
            if exc.details.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
                return ProviderPayment(payment.id, TradeState.NOT_FOUND)
            raise
        state = _TRADE_STATES.get(str(answer.get("trade_status") or ""), TradeState.PENDING)
        try:
            amount = Money.parse(str(answer.get("total_amount") or "0"), payment.amount.currency)
        except (MoneyError, ValueError):
            raise ProviderUnavailable("unreadable trade query answer") from None
        return ProviderPayment(payment.id, state, amount, str(answer.get("trade_no") or ""))

    async def close_payment(self, payment: PaymentIntent) -> None:
        try:
            await self._request("alipay.trade.close", {"out_trade_no": payment.id})
        except ProviderRejected as exc:
            if exc.details.get("sub_code") != "ACQ.TRADE_NOT_EXIST":  # never opened: nothing to close
                raise ProviderUnavailable(f"close refused: {exc.details.get('sub_code')}") from None

    async def refund(self, payment: PaymentIntent, refund_id: str, amount: Money, reason: str) -> RefundResult:
        biz = {
            "out_trade_no": payment.id,
            "refund_amount": _yuan(amount),
            "out_request_no": refund_id,  # the same request number never refunds twice
            "refund_reason": reason[:256],
        }
        try:
            answer = await self._request("alipay.trade.refund", biz)
        except ProviderRejected:
            return RefundResult(refund_id, amount, RefundState.FAILED)
        # Alipay refunds synchronously: "10000" means this request's money went back (a repeat
        # of the same out_request_no answers 10000 again with fund_change "N").
        return RefundResult(refund_id, amount, RefundState.SUCCEEDED, str(answer.get("trade_no") or ""))

    async def query_refund(self, payment: PaymentIntent, refund_id: str) -> RefundResult:
        answer = await self._request(
            "alipay.trade.fastpay.refund.query", {"out_trade_no": payment.id, "out_request_no": refund_id}
        )
        refunded = str(answer.get("refund_amount") or "")
        status = str(answer.get("refund_status") or "")
        if not refunded or status not in ("", "REFUND_SUCCESS"):
            return RefundResult(refund_id, payment.amount, RefundState.PENDING)
        return RefundResult(refund_id, Money.parse(refunded, payment.amount.currency), RefundState.SUCCEEDED)

    async def statement(self, day: date) -> list[StatementLine]:
        """The `trade` bill of a Beijing-time day: a zip whose 业务明细 CSV (GBK) lists every
        payment (业务类型 交易) and refund (退款)."""
        answer = await self._request(
            "alipay.data.dataservice.bill.downloadurl.query", {"bill_type": "trade", "bill_date": day.isoformat()}
        )
        url = str(answer.get("bill_download_url") or "")
        parts, gateway = urlsplit(url), urlsplit(self.config.gateway)
        if parts.scheme != "https" and parts.netloc != gateway.netloc:
            raise ProviderUnavailable("unexpected bill download address")
        download = await call("GET", url, limit_seconds=self.config.timeout_seconds * 3)
        if download.status >= 400:
            raise ProviderRejected("the bill download failed", details={"status": download.status})
        return parse_bill_zip(download.body)


def parse_bill_zip(data: bytes) -> list[StatementLine]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProviderUnavailable("the bill is not a zip archive") from None
    with archive:
        names = [n for n in archive.namelist() if n.endswith(".csv") and "汇总" not in _zip_name(n)]
        if not names:
            raise ProviderUnavailable("the bill archive holds no detail file")
        text = archive.read(names[0]).decode("gbk", errors="replace")
    return parse_bill_csv(text)


def _zip_name(name: str) -> str:
    """Zip entries from Chinese tools are GBK-encoded names read as cp437 by zipfile."""
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def parse_bill_csv(text: str) -> list[StatementLine]:
    lines: list[StatementLine] = []
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.reader(rows)
    header = next(reader, None)
    if not header:
        return lines
    columns = bill_columns(
        header, ("支付宝交易号", "商户订单号", "业务类型", "订单金额（元）", "商家实收（元）", "退款批次号/请求号")
    )
    for row in reader:
        if len(row) < len(header):
            continue
        value = {name: row[index].strip() for name, index in columns.items()}
        kind = value["业务类型"]
        if kind == "交易":
            amount = Money.parse(value["订单金额（元）"], "CNY")
            lines.append(StatementLine("payment", value["支付宝交易号"], value["商户订单号"], amount))
        elif kind == "退款":
            amount = Money.parse(value["商家实收（元）"].lstrip("-"), "CNY")
            lines.append(
                StatementLine(
                    "refund",
                    value["支付宝交易号"],
                    value["商户订单号"],
                    amount,
                    refund_id=value["退款批次号/请求号"],
                )
            )
    return lines
