"""WeChat Pay API v3 (直连商户): JSAPI, Native and H5 payments, notifications, queries,
refunds and the daily trade bill. Implemented on the documented algorithms (`signing.py`) with
async HTTP, so nothing blocks the event loop.

Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=..,nonce_str=..,signature=..,
timestamp=..,serial_no=..`, the signature being SHA256withRSA with the merchant key over
"METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n". Answers and notifications are verified with
the platform public key over "TIMESTAMP\\nNONCE\\nBODY\\n" (`Wechatpay-Signature`, `-Timestamp`,
`-Nonce`, `-Serial`); a notification older (or newer) than five minutes is stale. The
notification's `resource` is AEAD_AES_256_GCM encrypted with the APIv3 key.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from commerce.errors import Unauthorized, ValidationFailed
from commerce.money import Money
from commerce.orders.model import Order
from commerce.payments.http import HttpAnswer, ProviderRejected, call
from commerce.payments.model import (
    Notification,
    PaymentIntent,
    PayMethod,
    PayOptions,
    ProviderPayment,
    ProviderUnavailable,
    RefundNotification,
    RefundResult,
    RefundState,
    StatementLine,
    TradeState,
    bill_columns,
    payment_deadline,
)
from commerce.payments.signing import aes_gcm_decrypt, rsa_sign, rsa_verify
from core.mongo import utcnow

API_BASE = "https://api.mch.weixin.qq.com"
NOTIFY_PATH = "/api/v1/payments/wechatpay/notify"
REFUND_NOTIFY_PATH = "/api/v1/payments/wechatpay/refund-notify"
AUTH_SCHEMA = "WECHATPAY2-SHA256-RSA2048"
CHINA = timezone(timedelta(hours=8))  # WeChat Pay's times and bill days are Beijing time
MAX_NOTIFICATION_BYTES = 16_384
ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TRADE_STATES = {
    "SUCCESS": TradeState.PAID,
    "REFUND": TradeState.PAID,  # paid, then (partly) refunded: the payment itself happened
    "NOTPAY": TradeState.PENDING,
    "USERPAYING": TradeState.PENDING,
    "CLOSED": TradeState.CLOSED,
    "REVOKED": TradeState.CLOSED,
    "PAYERROR": TradeState.CLOSED,
}
_REFUND_STATES = {
    "SUCCESS": RefundState.SUCCEEDED,
    "PROCESSING": RefundState.PENDING,
    "CLOSED": RefundState.FAILED,
    "ABNORMAL": RefundState.FAILED,  # the buyer's account cannot take it: staff must act
}


@dataclass(frozen=True)
class WechatPayConfig:
    mchid: str
    appid: str
    apiv3_key: bytes  # 32 bytes
    private_key: rsa.RSAPrivateKey
    cert_serial: str  # the merchant API certificate's serial number
    platform_public_key: rsa.RSAPublicKey
    platform_public_key_id: str  # "PUB_KEY_ID_...": the Wechatpay-Serial of what it signs
    base_url: str  # the shop's public address (notify URLs)
    api_base: str = API_BASE
    tolerance_seconds: int = 300
    payment_ttl: timedelta = timedelta(minutes=30)
    timeout_seconds: float = 10.0


class _Amount(BaseModel):
    model_config = ConfigDict(extra="ignore")
    total: int = Field(ge=0, le=10**12)
    currency: str = Field(default="CNY", min_length=3, max_length=3)


class _Transaction(BaseModel):
    """The decrypted `resource` of a TRANSACTION.SUCCESS notification (and a query's answer)."""

    model_config = ConfigDict(extra="ignore")
    mchid: str = ""
    appid: str = ""
    out_trade_no: str = Field(min_length=1, max_length=32)
    transaction_id: str = Field(default="", max_length=64)
    trade_state: str = Field(max_length=32)
    attach: str = Field(default="", max_length=128)
    amount: _Amount | None = None


class _RefundResource(BaseModel):
    model_config = ConfigDict(extra="ignore")
    mchid: str = ""
    out_trade_no: str = Field(min_length=1, max_length=32)
    out_refund_no: str = Field(min_length=1, max_length=64)
    refund_id: str = Field(default="", max_length=64)
    refund_status: str = Field(max_length=32)
    amount: dict[str, int]


class _Resource(BaseModel):
    model_config = ConfigDict(extra="ignore")
    algorithm: str
    ciphertext: str = Field(max_length=12_000)
    associated_data: str = ""
    nonce: str = Field(min_length=1, max_length=64)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    event_type: str = Field(max_length=64)
    resource_type: str = ""
    resource: _Resource


def _request_nonce(headers: Mapping[str, str]) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    return f"{lowered.get('wechatpay-timestamp', '')}:{lowered.get('wechatpay-nonce', '')}"[:80]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(CHINA).isoformat(timespec="seconds")


class WechatPayProvider:
    name = "wechatpay"

    def __init__(
        self,
        config: WechatPayConfig,
        *,
        clock: Callable[[], float] = time.time,
        nonce: Callable[[], str] = lambda: secrets.token_hex(16),
    ) -> None:
        if len(config.apiv3_key) != 32:
            raise ValueError("the WeChat Pay APIv3 key must be 32 bytes")
        self.config = config
        self._clock = clock
        self._nonce = nonce

    @property
    def notify_url(self) -> str:
        return self.config.base_url.rstrip("/") + NOTIFY_PATH

    @property
    def refund_notify_url(self) -> str:
        return self.config.base_url.rstrip("/") + REFUND_NOTIFY_PATH

    # --- creating a payment --------------------------------------------------------------------
    async def create_payment(self, order: Order, options: PayOptions) -> PaymentIntent:
        method = options.method or PayMethod.NATIVE
        if method not in (PayMethod.NATIVE, PayMethod.JSAPI, PayMethod.H5):
            raise ValidationFailed("WeChat Pay offers Native, JSAPI and H5", code="unsupported_method")
        payment_id = "wx" + secrets.token_hex(14)
        now = utcnow()
        expires = payment_deadline(order, now, self.config.payment_ttl)
        body: dict[str, Any] = {
            "appid": self.config.appid,
            "mchid": self.config.mchid,
            "description": f"订单 {order.number}"[:127],
            "out_trade_no": payment_id,
            "time_expire": rfc3339(expires),
            "notify_url": self.notify_url,
            "amount": {"total": order.total.amount, "currency": order.currency},
            # Returned inside the signed, encrypted notification: the order is found by its id.
            "attach": order.id,
        }
        if method is PayMethod.JSAPI:
            if not options.payer:
                raise ValidationFailed("JSAPI needs the customer's openid", code="payer_required")
            body["payer"] = {"openid": options.payer}
        if method is PayMethod.H5:
            if not options.client_ip:
                raise ValidationFailed("H5 needs the customer's IP address", code="client_ip_required")
            body["scene_info"] = {"payer_client_ip": options.client_ip, "h5_info": {"type": "Wap"}}
        answer = await self._request("POST", f"/v3/pay/transactions/{method.value}", body)
        intent = PaymentIntent.for_order(
            order,
            payment_id=payment_id,
            provider=self.name,
            method=method,
            pay_url="",
            created_at=now,
            expires_at=expires,
        )
        if method is PayMethod.NATIVE:
            code_url = str(answer.get("code_url") or "")
            return _with(intent, qr_content=code_url, pay_url=f"{self.config.base_url.rstrip('/')}/pay/qr/{payment_id}")
        if method is PayMethod.H5:
            go = f"{self.config.base_url.rstrip('/')}/pay/go/{payment_id}"
            return _with(intent, pay_url=go, provider_url=str(answer.get("h5_url") or ""))
        return _with(
            intent,
            client_params=self.jsapi_params(str(answer.get("prepay_id") or "")),
            pay_url=f"{self.config.base_url.rstrip('/')}/pay/jsapi/{payment_id}",
        )

    def jsapi_params(self, prepay_id: str) -> dict[str, str]:
        """What `WeixinJSBridge.invoke('getBrandWCPayRequest', ...)` takes, signed over
        "appId\\ntimeStamp\\nnonceStr\\npackage\\n"."""
        stamp, nonce, package = str(int(self._clock())), self._nonce(), f"prepay_id={prepay_id}"
        message = f"{self.config.appid}\n{stamp}\n{nonce}\n{package}\n".encode()
        return {
            "appId": self.config.appid,
            "timeStamp": stamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": rsa_sign(self.config.private_key, message),
        }

    # --- notifications ---------------------------------------------------------------------------
    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        envelope, resource = self._open(headers, body, "transaction")
        try:
            transaction = _Transaction.model_validate_json(resource)
        except ValidationError:
            raise ValidationFailed("the notification resource is invalid", code="bad_notification") from None
        self._check_merchant(transaction.mchid, transaction.appid)
        if transaction.amount is None:
            raise ValidationFailed("the notification has no amount", code="bad_notification")
        succeeded = envelope.event_type == "TRANSACTION.SUCCESS" and transaction.trade_state == "SUCCESS"
        return Notification(
            provider=self.name,
            event_id=envelope.id,
            payment_id=transaction.out_trade_no,
            order_id=transaction.attach if ORDER_ID.match(transaction.attach) else "",
            succeeded=succeeded,
            amount=Money(transaction.amount.total, transaction.amount.currency),
            trade_no=transaction.transaction_id,
            nonce=_request_nonce(headers),
        )

    def verify_refund_notification(self, headers: Mapping[str, str], body: bytes) -> RefundNotification:
        envelope, resource = self._open(headers, body, "refund")
        try:
            refund = _RefundResource.model_validate_json(resource)
        except ValidationError:
            raise ValidationFailed("the refund notification resource is invalid", code="bad_notification") from None
        self._check_merchant(refund.mchid, "")
        state = _REFUND_STATES.get(refund.refund_status)
        if state is None or "refund" not in refund.amount:
            raise ValidationFailed("unknown refund status", code="bad_notification")
        return RefundNotification(
            provider=self.name,
            event_id=envelope.id,
            refund_id=refund.out_refund_no,
            payment_id=refund.out_trade_no,
            state=state,
            amount=Money(refund.amount["refund"], "CNY"),  # refund notifications carry no currency: CNY
            provider_refund_id=refund.refund_id,
        )

    def _open(self, headers: Mapping[str, str], body: bytes, kind: str) -> tuple[_Envelope, bytes]:
        """Verify the platform signature and freshness, then decrypt the resource."""
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise ValidationFailed("the notification is too large", code="bad_notification")
        self._verify_signed(headers, body, stale_check=True)
        try:
            envelope = _Envelope.model_validate_json(body)
        except ValidationError:
            raise ValidationFailed("the notification body is invalid", code="bad_notification") from None
        resource = envelope.resource
        if resource.algorithm != "AEAD_AES_256_GCM":
            raise ValidationFailed("unknown notification encryption", code="bad_notification")
        plain = aes_gcm_decrypt(
            self.config.apiv3_key, resource.nonce.encode(), resource.ciphertext, resource.associated_data.encode()
        )
        if plain is None:  # signed by the platform but not decryptable with our key: not for us
            raise Unauthorized("the notification resource cannot be decrypted", code="bad_ciphertext")
        if not envelope.event_type.startswith("REFUND." if kind == "refund" else "TRANSACTION."):
            raise ValidationFailed("unexpected notification type", code="bad_notification")
        return envelope, plain

    def _check_merchant(self, mchid: str, appid: str) -> None:
        if mchid != self.config.mchid or (appid and appid != self.config.appid):
            raise ValidationFailed("the notification is for another merchant", code="merchant_mismatch")

    def _verify_signed(self, headers: Mapping[str, str], body: bytes, *, stale_check: bool) -> None:
        lowered = {k.lower(): v for k, v in headers.items()}
        stamp = lowered.get("wechatpay-timestamp", "")
        nonce = lowered.get("wechatpay-nonce", "")
        signature = lowered.get("wechatpay-signature", "")
        serial = lowered.get("wechatpay-serial", "")
        if not (stamp and nonce and signature):
            raise Unauthorized("the message is not signed", code="bad_signature")
        if serial != self.config.platform_public_key_id:
            raise Unauthorized("signed with an unknown platform key", code="bad_signature")
        if not stamp.isdigit() or len(stamp) > 12 or len(nonce) > 64:
            raise Unauthorized("invalid signature headers", code="bad_signature")
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        if not rsa_verify(self.config.platform_public_key, message, signature):
            raise Unauthorized("the signature does not verify", code="bad_signature")
        # After the signature, so the answer does not help forging: genuine but old is a replay.
        if stale_check and abs(self._clock() - int(stamp)) > self.config.tolerance_seconds:
            raise Unauthorized("the notification is too old (or from the future)", code="stale_notification")

    def notify_answer(self, ok: bool) -> tuple[int, str, str]:
        if ok:
            return 204, "application/json", ""
        # An error answer makes WeChat Pay send the notification again later.
        return 500, "application/json", json.dumps({"code": "FAIL", "message": "失败"}, ensure_ascii=False)

    # --- queries, refunds, bills -------------------------------------------------------------------
    async def query_payment(self, payment: PaymentIntent) -> ProviderPayment:
        path = f"/v3/pay/transactions/out-trade-no/{quote(payment.id)}?mchid={quote(self.config.mchid)}"
        try:
            answer = await self._request("GET", path)
        except ProviderRejected as exc:
            if exc.details.get("code") == "ORDER_NOT_EXIST":
                return ProviderPayment(payment.id, TradeState.NOT_FOUND)
            raise
        try:
            transaction = _Transaction.model_validate(answer)
        except ValidationError:
            raise ProviderUnavailable("unreadable payment query answer") from None
        state = _TRADE_STATES.get(transaction.trade_state, TradeState.PENDING)
        amount = Money(transaction.amount.total, transaction.amount.currency) if transaction.amount else None
        return ProviderPayment(payment.id, state, amount, transaction.transaction_id)

    async def close_payment(self, payment: PaymentIntent) -> None:
        path = f"/v3/pay/transactions/out-trade-no/{quote(payment.id)}/close"
        try:
            await self._request("POST", path, {"mchid": self.config.mchid})
        except ProviderRejected as exc:
            if exc.details.get("code") not in ("ORDER_NOT_EXIST", "ORDER_CLOSED"):
                raise ProviderUnavailable(f"close refused: {exc.details.get('code')}") from None

    async def refund(self, payment: PaymentIntent, refund_id: str, amount: Money, reason: str) -> RefundResult:
        body = {
            "out_trade_no": payment.id,
            "out_refund_no": refund_id,
            "reason": reason[:80],
            "notify_url": self.refund_notify_url,
            "amount": {"refund": amount.amount, "total": payment.amount.amount, "currency": amount.currency},
        }
        try:
            answer = await self._request("POST", "/v3/refund/domestic/refunds", body)
        except ProviderRejected:
            return RefundResult(refund_id, amount, RefundState.FAILED)
        return self._refund_result(refund_id, amount, answer)

    async def query_refund(self, payment: PaymentIntent, refund_id: str) -> RefundResult:
        answer = await self._request("GET", f"/v3/refund/domestic/refunds/{quote(refund_id)}")
        refunded = Money(int((answer.get("amount") or {}).get("refund") or 0), payment.amount.currency)
        return self._refund_result(refund_id, refunded, answer)

    @staticmethod
    def _refund_result(refund_id: str, amount: Money, answer: Mapping[str, Any]) -> RefundResult:
        state = _REFUND_STATES.get(str(answer.get("status") or ""), RefundState.PENDING)
        return RefundResult(refund_id, amount, state, str(answer.get("refund_id") or ""))

    async def statement(self, day: date) -> list[StatementLine]:
        """The trade bill (交易账单, bill_type ALL) of a Beijing-time day, downloaded from the
        URL the bill API gives (the download is signed like any request)."""
        answer = await self._request("GET", f"/v3/bill/tradebill?bill_date={day.isoformat()}&bill_type=ALL")
        url = str(answer.get("download_url") or "")
        if not url.startswith(self.config.api_base):
            raise ProviderUnavailable("unexpected bill download address")
        raw = await self._download(url[len(self.config.api_base) :])
        # The download itself is not signed; the signed bill answer carries its SHA1.
        expected = str(answer.get("hash_value") or "").lower()
        if answer.get("hash_type") == "SHA1" and hashlib.sha1(raw).hexdigest() != expected:  # noqa: S324
            raise ProviderUnavailable("the downloaded bill does not match its hash")
        return parse_trade_bill(raw.decode("utf-8-sig"))

    # --- the signed HTTP call ------------------------------------------------------------------------
    def authorization(self, method: str, path: str, body: str) -> str:
        stamp, nonce = str(int(self._clock())), self._nonce()
        message = f"{method}\n{path}\n{stamp}\n{nonce}\n{body}\n".encode()
        signature = rsa_sign(self.config.private_key, message)
        return (
            f'{AUTH_SCHEMA} mchid="{self.config.mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{stamp}",serial_no="{self.config.cert_serial}"'
        )

    async def _send(self, method: str, path: str, body: str) -> HttpAnswer:
        headers = {
            "Authorization": self.authorization(method, path, body),
            "Accept": "application/json",
            "User-Agent": "chatcart",
        }
        if body:
            headers["Content-Type"] = "application/json"
        return await call(
            method,
            self.config.api_base + path,
            headers=headers,
            body=body.encode() if body else None,
            limit_seconds=self.config.timeout_seconds,
        )

    async def _request(self, method: str, path: str, payload: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")) if payload is not None else ""
        answer = await self._send(method, path, body)
        # Answers are signed too: an unsigned or forged answer is treated like no answer.
        try:
            self._verify_signed(answer.headers, answer.body, stale_check=False)
        except Unauthorized:
            raise ProviderUnavailable(f"{method} {path}: the answer's signature does not verify") from None
        try:
            data = json.loads(answer.body) if answer.body else {}
        except ValueError:
            raise ProviderUnavailable(f"{method} {path}: unreadable answer") from None
        if answer.status >= 400:
            code = str(data.get("code") or "") if isinstance(data, dict) else ""
            raise ProviderRejected(f"WeChat Pay refused: {code}", details={"code": code, "status": answer.status})
        if not isinstance(data, dict):
            raise ProviderUnavailable(f"{method} {path}: unexpected answer")
        return data

    async def _download(self, path: str) -> bytes:
        """The bill file: signed request; the file itself is checked by the caller's parsing."""
        answer = await self._send("GET", path, "")
        if answer.status >= 400:
            raise ProviderRejected("WeChat Pay refused the bill download", details={"status": answer.status})
        return answer.body


def _with(intent: PaymentIntent, **changes: Any) -> PaymentIntent:
    return replace(intent, **changes)


def _yuan(text: str) -> int:
    return Money.parse(text or "0", "CNY").amount


def parse_trade_bill(text: str) -> list[StatementLine]:
    """WeChat Pay's trade bill: a header row, one row per transaction with every value
    prefixed by a backtick, then a summary header and row. SUCCESS rows are payments; REFUND
    rows are refunds (商户退款单号 = our refund id)."""
    lines: list[StatementLine] = []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return lines
    columns = bill_columns(header, ("微信订单号", "商户订单号", "交易状态", "应结订单金额", "商户退款单号", "退款金额"))
    for row in reader:
        if not row or not row[0].startswith("`"):
            break  # the summary section starts
        value = {name: row[index].lstrip("`").strip() for name, index in columns.items() if index < len(row)}
        state = value.get("交易状态", "")
        if state == "SUCCESS":
            lines.append(
                StatementLine(
                    "payment", value["微信订单号"], value["商户订单号"], Money(_yuan(value["应结订单金额"]), "CNY")
                )
            )
        elif state == "REFUND":
            lines.append(
                StatementLine(
                    "refund",
                    value["微信订单号"],
                    value["商户订单号"],
                    Money(_yuan(value["退款金额"]), "CNY"),
                    refund_id=value["商户退款单号"],
                )
            )
    return lines


def bill_day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Beijing-time day as UTC instants (the bill's day)."""
    start = datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
    return start, start + timedelta(days=1)
