"""Reads memoized for the length of one turn.

A turn often looks at the same thing twice: the product the customer pointed at in a list and
then its detail card, the cart checked before adding to it and then shown, an order found in
the customer's list and then opened. Inside one turn the second look is served from memory
instead of the database. A write through the shop replaces or forgets what it changed, and
nothing outlives the turn, so every message still sees fresh prices, stock and states.
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


def remember(key: Hashable, value: object) -> None:
    """What a read or write of this turn already returned for `key` (no-op outside a turn)."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def recall(key: Hashable) -> Any | None:
    """The value memoized for `key` in this turn, or None."""
    memo = _memo.get()
    return None if memo is None else memo.get(key)


def forget(kind: str) -> None:
    """Drop this turn's memos whose key is a tuple starting with `kind` (after a write)."""
    memo = _memo.get()
    if memo is not None:
        for key in [k for k in memo if isinstance(k, tuple) and k and k[0] == kind]:
            del memo[key]
