"""Group commit: concurrent requests share one call, each gets its own result."""

from __future__ import annotations

import asyncio

import pytest

from core.coalesce import Coalescer


class Backend:
    def __init__(self, delay: float = 0.01) -> None:
        self.calls: list[list[int]] = []
        self.delay = delay

    async def double(self, keys: list[int]) -> list[int]:
        self.calls.append(list(keys))
        await asyncio.sleep(self.delay)
        return [key * 2 for key in keys]


async def test_a_lone_request_goes_out_alone_and_at_once() -> None:
    backend = Backend(delay=0)
    coalescer = Coalescer(backend.double)
    assert await coalescer(21) == 42
    assert backend.calls == [[21]]


async def test_requests_arriving_while_a_batch_is_out_leave_together() -> None:
    backend = Backend()
    coalescer = Coalescer(backend.double)
    first = asyncio.create_task(coalescer(1))
    await asyncio.sleep(0.002)  # the first batch is now in flight
    rest = [asyncio.create_task(coalescer(key)) for key in range(2, 12)]
    assert await first == 2
    assert await asyncio.gather(*rest) == [key * 2 for key in range(2, 12)]
    assert backend.calls == [[1], list(range(2, 12))]
    assert (coalescer.batches, coalescer.requests) == (2, 11)


async def test_batches_never_exceed_the_limit() -> None:
    backend = Backend()
    coalescer = Coalescer(backend.double, max_batch=4)
    results = await asyncio.gather(*(coalescer(key) for key in range(10)))
    assert results == [key * 2 for key in range(10)]
    assert all(len(call) <= 4 for call in backend.calls)
    assert sorted(key for call in backend.calls for key in call) == list(range(10))


async def test_a_failing_batch_fails_each_of_its_requests_and_the_next_batch_still_runs() -> None:
    attempts: list[list[str]] = []

    async def flaky(keys: list[str]) -> list[str]:
        attempts.append(keys)
        await asyncio.sleep(0.005)
        if "bad" in keys:
            raise ConnectionError("database down")
        return [key.upper() for key in keys]

    coalescer = Coalescer(flaky)
    doomed = [asyncio.create_task(coalescer(key)) for key in ("bad", "also")]
    await asyncio.sleep(0)
    later = asyncio.create_task(coalescer("fine"))
    for task in doomed:
        with pytest.raises(ConnectionError):
            await task
    assert await later == "FINE"
    assert attempts == [["bad", "also"], ["fine"]]


async def test_a_cancelled_waiter_does_not_break_the_batch_for_the_others() -> None:
    backend = Backend()
    coalescer = Coalescer(backend.double)
    keep = asyncio.create_task(coalescer(5))
    dropped = asyncio.create_task(coalescer(6))
    await asyncio.sleep(0)
    dropped.cancel()
    assert await keep == 10
    with pytest.raises(asyncio.CancelledError):
        await dropped
