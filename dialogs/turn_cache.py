"""Reads memoized for the length of one turn.

A turn often looks at the same product twice (the list entry the customer pointed at, then
its detail card); inside one turn the second look is served from memory instead of the
database. Nothing outlives the turn, so every message still sees fresh prices and stock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("dialog_turn_memo", default=None)


@contextmanager
def turn_scope() -> Iterator[None]:
    """Reads through `memoized` inside this block share one memo (the engine opens one per turn)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


async def memoized(key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
    """`await read()`, once per key and turn; outside a turn it always reads."""
    memo = _memo.get()
    if memo is None:
        return await read()
    if key not in memo:
        memo[key] = await read()
    return cast(T, memo[key])
