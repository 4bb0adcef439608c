"""Newest-first pages of a big collection, read in growing time windows.

The embedded SecantusDB answers a `find(...).sort(...).limit(n)` by fetching and decoding
EVERY document the filter's index yields, and only then sorting and cutting to `n`; its
`_id` index serves point lookups only. "The 50 newest of 100,000 orders" therefore decoded
100,000 documents (seconds). Here the same page is read as a few queries over consecutive
time windows of an indexed field - an hour, then longer as the density found so far
suggests (at most eight times longer each round) - until
enough documents are certain to be the newest ones. Each window's filter has the shape the
server can serve from one index: equality fields followed by one range field (e.g. the
compound index `(status, _id)` for `{status, _id: range}`), or a single indexed range field.
On MongoDB the same queries are simply cheap index range scans.

Ids made by `str(ObjectId())` start with their creation second, so `_id` ranges are time
ranges (`id_at`); documents are ordered by `_id`, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.mongo import Collection, Document

FLOOR = datetime(2000, 1, 1, tzinfo=UTC)  # nothing in the shop is older
# Far enough for any real bound, near enough that adding the slack or a day cannot overflow
# (a filter `until=9999-12-31T23:59:59+14:00` raised OverflowError, issue 17).
CEILING = datetime(9000, 1, 1, tzinfo=UTC)
FIRST_WINDOW = timedelta(hours=1)
GROWTH = 8
# How much later than its id's second a document's `created_at` may be (the checkout takes
# the id first, then a couple of round trips, then stamps the order).
CREATED_SLACK = timedelta(minutes=5)


def clamp_time(at: datetime) -> datetime:
    """`at` moved into [FLOOR, CEILING]: times outside select the same documents as the bound."""
    return min(max(at, FLOOR), CEILING)


def id_at(at: datetime) -> str:
    """The smallest ObjectId hex string of the second `at` falls in."""
    return f"{max(0, int(at.timestamp())):08x}" + "0" * 16


def time_of_id(object_id: str) -> datetime:
    """The creation second of an ObjectId hex string (FLOOR for anything else)."""
    try:
        return datetime.fromtimestamp(int(str(object_id)[:8], 16), UTC)
    except ValueError:
        return FLOOR


@dataclass(frozen=True)
class WindowField:
    """The indexed field the windows bound, and how a time becomes that field's bound."""

    name: str
    bound: Callable[[datetime], Any]


BY_ID = WindowField("_id", id_at)
BY_CREATED_AT = WindowField("created_at", lambda at: at)


async def newest_by_id(
    collection: Collection,
    *,
    equal: Mapping[str, Any],
    window: WindowField,
    limit: int,
    before_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    keep: Callable[[Document], bool] | None = None,
    projection: Mapping[str, Any] | None = None,
    first_window: timedelta = FIRST_WINDOW,
    growth: float = GROWTH,
) -> list[Document]:
    """Up to `limit` documents matching `equal` (sent to the server) and `keep` (checked here),
    with `_id < before_id`, created in [since, until), newest (highest `_id`) first.

    `equal` must be served together with `window.name` by one index: `{**equal, window: range}`.
    With `BY_CREATED_AT` the windows bound `created_at` while the order is by `_id`; a document
    only counts as certain once the windows reached its id's second.

    `first_window` and `growth` suit the density: a filter that selects few documents in any
    stretch of time (one customer's orders) starts wide and widens fast, so that a customer
    with a single order is not read in eight windows reaching back to the year 2000."""
    since = clamp_time(since) if since is not None else None
    until = clamp_time(until) if until is not None else None
    top = datetime.now(UTC) + CREATED_SLACK
    if until is not None:
        top = min(top, until + CREATED_SLACK)
    if before_id is not None:
        top = min(top, time_of_id(before_id) + CREATED_SLACK)
    floor = max(FLOOR, since - CREATED_SLACK) if since is not None else FLOOR
    found: dict[Any, Document] = {}
    before = 0  # documents found before the current window
    high, size = top.replace(microsecond=0) + timedelta(seconds=1), first_window
    while True:
        low = max(high - size, floor)
        query = {**equal, window.name: {"$gte": window.bound(low), "$lt": window.bound(high)}}
        for doc in await collection.find(query, projection).to_list():
            doc_id = str(doc["_id"])
            if before_id is not None and doc_id >= before_id:
                continue
            if keep is None or keep(doc):
                found[doc_id] = doc
        certain = [doc for doc_id, doc in found.items() if time_of_id(doc_id) >= low]
        if len(certain) >= limit or low <= floor:
            chosen = list(found.values()) if low <= floor else certain
            chosen.sort(key=lambda doc: str(doc["_id"]), reverse=True)
            return chosen[:limit]
        # The next window: as long as this one's density says the rest needs (with a margin),
        # at least as long as this one and at most GROWTH times longer.
        missing, seen = limit - len(certain), len(found) - before
        factor = growth if seen == 0 else min(growth, max(1.0, 1.5 * missing / seen))
        high, size = low, size * factor
        before = len(found)
