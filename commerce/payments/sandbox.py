"""The sandbox payment provider: a local "pay here" page and HMAC-signed notifications.

It behaves like a real provider on the wire: the pay page (sandbox_web.py) posts a signed
notification to `POST /api/v1/payments/notify/sandbox`, and the notify handler verifies it
exactly as it would verify a real provider's callback:

    X-Sandbox-Timestamp: <unix seconds>
    X-Sandbox-Signature: hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta

from pydantic import ValidationError

from commerce.errors import Unauthorized, ValidationFailed
from commerce.money import Money
from commerce.orders.model import Order
from commerce.payments.model import (
    Notification,
    NotificationBody,
    PaymentIntent,
    PayMethod,
    PayOptions,
    ProviderPayment,
    RefundResult,
    RefundState,
    StatementLine,
    TradeState,
    payment_deadline,
)
from core.mongo import utcnow

TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
SIGNATURE_HEADER = "X-Sandbox-Signature"
NOTIFY_PATH = "/api/v1/payments/notify/sandbox"
MAX_BODY_BYTES = 16_384


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class SandboxProvider:
    name = "sandbox"

    def __init__(
        self,
        secret: str,
        base_url: str,
        *,
        tolerance_seconds: int = 300,
        payment_ttl: timedelta = timedelta(minutes=30),
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the sandbox payment secret must be at least 16 characters")
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.tolerance = tolerance_seconds
        self.payment_ttl = payment_ttl
        self._clock = clock

    @property
    def notify_url(self) -> str:
        return self.base_url + NOTIFY_PATH

    async def create_payment(self, order: Order, options: PayOptions) -> PaymentIntent:
        payment_id = "sbx_" + secrets.token_hex(12)
        now = utcnow()
        return PaymentIntent.for_order(
            order,
            payment_id=payment_id,
            provider=self.name,
            method=PayMethod.LINK,
            pay_url=f"{self.base_url}/pay/sandbox/{payment_id}",
            created_at=now,
            expires_at=payment_deadline(order, now, self.payment_ttl),
        )

    # The sandbox moves no money and keeps no books: a refund always goes through at once,
    # there is nothing to ask about a payment (its page notifies or nothing happened), and
    # there is no statement to reconcile with.
    async def refund(self, payment: PaymentIntent, refund_id: str, amount: Money, reason: str) -> RefundResult:
        return RefundResult(id=refund_id, amount=amount, state=RefundState.SUCCEEDED, provider_refund_id=refund_id)

    async def query_refund(self, payment: PaymentIntent, refund_id: str) -> RefundResult:
        return RefundResult(id=refund_id, amount=payment.amount, state=RefundState.SUCCEEDED)

    async def query_payment(self, payment: PaymentIntent) -> ProviderPayment:
        return ProviderPayment(payment.id, TradeState.NOT_FOUND)

    async def close_payment(self, payment: PaymentIntent) -> None:
        return None  # its page asks the shop before paying

    async def statement(self, day: date) -> list[StatementLine]:
        raise NotImplementedError("the sandbox keeps no statement")

    def notify_answer(self, ok: bool) -> tuple[int, str, str]:
        return (200, "application/json", '{"ok":true}') if ok else (400, "application/json", '{"ok":false}')

    # --- the wire format ---------------------------------------------------------------------
    def build_notification(
        self, payment: PaymentIntent, *, succeeded: bool, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed notification, as the pay page sends it."""
        body = json.dumps(
            {
                "event_id": "sbe_" + secrets.token_hex(12),
                "payment_id": payment.id,
                "order_id": payment.order_id,
                "status": "succeeded" if succeeded else "failed",
                "amount": payment.amount.amount,
                "currency": payment.amount.currency,
                "occurred_at": utcnow().isoformat(),
            },
            separators=(",", ":"),
        ).encode()
        stamp = str(int(self._clock()) if timestamp is None else timestamp)
        headers = {
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign(self._secret, stamp, body),
            "Content-Type": "application/json",
        }
        return headers, body

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        lowered = {k.lower(): v for k, v in headers.items()}
        stamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
        signature = lowered.get(SIGNATURE_HEADER.lower(), "")
        if not stamp or not signature:
            raise Unauthorized("the notification is not signed", code="bad_signature")
        if len(body) > MAX_BODY_BYTES:
            raise ValidationFailed("the notification is too large", code="bad_notification")
        if not stamp.isdigit() or len(stamp) > 12:
            raise Unauthorized("invalid notification timestamp", code="bad_signature")
        expected = sign(self._secret, stamp, body)
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise Unauthorized("the notification signature does not match", code="bad_signature")
        # Checked after the signature so the answer does not help forging; a stale but genuine
        # message is a replay.
        if abs(self._clock() - int(stamp)) > self.tolerance:
            raise Unauthorized("the notification is too old (or from the future)", code="stale_notification")
        try:
            parsed = NotificationBody.model_validate_json(body)
        except ValidationError:
            raise ValidationFailed("the notification body is invalid", code="bad_notification") from None
        return replace(Notification.from_body(self.name, parsed), nonce=signature.strip().lower()[:80])
