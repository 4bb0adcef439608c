"""Order lists, newest first, with filters - shared by the staff API and the admin.

The equality filters one orders index serves together with `_id` ranges go to the server
((customer_id, _id), (channel, status, _id), (status, _id), (channel, _id)); the others are
checked on the fetched documents (a customer's orders are few anyway). The list is read in
time windows (`core.windows`). A number prefix of a whole day reads that day's numbers
from the number index; a shorter one (a year or a month) bounds the windows to its dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.mongo import Collection, Document, as_utc
from core.windows import BY_CREATED_AT, BY_ID, FIRST_WINDOW, GROWTH, newest_by_id

CUSTOMER_FIRST_WINDOW = timedelta(days=30)
CUSTOMER_GROWTH = 64.0


def indexed_equalities(wanted: Mapping[str, str]) -> dict[str, str]:
    if "customer_id" in wanted:
        return {"customer_id": wanted["customer_id"]}
    return {key: wanted[key] for key in ("channel", "status") if key in wanted}


def number_dates(prefix: str, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """Order numbers start with their day (YYYYMMDD, shop time): the time range a prefix of 4,
    6 or 8+ digits names (None for anything else)."""

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    try:
        if len(prefix) >= 8:
            first = date(int(prefix[:4]), int(prefix[4:6]), int(prefix[6:8]))
            return start(first), start(first + timedelta(days=1))
        if len(prefix) >= 6:
            first = date(int(prefix[:4]), int(prefix[4:6]), 1)
            return start(first), start(date(first.year + first.month // 12, first.month % 12 + 1, 1))
        if len(prefix) >= 4:
            return start(date(int(prefix[:4]), 1, 1)), start(date(int(prefix[:4]) + 1, 1, 1))
    except ValueError:
        return None
    return None


async def newest_orders(
    orders: Collection,
    *,
    equal: Mapping[str, str],
    number_prefix: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: str | None = None,
    limit: int,
    zone: ZoneInfo,
    projection: Mapping[str, Any] | None = None,
) -> list[Document]:
    """Up to `limit` orders with these field values, number prefix, `created_at` in
    [since, until) and `_id < before_id`, newest first. `projection` must keep the filtered
    fields (status, channel, customer_id, number, created_at)."""
    wanted = {key: value for key, value in equal.items() if value}

    def keep(doc: Document) -> bool:
        created = as_utc(doc["created_at"])
        return (
            all(doc.get(key) == value for key, value in wanted.items())
            and str(doc.get("number", "")).startswith(number_prefix)
            and (since is None or created >= since)
            and (until is None or created < until)
        )

    if len(number_prefix) >= 8:  # a day's orders or one order: the number index alone is narrow enough
        query: Document = {"number": {"$gte": number_prefix, "$lt": number_prefix + "\uffff"}}
        found = [
            doc
            for doc in await orders.find(query, projection).to_list()
            if keep(doc) and (before_id is None or str(doc["_id"]) < before_id)
        ]
        return sorted(found, key=lambda doc: str(doc["_id"]), reverse=True)[:limit]
    low, high = since, until
    dates = number_dates(number_prefix, zone) if number_prefix else None
    if dates is not None:
        low = max(low, dates[0]) if low else dates[0]
        high = min(high, dates[1]) if high else dates[1]
    indexed = indexed_equalities(wanted)
    # One customer's orders are few in any stretch of time: start with a month, widen fast.
    sparse = "customer_id" in indexed
    return await newest_by_id(
        orders,
        equal=indexed,
        window=BY_ID if indexed else BY_CREATED_AT,
        limit=limit,
        before_id=before_id,
        since=low,
        until=high,
        keep=keep,
        projection=projection,
        first_window=CUSTOMER_FIRST_WINDOW if sparse else FIRST_WINDOW,
        growth=CUSTOMER_GROWTH if sparse else GROWTH,
    )
