"""Per-day order figures (`order_stats`), kept current by the writes that change them.

One document per day of the shop's time zone, `_id` "YYYY-MM-DD":
  created      orders placed that day
  status.<s>   of the orders placed that day, how many are in status <s> now
  paid         orders paid that day; gmv_minor: their totals (minor units of `currency`)
A dashboard reads a fortnight as 14 point lookups in one command instead of aggregating
every order of the fortnight (which the embedded database does document by document).

The increments ride in the batches of checkout and payment (no extra round trip) and follow
each status transition. A crash between an order's write and its figures' write can leave a
figure off by one: `rebuild()` recounts everything from the orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from commerce.money import Money
from commerce.orders.model import ORDERS, OrderStatus
from core.batch import WriteBatch
from core.mongo import Database, Document, as_utc

ORDER_STATS = "order_stats"
_PAID_STATUSES = [s.value for s in OrderStatus if s not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)]


class OrderStats:
    def __init__(self, db: Database, *, timezone: str = "Asia/Shanghai") -> None:
        self._db = db
        self._stats = db[ORDER_STATS]
        self.timezone = timezone
        self.zone = ZoneInfo(timezone)

    def day_of(self, at: datetime) -> str:
        return as_utc(at).astimezone(self.zone).date().isoformat()

    # --- increments (added to the caller's batch) -------------------------------------------
    def add_created(self, batch: WriteBatch, created_at: datetime) -> int:
        return batch.update_one(
            ORDER_STATS,
            {"_id": self.day_of(created_at)},
            {"$inc": {"created": 1, f"status.{OrderStatus.PENDING_PAYMENT.value}": 1}},
            upsert=True,
        )

    def add_status_change(
        self, batch: WriteBatch, created_at: datetime, source: OrderStatus, target: OrderStatus
    ) -> int:
        return batch.update_one(
            ORDER_STATS, {"_id": self.day_of(created_at)}, _status_change(source, target), upsert=True
        )

    def add_paid(self, batch: WriteBatch, paid_at: datetime, total: Money) -> int:
        return batch.update_one(
            ORDER_STATS,
            {"_id": self.day_of(paid_at)},
            {"$inc": {"paid": 1, "gmv_minor": total.amount}, "$set": {"currency": total.currency}},
            upsert=True,
        )

    async def record_status_change(self, created_at: datetime, source: OrderStatus, target: OrderStatus) -> None:
        await self._stats.update_one({"_id": self.day_of(created_at)}, _status_change(source, target), upsert=True)

    # --- reads -------------------------------------------------------------------------------
    async def days(self, days: Iterable[date]) -> dict[str, Document]:
        """The figures of these days (days without orders are absent); one command."""
        keys = [day.isoformat() for day in days]
        return {str(doc["_id"]): doc async for doc in self._stats.find({"_id": {"$in": keys}})}

    async def rebuild(self) -> int:
        """Recount every day from the orders (after an upgrade, or to repair drift); returns
        the number of days written. Two aggregations over all orders: run it off-peak."""
        figures: dict[str, Document] = {}
        created = await (
            await self._db[ORDERS].aggregate(
                [
                    {
                        "$group": {
                            "_id": {
                                "day": {
                                    "$dateToString": {
                                        "date": "$created_at",
                                        "format": "%Y-%m-%d",
                                        "timezone": self.timezone,
                                    }
                                },
                                "status": "$status",
                            },
                            "n": {"$sum": 1},
                        }
                    },
                ]
            )
        ).to_list()
        for row in created:
            day = figures.setdefault(str(row["_id"]["day"]), _empty())
            day["created"] += int(row["n"])
            day["status"][str(row["_id"]["status"])] = int(row["n"])
        paid = await (
            await self._db[ORDERS].aggregate(
                [
                    {"$match": {"status": {"$in": _PAID_STATUSES}, "paid_at": {"$type": "date"}}},
                    {
                        "$group": {
                            "_id": {
                                "$dateToString": {"date": "$paid_at", "format": "%Y-%m-%d", "timezone": self.timezone}
                            },
                            "n": {"$sum": 1},
                            "gmv": {"$sum": "$total.amount"},
                            "currency": {"$first": "$total.currency"},
                        }
                    },
                ]
            )
        ).to_list()
        for row in paid:
            day = figures.setdefault(str(row["_id"]), _empty())
            day.update(paid=int(row["n"]), gmv_minor=int(row["gmv"]), currency=row.get("currency"))
        await self._stats.delete_many({})
        if figures:
            await self._stats.insert_many([{"_id": key, **value} for key, value in figures.items()], ordered=False)
        return len(figures)


def _status_change(source: OrderStatus, target: OrderStatus) -> Document:
    return {"$inc": {f"status.{source.value}": -1, f"status.{target.value}": 1}}


def _empty() -> dict[str, Any]:
    return {"created": 0, "status": {}, "paid": 0, "gmv_minor": 0}
