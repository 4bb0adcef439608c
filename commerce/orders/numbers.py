"""Human-friendly order numbers `YYYYMMDD-NNNN` from a per-day counter.

The counter is one atomic `$inc` (upsert) on `counters`, so concurrent checkouts never share a
number. Days follow the shop's time zone; past 9999 orders a day the number simply grows.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.errors import Conflict
from core.mongo import Database, utcnow

COUNTERS = "counters"


def format_number(day: str, sequence: int) -> str:
    return f"{day}-{sequence:04d}"


class OrderNumbers:
    def __init__(self, db: Database, *, timezone: str = "Asia/Shanghai") -> None:
        self._counters = db[COUNTERS]
        self.zone = ZoneInfo(timezone)

    def day_of(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y%m%d")

    async def next(self, now: datetime | None = None) -> str:
        day = self.day_of(now or utcnow())
        for _ in range(5):
            try:
                doc = await self._counters.find_one_and_update(
                    {"_id": f"order:{day}"}, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError:  # two first-of-the-day upserts raced; the loser retries
                continue
            # SecantusDB answers a lost upsert race with no document (the increment did happen):
            # take another number - a gap, never a duplicate.
            if doc is not None:
                return format_number(day, int(doc["seq"]))
        raise Conflict("could not allocate an order number, please retry", code="order_number_busy")
