"""One-time sign-in codes for the web chat (phone by SMS, or e-mail).

Codes are stored hashed in `webchat_otp` with an expiry (TTL index), a limited number of
attempts and a resend interval. Delivery goes through a `CodeSender`; the sandbox senders
write the code to the server log so a developer can sign in without an SMS contract.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Literal, Protocol

from pymongo import ASCENDING, IndexModel

from commerce.errors import Conflict, ValidationFailed
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, as_utc, utcnow

COLLECTION = "webchat_otp"
INDEXES = [CollectionIndexes(COLLECTION, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])]
IdentifierKind = Literal["phone", "email"]
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_PHONE = re.compile(r"^\+?\d[\d\s-]{6,18}\d$")

log = get_logger(__name__)


class CodeSender(Protocol):
    async def send_code(self, destination: str, code: str) -> None: ...


class SandboxSms:
    """Development SMS provider: the code goes to the server log, nowhere else."""

    async def send_code(self, destination: str, code: str) -> None:
        log.warning("sandbox_sms_code", to=destination, sandbox_code=code)


class SandboxEmail:
    async def send_code(self, destination: str, code: str) -> None:
        log.warning("sandbox_email_code", to=destination, sandbox_code=code)


def classify(identifier: str) -> tuple[IdentifierKind, str]:
    """("phone", "+8613800138000"-ish) or ("email", "a@b.c"); ValidationFailed otherwise."""
    text = identifier.strip()
    if _EMAIL.match(text):
        return "email", text.lower()
    if _PHONE.match(text):
        digits = re.sub(r"[\s-]", "", text)
        return "phone", digits
    raise ValidationFailed("enter a mobile number or an e-mail address", code="bad_identifier")


class OtpService:
    def __init__(
        self,
        db: Database,
        *,
        sms: CodeSender,
        email: CodeSender,
        secret: str,
        ttl: timedelta = timedelta(minutes=5),
        resend_after: timedelta = timedelta(seconds=60),
        max_attempts: int = 5,
    ) -> None:
        self.collection = db[COLLECTION]
        self.senders: dict[IdentifierKind, CodeSender] = {"phone": sms, "email": email}
        self.secret = secret.encode()
        self.ttl, self.resend_after, self.max_attempts = ttl, resend_after, max_attempts

    def _hash(self, key: str, code: str) -> str:
        return hmac.new(self.secret, f"{key}:{code}".encode(), hashlib.sha256).hexdigest()

    async def request(self, identifier: str) -> tuple[IdentifierKind, str]:
        kind, value = classify(identifier)
        key = f"{kind}:{value}"
        now = utcnow()
        existing = await self.collection.find_one({"_id": key})
        if existing and now - as_utc(existing["sent_at"]) < self.resend_after:
            raise Conflict("a code was sent a moment ago; please wait before asking again", code="otp_too_soon")
        code = f"{secrets.randbelow(1_000_000):06d}"
        await self.collection.replace_one(
            {"_id": key},
            {"_id": key, "hash": self._hash(key, code), "attempts": 0, "sent_at": now, "expires_at": now + self.ttl},
            upsert=True,
        )
        await self.senders[kind].send_code(value, code)
        return kind, value

    async def verify(self, identifier: str, code: str) -> tuple[IdentifierKind, str] | None:
        """The verified (kind, value), or None for a wrong/expired code (attempts are counted)."""
        kind, value = classify(identifier)
        key = f"{kind}:{value}"
        doc = await self.collection.find_one_and_update(
            {"_id": key, "attempts": {"$lt": self.max_attempts}, "expires_at": {"$gt": utcnow()}},
            {"$inc": {"attempts": 1}},
        )
        if doc is None or not hmac.compare_digest(doc["hash"], self._hash(key, code.strip())):
            return None
        await self.collection.delete_one({"_id": key, "hash": doc["hash"]})
        return kind, value
