"""Stock levels in `inventory` ({_id: sku, available, reserved, holds}) and the `stock_ledger`.

Every movement is ONE conditional update on one stock document: a reservation only matches
while `available >= q`, so concurrent buyers can never oversell, and commit/release only match
while the reservation's hold exists, so they happen once. Multi-line reservations are sent as
one batch; lines whose guard failed are reported and the successful ones are compensated, so
a failed checkout leaves no stock behind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from commerce.errors import Conflict, OutOfStock, ValidationFailed
from commerce.inventory.model import Movement, StockLevel, StockShortage, check_ref, normalize_lines
from core.atomic import find_one_and_update
from core.batch import BatchResult, WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, utcnow

INVENTORY = "inventory"
LEDGER = "stock_ledger"

log = get_logger("commerce.inventory")

INDEXES = [
    CollectionIndexes(INVENTORY, [IndexModel([("available", ASCENDING)])]),
    CollectionIndexes(
        LEDGER,
        [IndexModel([("sku", ASCENDING), ("at", DESCENDING)]), IndexModel([("ref", ASCENDING)])],
    ),
]


class StockWatcher(Protocol):
    """Told (without I/O, synchronously) which SKUs' available stock changed."""

    def stock_changed(self, skus: Iterable[str]) -> None: ...


# Told (awaited, after the write) which SKUs went from no available stock to some.
RestockListener = Callable[[list[str]], Awaitable[object]]


