"""Fault injection: Redis (optional) goes away. Sign-in throttling and duplicate-update filtering
degrade to MongoDB; no request fails. A throwaway redis-server on its own port is used, so the
shared one is never touched."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis.asyncio as redis_asyncio

from admin_web.ratelimit import INDEXES, MongoLoginLimiter, RedisLoginLimiter, limiter_key
from bot.telegram.dedup import INDEXES as UPDATE_INDEXES
from bot.telegram.dedup import UpdateClaims
from chatcart.bootstrap import optional_redis
from chatcart.embedded_db import free_port
from core.mongo import Database, ensure_indexes


@pytest.fixture
def redis_server() -> Iterator[subprocess.Popen[bytes]]:
    executable = shutil.which("redis-server")
    assert executable is not None, "redis-server is needed for the Redis fault tests"
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process.port = port  # type: ignore[attr-defined]
    try:
        yield process
    finally:
        process.kill()
        process.wait()


async def _client(server: subprocess.Popen[bytes]) -> redis_asyncio.Redis:
    """A client as chatcart builds it (no retries), once the server answers."""
    client: redis_asyncio.Redis = optional_redis(f"redis://127.0.0.1:{server.port}/0")  # type: ignore[attr-defined]
    for _ in range(100):
        try:
            await client.ping()
            return client
        except (OSError, redis_asyncio.RedisError):
            await asyncio.sleep(0.05)
    raise AssertionError("redis-server did not start")


async def test_sign_in_throttling_keeps_counting_without_redis(
    db: Database, redis_server: subprocess.Popen[bytes]
) -> None:
    await ensure_indexes(db, INDEXES)
    client = await _client(redis_server)
    limiter = RedisLoginLimiter(client, max_failures=3, fallback=MongoLoginLimiter(db, max_failures=3))
    key = limiter_key("boss", "10.0.0.1")
    assert await limiter.failed(key) == 1  # counted in Redis
    redis_server.kill()
    redis_server.wait()
    started = time.monotonic()
    assert not await limiter.blocked(key)  # Redis gone: the fallback answers, nothing raises
    for _ in range(3):
        await limiter.failed(key)
    assert await limiter.blocked(key)  # still throttled
    assert time.monotonic() - started < 5  # no retrying with back-off on every call
    await limiter.succeeded(key)
    assert not await limiter.blocked(key)
    await client.aclose()


async def test_duplicate_updates_are_still_refused_without_redis(
    db: Database, redis_server: subprocess.Popen[bytes]
) -> None:
    await ensure_indexes(db, UPDATE_INDEXES)
    client = await _client(redis_server)
    claims = UpdateClaims(db, 42, redis=client)
    assert await claims.claim(1)
    redis_server.kill()
    redis_server.wait()
    assert await claims.claim(2)
    assert not await claims.claim(2)  # the database decides
    assert not await claims.claim(1)
    await client.aclose()
