"""Each update_id is processed once, even when Telegram re-delivers it or two processes get it.

The claim is an insert into `telegram_updates` whose `_id` is "<bot id>:<update id>": the
unique `_id` makes exactly one insert win across all processes sharing the database; a TTL
index drops claims after two days (Telegram keeps undelivered updates for 24 hours). When
Redis is configured, SET NX in front turns away most repeats without touching MongoDB; the
database claim stays the authority. A claimed update is never retried (at most once): a
half-done purchase step replayed could do more harm than one lost message.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from pymongo import IndexModel
from pymongo.errors import BulkWriteError, PyMongoError

from core.batch import DUPLICATE_KEY
from core.coalesce import Coalescer
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, utcnow

UPDATES = "telegram_updates"
DEFAULT_TTL_SECONDS = 2 * 24 * 3600

log = get_logger(__name__)


def indexes(ttl_seconds: int = DEFAULT_TTL_SECONDS) -> list[CollectionIndexes]:
    return [CollectionIndexes(UPDATES, [IndexModel([("claimed_at", 1)], expireAfterSeconds=ttl_seconds)])]


INDEXES = indexes()


class RedisSetter(Protocol):
    """The one Redis call the claims use (`redis.asyncio.Redis.set`)."""

    def set(self, name: str, value: str, *, ex: int, nx: bool) -> Awaitable[bool | str | bytes | None]: ...

    def delete(self, *names: str) -> Awaitable[int]: ...


class UpdateClaims:
    def __init__(
        self, db: Database, bot_id: int, *, redis: RedisSetter | None = None, ttl_seconds: int = DEFAULT_TTL_SECONDS
    ) -> None:
        self._updates = db[UPDATES]
        self.bot_id = bot_id
        self._redis = redis
        self._ttl = ttl_seconds
        # Updates arriving together are claimed with one insert (group commit).
        self._insert = Coalescer(self._insert_claims)

    async def claim(self, update_id: int) -> bool:
        """True for the first caller with this update; False for every repeat."""
        key = f"{self.bot_id}:{update_id}"
        if self._redis is not None:
            try:
                if not await self._redis.set(f"chatcart:tg:update:{key}", "1", ex=self._ttl, nx=True):
                    return False
            except Exception as exc:  # Redis is an optimisation; the database decides
                log.warning("telegram.dedup_redis_unavailable", error=type(exc).__name__)
        return await self._insert(key)

    async def release(self, update_id: int) -> None:
        """Give up the claim of an update that could not be processed (the database went away),
        so Telegram's redelivery is processed. Best effort: with the database down the claim
        insert most likely never happened."""
        key = f"{self.bot_id}:{update_id}"
        if self._redis is not None:
            try:
                await self._redis.delete(f"chatcart:tg:update:{key}")
            except Exception as exc:  # Redis is an optimisation
                log.warning("telegram.dedup_redis_unavailable", error=type(exc).__name__)
        try:
            await self._updates.delete_one({"_id": key})
        except PyMongoError as exc:
            log.warning("telegram.claim_not_released", update_id=update_id, error=type(exc).__name__)

    async def _insert_claims(self, keys: list[str]) -> list[bool]:
        """One unordered insert for all keys; a duplicate key means another delivery took it."""
        now = utcnow()
        try:
            await self._updates.insert_many([{"_id": key, "claimed_at": now} for key in keys], ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors") or []
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                raise
            taken = {int(error["index"]) for error in errors}
            return [index not in taken for index in range(len(keys))]
        return [True] * len(keys)
