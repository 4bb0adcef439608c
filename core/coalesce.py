"""Group commit for small database calls: requests made while the event loop is busy are
served by one command.

Under load many conversations reach the same step at once - claim an update id, load a
state, write a turn - and each single-document command pays the same fixed costs (a round
trip, the driver's per-command work, the server's dispatch). A `Coalescer` sends a request on
the next event-loop iteration when no batch of it is in flight (an idle system pays no delay);
while `max_in_flight` batches are out, new requests wait and leave together as the next batch
when one returns - the busier the system, the bigger the batches (adaptive batching).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")


class Coalescer(Generic[K, R]):
    """`await coalescer(key)` -> the result for `key` out of one `run(keys)` call per batch.

    `run` gets the keys in arrival order and returns one result per key, in the same order.
    A failure of `run` fails every request of that batch.
    """

    def __init__(
        self, run: Callable[[list[K]], Awaitable[Sequence[R]]], *, max_batch: int = 64, max_in_flight: int = 1
    ) -> None:
        self._run = run
        self._max_batch = max_batch
        self._max_in_flight = max_in_flight
        self._pending: list[tuple[K, asyncio.Future[R]]] = []
        self._flush_scheduled = False
        self._running: set[asyncio.Task[None]] = set()
        self.batches = 0
        self.requests = 0

    async def __call__(self, key: K) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((key, future))
        if not self._flush_scheduled and len(self._running) < self._max_in_flight:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._pending or len(self._running) >= self._max_in_flight:
            return  # the batch in flight takes the waiting requests along when it returns
        batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
        self.batches += 1
        self.requests += len(batch)
        task = asyncio.get_running_loop().create_task(self._serve(batch))
        self._running.add(task)
        task.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._pending and not self._flush_scheduled:
            self._flush_scheduled = True
            task.get_loop().call_soon(self._flush)

    async def _serve(self, batch: list[tuple[K, asyncio.Future[R]]]) -> None:
        try:
            results = await self._run([key for key, _ in batch])
        except BaseException as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
