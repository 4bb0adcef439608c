"""Sign-in throttling per (username, client IP): after `max_failures` wrong passwords within
`window`, further attempts are refused until the window ends.

Two stores with one behaviour: Redis (INCR + EXPIRE, shared by every process) when
CHATCART_REDIS_URL is set, otherwise MongoDB (`admin_login_failures`, one document per key,
a single upserting `$inc` per failure and a TTL index that clears old windows).
Keys are SHA-256 hashes, so neither usernames nor addresses are stored in clear.

Redis is an optional service: while it cannot be reached the Redis limiter counts in its
fallback (MongoDB) instead, so signing in keeps working and keeps being throttled (issue 17).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, Protocol

from pymongo import ASCENDING, IndexModel, ReturnDocument
from redis.exceptions import RedisError

from core.atomic import find_one_and_update
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, as_utc, utcnow

log = get_logger("admin_web.ratelimit")
FAILURES = "admin_login_failures"
INDEXES = [CollectionIndexes(FAILURES, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])]


def limiter_key(username: str, ip: str) -> str:
    return hashlib.sha256(f"{username.strip().casefold()}|{ip}".encode()).hexdigest()


class LoginLimiter(Protocol):
    async def blocked(self, key: str) -> bool: ...
    async def failed(self, key: str) -> int: ...
    async def succeeded(self, key: str) -> None: ...


class MongoLoginLimiter:
    def __init__(self, db: Database, *, max_failures: int = 5, window: timedelta = timedelta(minutes=15)) -> None:
        self._failures = db[FAILURES]
        self.max_failures = max_failures
        self.window = window

    async def blocked(self, key: str) -> bool:
        doc = await self._failures.find_one({"_id": key})
        # The TTL monitor runs about once a minute: check the expiry ourselves too.
        if doc is None:
            return False
        return as_utc(doc["expires_at"]) > utcnow() and int(doc.get("count") or 0) >= self.max_failures

    async def failed(self, key: str) -> int:
        now = utcnow()
        # A window that has run out starts again (one guarded update, then an upsert).
        await self._failures.delete_one({"_id": key, "expires_at": {"$lte": now}})
        doc = await find_one_and_update(
            self._failures,
            {"_id": key},
            {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": now + self.window}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int((doc or {}).get("count") or 0)

    async def succeeded(self, key: str) -> None:
        await self._failures.delete_one({"_id": key})


class RedisLoginLimiter:
    def __init__(
        self,
        redis: Any,
        *,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        prefix: str = "chatcart:admin-login:",
        fallback: LoginLimiter | None = None,
    ) -> None:
        self._redis = redis  # redis.asyncio.Redis
        self.max_failures = max_failures
        self.window = window
        self._prefix = prefix
        self.fallback = fallback  # counts while Redis is unreachable; None: no throttling then

    async def blocked(self, key: str) -> bool:
        try:
            value = await self._redis.get(self._prefix + key)
        except (RedisError, OSError) as exc:
            _redis_down(exc)
            return await self.fallback.blocked(key) if self.fallback is not None else False
        return value is not None and int(value) >= self.max_failures

    async def failed(self, key: str) -> int:
        name = self._prefix + key
        try:
            count = int(await self._redis.incr(name))
            if count == 1:
                await self._redis.expire(name, int(self.window.total_seconds()))
        except (RedisError, OSError) as exc:
            _redis_down(exc)
            return await self.fallback.failed(key) if self.fallback is not None else 0
        return count

    async def succeeded(self, key: str) -> None:
        try:
            await self._redis.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            _redis_down(exc)
        if self.fallback is not None:
            await self.fallback.succeeded(key)  # failures counted there during an outage end too


def _redis_down(exc: BaseException) -> None:
    log.warning("admin.login_limiter_redis_unavailable", error=type(exc).__name__)
