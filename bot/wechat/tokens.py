"""The account's access token, shared by every chatcart process through `wechat_tokens`.

WeChat issues one valid token per AppSecret at a time (a new one invalidates the old after
a few minutes), so processes must not each fetch their own. A lease on the token document
makes exactly one process the refresher; the others wait for its result.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, as_utc, utcnow

TOKENS = "wechat_tokens"
INDEXES: list[CollectionIndexes] = [CollectionIndexes(TOKENS, [])]  # keyed by AppId (_id)

log = get_logger("bot.wechat.tokens")

TokenFetcher = Callable[[], Awaitable[tuple[str, int]]]  # -> (token, expires_in seconds)


@dataclass(frozen=True)
class CachedToken:
    value: str
    expires_at: datetime


class TokenUnavailable(RuntimeError):
    """No token could be obtained (WeChat refused the credentials or is unreachable)."""


class AccessTokenStore:
    def __init__(
        self,
        db: Database,
        app_id: str,
        fetch: TokenFetcher,
        *,
        refresh_margin_seconds: int = 300,
        lease_seconds: float = 15.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self._tokens = db[TOKENS]
        self._app_id = app_id
        self._fetch = fetch
        self._margin = timedelta(seconds=refresh_margin_seconds)
        self._lease = timedelta(seconds=lease_seconds)
        self._poll = poll_seconds
        self._owner = uuid.uuid4().hex
        self._cached: CachedToken | None = None
        self._local = asyncio.Lock()  # one refresh attempt per process at a time

    def _usable(self, token: CachedToken | None) -> bool:
        return token is not None and utcnow() < token.expires_at - self._margin

    async def get(self) -> str:
        if self._usable(self._cached):
            assert self._cached is not None
            return self._cached.value
        async with self._local:
            deadline = utcnow() + self._lease * 2
            while True:
                stored = await self._read()
                if self._usable(stored):
                    self._cached = stored
                    assert stored is not None
                    return stored.value
                if await self._acquire_lease():
                    return await self._refresh()
                if utcnow() > deadline:
                    raise TokenUnavailable("timed out waiting for another process to refresh the token")
                await asyncio.sleep(self._poll)

    async def invalidate(self, token: str) -> None:
        """WeChat rejected `token` (40001/42001): forget it so that the next `get` refreshes."""
        if self._cached is not None and self._cached.value == token:
            self._cached = None
        await self._tokens.update_one(
            {"_id": self._app_id, "token": token}, {"$set": {"expires_at": datetime(1970, 1, 1, tzinfo=UTC)}}
        )

    async def _read(self) -> CachedToken | None:
        doc = await self._tokens.find_one({"_id": self._app_id})
        if not doc or not doc.get("token") or not doc.get("expires_at"):
            return None
        return CachedToken(str(doc["token"]), as_utc(doc["expires_at"]))

    async def _acquire_lease(self) -> bool:
        now = utcnow()
        try:
            await self._tokens.find_one_and_update(
                # Only when the lease is free AND the stored token still needs refreshing: a process
                # that read the document just before another one finished must not refresh again.
                {
                    "_id": self._app_id,
                    "$and": [
                        {"$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]},
                        {"$or": [{"expires_at": None}, {"expires_at": {"$lte": now + self._margin}}]},
                    ],
                },
                {"$set": {"lease_owner": self._owner, "lease_until": now + self._lease}},
                upsert=True,
            )
        except DuplicateKeyError:  # the document exists: someone holds the lease or the token is fresh
            return False
        return True  # matched (lease was free) or inserted: the lease is ours

    async def _refresh(self) -> str:
        try:
            value, expires_in = await self._fetch()
        except Exception:
            await self._release({})
            raise
        token = CachedToken(value, utcnow() + timedelta(seconds=max(60, int(expires_in))))
        await self._release({"token": token.value, "expires_at": token.expires_at, "refreshed_at": utcnow()})
        self._cached = token
        log.info("wechat.token_refreshed", expires_in=expires_in)
        return token.value

    async def _release(self, fields: dict[str, object]) -> None:
        await self._tokens.update_one(
            {"_id": self._app_id, "lease_owner": self._owner},
            {"$set": {**fields, "lease_until": None, "lease_owner": None}},
        )

    async def expires_at(self) -> datetime | None:
        stored = await self._read()
        return stored.expires_at if stored else None