class InventoryService:
    def __init__(
        self, db: Database, *, watcher: StockWatcher | None = None, on_restock: RestockListener | None = None
    ) -> None:
        self._db = db
        self._stock = db[INVENTORY]
        self._ledger = db[LEDGER]
        self.watcher = watcher
        self.on_restock = on_restock  # back-in-stock notices (commerce.inventory.notices)

    # --- batch building blocks (used by orders/payments to stay within a round-trip budget) ---
    @staticmethod
    def add_reserve(batch: WriteBatch, lines: Mapping[str, int], ref: str) -> dict[str, int]:
        """Guarded `available -= q, reserved += q` per SKU; returns the batch index per SKU."""
        check_ref(ref)
        now = utcnow()
        return {
            sku: batch.update_one(
                INVENTORY,
                {"_id": sku, "available": {"$gte": qty}, f"holds.{ref}": {"$exists": False}},
                {"$inc": {"available": -qty, "reserved": qty}, "$set": {f"holds.{ref}": qty, "updated_at": now}},
            )
            for sku, qty in lines.items()
        }

    @staticmethod
    def add_release(batch: WriteBatch, lines: Mapping[str, int], ref: str) -> dict[str, int]:
        """Undo a reservation (cancel / timeout / failed checkout): only while its hold exists."""
        return InventoryService._settle_holds(batch, lines, ref, back_to_available=True)

    @staticmethod
    def add_commit(batch: WriteBatch, lines: Mapping[str, int], ref: str) -> dict[str, int]:
        """Turn a reservation into a sale (payment): only while its hold exists."""
        return InventoryService._settle_holds(batch, lines, ref, back_to_available=False)

    @staticmethod
    def _settle_holds(
        batch: WriteBatch, lines: Mapping[str, int], ref: str, *, back_to_available: bool
    ) -> dict[str, int]:
        """End the holds of `ref` once: the filter on the hold makes a repeat match nothing."""
        check_ref(ref)
        now = utcnow()
        result: dict[str, int] = {}
        for sku, qty in lines.items():
            increments = {"reserved": -qty, **({"available": qty} if back_to_available else {})}
            result[sku] = batch.update_one(
                INVENTORY,
                {"_id": sku, f"holds.{ref}": qty},
                {"$inc": increments, "$unset": {f"holds.{ref}": ""}, "$set": {"updated_at": now}},
            )
        return result

    @staticmethod
    def add_ledger(batch: WriteBatch, movements: Iterable[Movement]) -> list[int]:
        return [batch.insert(LEDGER, movement.to_doc()) for movement in movements]

    @staticmethod
    def movements(kind: str, lines: Mapping[str, int], ref: str, reason: str, actor: str = "system") -> list[Movement]:
        sign = {"reserve": (-1, 1), "release": (1, -1), "commit": (0, -1)}[kind]
        now = utcnow()
        return [
            Movement(
                sku=sku,
                delta_available=sign[0] * qty,
                delta_reserved=sign[1] * qty,
                reason=reason,
                ref=ref,
                actor=actor,
                kind=kind,
                at=now,
            )
            for sku, qty in lines.items()
        ]

    def notify_changed(self, skus: Iterable[str]) -> None:
        if self.watcher is not None:
            self.watcher.stock_changed(list(skus))

    async def _restocked(self, skus: list[str]) -> None:
        """Tell the listener about SKUs that can be bought again; its failure never undoes or
        fails the stock change (the notices wait for the next restock)."""
        if not skus or self.on_restock is None:
            return
        try:
            await self.on_restock(skus)
        except Exception:
            log.exception("restock_listener_failed", skus=skus[:20])

    # --- stand-alone movements -------------------------------------------------------------
    async def reserve(
        self, lines: Mapping[str, int], ref: str, *, reason: str = "reserve", actor: str = "system"
    ) -> None:
        """All-or-nothing reservation; raises OutOfStock naming every short SKU."""
        wanted = normalize_lines(lines)
        batch = WriteBatch(self._db)
        indexes = self.add_reserve(batch, wanted, ref)
        result = await batch.execute()
        reserved = {sku: wanted[sku] for sku, i in indexes.items() if result[i].applied}
        if len(reserved) < len(wanted):
            await self.compensate(reserved, ref)
            shortages = await self.shortages({s: q for s, q in wanted.items() if s not in reserved})
            raise out_of_stock(shortages)
        await self._record(self.movements("reserve", wanted, ref, reason, actor))
        self.notify_changed(wanted)

    async def compensate(self, reserved: Mapping[str, int], ref: str) -> None:
        """Give back the lines of a reservation that failed as a whole. Leaves no ledger trace:
        the reservation never happened."""
        if not reserved:
            return
        batch = WriteBatch(self._db)
        self.add_release(batch, reserved, ref)
        await batch.execute()

    async def release(
        self, lines: Mapping[str, int], ref: str, *, reason: str = "release", actor: str = "system"
    ) -> dict[str, int]:
        """Release what is still held for `ref`; returns what was actually released."""
        return await self._settle("release", lines, ref, reason, actor)

    async def commit(
        self, lines: Mapping[str, int], ref: str, *, reason: str = "sold", actor: str = "system"
    ) -> dict[str, int]:
        return await self._settle("commit", lines, ref, reason, actor)

    async def _settle(self, kind: str, lines: Mapping[str, int], ref: str, reason: str, actor: str) -> dict[str, int]:
        wanted = normalize_lines(lines)
        batch = WriteBatch(self._db)
        add = self.add_release if kind == "release" else self.add_commit
        indexes = add(batch, wanted, ref)
        result = await batch.execute()
        done = applied_lines(result, indexes, wanted)
        await self._record(self.movements(kind, done, ref, reason, actor))
        if kind == "release":
            self.notify_changed(done)
        return done

    async def set_levels(
        self, levels: Mapping[str, int], reason: str, *, actor: str = "system", session: Any = None
    ) -> None:
        """Set absolute available quantities (import, stocktake). Reserved units are untouched."""
        movements: list[Movement] = []
        restocked: list[str] = []
        for sku, level in levels.items():
            if isinstance(level, bool) or not isinstance(level, int) or level < 0:
                raise ValidationFailed("stock level must be a whole number >= 0", details={"sku": sku, "level": level})
            before = await find_one_and_update(
                self._stock,
                {"_id": sku},
                {"$set": {"available": level, "updated_at": utcnow()}, "$setOnInsert": {"reserved": 0}},
                upsert=True,
                return_document=ReturnDocument.BEFORE,
                session=session,
            )
            previous = int((before or {}).get("available") or 0)
            delta = level - previous
            if previous <= 0 < level:
                restocked.append(sku)
            if delta:
                movements.append(
                    Movement(sku=sku, delta_available=delta, delta_reserved=0, reason=reason, actor=actor, kind="set")
                )
        if movements:
            await self._ledger.insert_many([m.to_doc() for m in movements], session=session)
        self.notify_changed(levels)
        if session is None:  # inside a transaction (catalog import) nothing is visible yet
            await self._restocked(restocked)

    async def adjust(self, sku: str, delta: int, reason: str, actor: str, *, ref: str | None = None) -> StockLevel:
        """Add (delivery, return to stock) or remove (damage, loss) available units."""
        if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
            raise ValidationFailed("delta must be a non-zero whole number", details={"sku": sku})
        if not reason.strip():
            raise ValidationFailed("a reason is required for stock adjustments", details={"sku": sku})
        query: dict[str, Any] = {"_id": sku}
        update: dict[str, Any] = {"$inc": {"available": delta}, "$set": {"updated_at": utcnow()}}
        if delta < 0:  # removing: the guard keeps available >= 0
            query["available"] = {"$gte": -delta}
        else:  # adding may create the stock document of a new SKU
            update["$setOnInsert"] = {"reserved": 0}
        after = await find_one_and_update(
            self._stock, query, update, upsert=delta > 0, return_document=ReturnDocument.AFTER
        )
        if after is None:
            level = (await self.get_levels([sku]))[sku]
            raise Conflict(
                "not enough available stock to remove",
                details={"sku": sku, "available": level.available, "delta": delta},
                code="stock_negative",
            )
        await self._record(
            [
                Movement(
                    sku=sku,
                    delta_available=delta,
                    delta_reserved=0,
                    reason=reason.strip(),
                    ref=ref,
                    actor=actor,
                    kind="adjust",
                )
            ]
        )
        self.notify_changed([sku])
        level = StockLevel.from_doc(after)
        if delta > 0 and level.available - delta <= 0 < level.available:
            await self._restocked([sku])
        return level

    async def _record(self, movements: list[Movement]) -> None:
        if not movements:
            return
        batch = WriteBatch(self._db)
        self.add_ledger(batch, movements)
        await batch.execute()  # unordered: a re-recorded reservation movement is a harmless duplicate

    # --- reads -----------------------------------------------------------------------------
    async def get_levels(self, skus: Iterable[str]) -> dict[str, StockLevel]:
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return {}
        found = {
            doc["_id"]: StockLevel.from_doc(doc)
            async for doc in self._stock.find({"_id": {"$in": wanted}}, {"available": 1, "reserved": 1})
        }
        return {sku: found.get(sku, StockLevel(sku)) for sku in wanted}

    async def holds_intact(self, order_id: str, lines: Mapping[str, int]) -> bool:
        """True while every line of the order's reservation (ref = order id) is still held in full,
        i.e. a payment would commit all of it. One read. A missing or different hold means the
        reservation was released (cancel, timeout, staff) and paying now would sell unheld stock."""
        wanted = normalize_lines(lines)
        if not wanted:
            return False
        field = f"holds.{check_ref(order_id)}"
        cursor = self._stock.find({"_id": {"$in": list(wanted)}, field: {"$exists": True}}, {field: 1})
        held = {str(doc["_id"]): int((doc.get("holds") or {}).get(order_id) or 0) async for doc in cursor}
        return all(held.get(sku) == qty for sku, qty in wanted.items())

    async def shortages(self, lines: Mapping[str, int]) -> list[StockShortage]:
        levels = await self.get_levels(lines)
        return [StockShortage(sku, qty, levels[sku].available) for sku, qty in lines.items()]

    async def low_stock(self, threshold: int, limit: int = 100) -> list[StockLevel]:
        cursor = self._stock.find({"available": {"$lte": threshold}}, {"available": 1, "reserved": 1})
        return [StockLevel.from_doc(doc) async for doc in cursor.sort([("available", 1), ("_id", 1)]).limit(limit)]

    async def ledger(self, sku: str | None = None, *, ref: str | None = None, limit: int = 100) -> list[Movement]:
        query: dict[str, Any] = {}
        if sku:
            query["sku"] = sku
        if ref:
            query["ref"] = ref
        cursor = self._ledger.find(query).sort([("at", -1), ("_id", -1)]).limit(limit)
        return [Movement.from_doc(doc) async for doc in cursor]


def applied_lines(result: BatchResult, indexes: Mapping[str, int], lines: Mapping[str, int]) -> dict[str, int]:
    return {sku: lines[sku] for sku, index in indexes.items() if result[index].applied}


def out_of_stock(shortages: list[StockShortage]) -> OutOfStock:
    first = shortages[0]
    return OutOfStock(
        f"only {first.available} of {first.sku} available (requested {first.requested})",
        details={
            "sku": first.sku,
            "available": first.available,
            "requested": first.requested,
            "lines": [s.to_dict() for s in shortages],
        },
    )


def new_ref() -> str:
    return str(ObjectId())
