"""Staff accounts (argon2 passwords), staff API tokens, admin and customer session tokens.

Tokens are 256-bit random strings with a readable prefix; only their SHA-256 is stored, so a
database dump does not hand out sessions. Passwords use argon2id.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.access.model import IssuedToken, StaffUser
from commerce.api.principal import ANONYMOUS, Principal, Role
from commerce.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from core.mongo import CollectionIndexes, Database, Document, utcnow

STAFF_TOKEN_PREFIX = "ccs_"  # noqa: S105 - a prefix, not a secret
CUSTOMER_TOKEN_PREFIX = "cct_"  # noqa: S105 - a prefix, not a secret
ADMIN_SESSION_PREFIX = "cca_"
ADMIN_SESSION_COOKIE = "chatcart_admin"
STAFF_USERS = "staff_users"
ACCESS_TOKENS = "access_tokens"
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")

INDEXES = [
    CollectionIndexes(STAFF_USERS, [IndexModel([("username", ASCENDING)], unique=True)]),
    CollectionIndexes(
        ACCESS_TOKENS,
        [
            IndexModel([("token_hash", ASCENDING)], unique=True),
            IndexModel([("subject", ASCENDING), ("kind", ASCENDING)]),
            # Expired sessions disappear on a real MongoDB; lookups also check expiry themselves.
            IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
        ],
    ),
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles(values: Any) -> frozenset[Role]:
    return frozenset(Role(v) for v in values or [] if v in Role._value2member_map_)


class AccessService:
    def __init__(
        self,
        db: Database,
        *,
        customer_session_days: int = 180,
        admin_session_hours: int = 12,
    ) -> None:
        self._staff = db[STAFF_USERS]
        self._tokens = db[ACCESS_TOKENS]
        self._hasher = PasswordHasher()
        self.customer_session_ttl = timedelta(days=customer_session_days)
        self.admin_session_ttl = timedelta(hours=admin_session_hours)

    # --- staff accounts --------------------------------------------------------------------
    async def create_staff(
        self, username: str, password: str, roles: list[Role] | frozenset[Role], display_name: str = ""
    ) -> StaffUser:
        if not _USERNAME.match(username):
            raise ValidationFailed("username must be 3-64 letters, digits or ._@-", details={"field": "username"})
        if len(password) < 10:
            raise ValidationFailed("password must be at least 10 characters", details={"field": "password"})
        if not roles:
            raise ValidationFailed("at least one role is required", details={"field": "roles"})
        doc: Document = {
            "_id": str(ObjectId()),
            "username": username,
            "password_hash": self._hasher.hash(password),
            "roles": sorted(Role(r) for r in roles),
            "active": True,
            "display_name": display_name or username,
            "created_at": utcnow(),
        }
        try:
            await self._staff.insert_one(doc)
        except DuplicateKeyError:
            raise Conflict(f"a staff user named {username!r} already exists", code="username_taken") from None
        return self._staff_from_doc(doc)

    async def count_staff(self) -> int:
        return await self._staff.count_documents({})

    async def get_staff(self, staff_id: str) -> StaffUser:
        doc = await self._staff.find_one({"_id": staff_id})
        if doc is None:
            raise NotFound("staff user not found")
        return self._staff_from_doc(doc)

    async def list_staff(self) -> list[StaffUser]:
        return [self._staff_from_doc(d) async for d in self._staff.find({}).sort("username", ASCENDING)]

    async def set_roles(self, staff_id: str, roles: list[Role]) -> StaffUser:
        doc = await self._staff.find_one_and_update(
            {"_id": staff_id}, {"$set": {"roles": sorted(roles)}}, return_document=ReturnDocument.AFTER
        )
        if doc is None:
            raise NotFound("staff user not found")
        return self._staff_from_doc(doc)

    async def set_active(self, staff_id: str, active: bool) -> None:
        result = await self._staff.update_one({"_id": staff_id}, {"$set": {"active": active}})
        if result.matched_count == 0:
            raise NotFound("staff user not found")
        if not active:
            await self._tokens.delete_many({"subject": staff_id, "kind": {"$in": ["staff_api", "admin_session"]}})

    async def verify_password(self, username: str, password: str) -> StaffUser:
        """Check a sign-in; the same error whether the user or the password is wrong."""
        doc = await self._staff.find_one({"username": username})
        failure = Unauthorized("wrong username or password", code="bad_credentials")
        if doc is None or not doc.get("active", True):
            # Spend the same time as a real check so usernames cannot be probed by timing.
            self._hasher.hash(password)
            raise failure
        try:
            self._hasher.verify(doc["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            raise failure from None
        if self._hasher.check_needs_rehash(doc["password_hash"]):
            await self._staff.update_one({"_id": doc["_id"]}, {"$set": {"password_hash": self._hasher.hash(password)}})
        return self._staff_from_doc(doc)

    @staticmethod
    def _staff_from_doc(doc: Document) -> StaffUser:
        return StaffUser(
            id=doc["_id"],
            username=doc["username"],
            password_hash=doc["password_hash"],
            roles=_roles(doc.get("roles")),
            active=doc.get("active", True),
            display_name=doc.get("display_name", ""),
            created_at=doc.get("created_at"),
        )

    # --- tokens --------------------------------------------------------------------------
    async def _issue(self, prefix: str, kind: str, subject: str, ttl: timedelta | None, name: str = "") -> IssuedToken:
        token = prefix + secrets.token_urlsafe(32)
        now = utcnow()
        doc: Document = {
            "_id": str(ObjectId()),
            "token_hash": hash_token(token),
            "kind": kind,
            "subject": subject,
            "name": name,
            "created_at": now,
        }
        if ttl is not None:
            doc["expires_at"] = now + ttl
        await self._tokens.insert_one(doc)
        return IssuedToken(token=token, token_id=doc["_id"], expires_at=doc.get("expires_at"))

    async def create_api_token(self, staff_id: str, name: str) -> IssuedToken:
        await self.get_staff(staff_id)
        return await self._issue(STAFF_TOKEN_PREFIX, "staff_api", staff_id, None, name)

    async def create_admin_session(self, staff_id: str) -> IssuedToken:
        return await self._issue(ADMIN_SESSION_PREFIX, "admin_session", staff_id, self.admin_session_ttl)

    async def issue_customer_token(self, customer_id: str) -> IssuedToken:
        return await self._issue(CUSTOMER_TOKEN_PREFIX, "customer_session", customer_id, self.customer_session_ttl)

    async def revoke(self, token: str) -> None:
        await self._tokens.delete_one({"token_hash": hash_token(token)})

    async def revoke_customer_sessions(self, customer_id: str) -> None:
        await self._tokens.delete_many({"subject": customer_id, "kind": "customer_session"})

    async def reassign_customer_sessions(self, from_customer: str, to_customer: str) -> None:
        """After two customers are merged, the absorbed one's devices keep working."""
        await self._tokens.update_many(
            {"subject": from_customer, "kind": "customer_session"}, {"$set": {"subject": to_customer}}
        )

    async def resolve(self, token: str) -> Principal:
        if not token.startswith((STAFF_TOKEN_PREFIX, CUSTOMER_TOKEN_PREFIX, ADMIN_SESSION_PREFIX)) or len(token) > 200:
            raise Unauthorized("invalid token")
        doc = await self._tokens.find_one({"token_hash": hash_token(token)})
        if doc is None or ("expires_at" in doc and doc["expires_at"] <= utcnow()):
            raise Unauthorized("invalid or expired token")
        if doc["kind"] == "customer_session":
            return Principal(kind="customer", customer_id=doc["subject"])
        staff = await self._staff.find_one({"_id": doc["subject"]}, {"roles": 1, "active": 1})
        if staff is None or not staff.get("active", True):
            raise Unauthorized("this account is disabled")
        return Principal(kind="staff", staff_id=doc["subject"], roles=_roles(staff.get("roles")))

    async def authenticate(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized("use 'Authorization: Bearer <token>'")
            return await self.resolve(token.strip())
        cookie = request.cookies.get(ADMIN_SESSION_COOKIE)
        if cookie:
            return dataclasses.replace(await self.resolve(cookie), cookie_session=cookie)
        return ANONYMOUS
