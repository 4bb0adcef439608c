"""Several writes to several collections in ONE database round trip, with a result per write.

The MongoDB 8 `bulkWrite` command (pymongo `AsyncMongoClient.bulk_write`) takes inserts and
conditional updates for any collections and, with verbose results, says which of them matched.
Checkout and payment handling rely on it to stay within a fixed number of round trips: e.g.
"reserve these three SKUs and redeem this coupon" is one command, and the caller then sees
exactly which guards failed and compensates only those.

Each write is still individually atomic (no transaction across them) - callers design their
writes as guarded, idempotent steps. Servers older than MongoDB 8.0 get the same semantics
one command per write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from pymongo import DeleteOne, InsertOne, UpdateMany, UpdateOne
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, InvalidOperation, OperationFailure
from pymongo.results import ClientBulkWriteResult

from core.coalesce import Coalescer
from core.logging_setup import get_logger
from core.mongo import Database, Document, UpdateSpec, update_document

WriteModel = InsertOne[Document] | UpdateOne | UpdateMany | DeleteOne
DUPLICATE_KEY = 11000
log = get_logger("core.batch")


@dataclass
class WriteOutcome:
    executed: bool = False
    matched: int = 0
    modified: int = 0
    upserted: bool = False
    error_code: int | None = None
    error_message: str = ""

    @property
    def ok(self) -> bool:
        return self.executed and self.error_code is None

    @property
    def applied(self) -> bool:
        """The write changed something: an insert went in, or an update's guard matched."""
        return self.ok and (self.matched > 0 or self.upserted or self.modified > 0)

    @property
    def duplicate(self) -> bool:
        return self.error_code == DUPLICATE_KEY


@dataclass
class BatchResult:
    outcomes: list[WriteOutcome] = field(default_factory=list)

    def __getitem__(self, index: int) -> WriteOutcome:
        return self.outcomes[index]


@dataclass
class _Op:
    kind: str  # insert | update_one | update_many | delete_one
    collection: str
    document: Document | None = None
    filter: Document | None = None
    update: Document | list[Document] | None = None
    upsert: bool = False


class WriteBatch:
    """Collects writes; `execute()` sends them as one command. Indexes returned by the adders
    identify each write's outcome in the result."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._ops: list[_Op] = []

    def __len__(self) -> int:
        return len(self._ops)

    def insert(self, collection: str, document: Document) -> int:
        self._ops.append(_Op("insert", collection, document=document))
        return len(self._ops) - 1

    def update_one(
        self,
        collection: str,
        filter: Mapping[str, Any],
        update: UpdateSpec,
        *,
        upsert: bool = False,
    ) -> int:
        op = _Op("update_one", collection, filter=dict(filter), update=update_document(update), upsert=upsert)
        self._ops.append(op)
        return len(self._ops) - 1

    def update_many(self, collection: str, filter: Mapping[str, Any], update: Mapping[str, Any]) -> int:
        self._ops.append(_Op("update_many", collection, filter=dict(filter), update=dict(update)))
        return len(self._ops) - 1

    def delete_one(self, collection: str, filter: Mapping[str, Any]) -> int:
        self._ops.append(_Op("delete_one", collection, filter=dict(filter)))
        return len(self._ops) - 1

    async def execute(self, *, ordered: bool = False) -> BatchResult:
        """Run every collected write; with `ordered`, writes after a failed one are skipped."""
        result = BatchResult([WriteOutcome() for _ in self._ops])
        if not self._ops:
            return result
        try:
            await self._execute_bulk(result, ordered)
        except InvalidOperation as exc:
            if "8.0" not in str(exc):
                raise
            await self._execute_one_by_one(result, ordered)
        return result

    # --- one command (MongoDB 8 bulkWrite) ---------------------------------------------------
    def _models(self) -> list[WriteModel]:
        prefix = self._db.name + "."
        models: list[WriteModel] = []
        for op in self._ops:
            namespace = prefix + op.collection
            if op.kind == "insert":
                assert op.document is not None
                models.append(InsertOne(op.document, namespace=namespace))
            elif op.kind == "update_one":
                assert op.filter is not None
                assert op.update is not None
                models.append(UpdateOne(op.filter, op.update, upsert=op.upsert, namespace=namespace))
            elif op.kind == "update_many":
                assert op.filter is not None
                assert op.update is not None
                models.append(UpdateMany(op.filter, op.update, namespace=namespace))
            else:
                assert op.filter is not None
                models.append(DeleteOne(op.filter, namespace=namespace))
        return models

    async def _execute_bulk(self, result: BatchResult, ordered: bool) -> None:
        client = self._db.client
        try:
            raw = await client.bulk_write(self._models(), ordered=ordered, verbose_results=True)
            failed: dict[int, Mapping[str, Any]] = {}
        except ClientBulkWriteException as exc:
            if exc.error is not None or not exc.write_errors:
                raise
            # Write errors only (a duplicate key...): the other writes' results are still valid.
            # `partial_result` is None when no write succeeded, so read the details directly.
            raw = ClientBulkWriteResult(dict(exc.details or {}), acknowledged=True, has_verbose_results=True)
            failed = {int(error["idx"]): dict(error) for error in cast(list[Mapping[str, Any]], exc.write_errors or [])}
        inserts = raw.insert_results if raw.has_verbose_results else {}
        updates = raw.update_results if raw.has_verbose_results else {}
        deletes = raw.delete_results if raw.has_verbose_results else {}
        for index, outcome in enumerate(result.outcomes):
            if index in failed:
                outcome.executed = True
                outcome.error_code = int(failed[index].get("code", 0))
                outcome.error_message = str(failed[index].get("errmsg", ""))
            elif index in inserts:
                outcome.executed, outcome.matched = True, 1
            elif index in updates:
                update = updates[index]
                outcome.executed = True
                outcome.matched, outcome.modified = update.matched_count, update.modified_count
                outcome.upserted = update.upserted_id is not None
            elif index in deletes:
                outcome.executed, outcome.matched = True, deletes[index].deleted_count

    # --- fallback: one command per write (servers before MongoDB 8.0) ------------------------
    async def _execute_one_by_one(self, result: BatchResult, ordered: bool) -> None:
        for op, outcome in zip(self._ops, result.outcomes, strict=True):
            collection = self._db[op.collection]
            outcome.executed = True
            try:
                if op.kind == "insert":
                    assert op.document is not None
                    await collection.insert_one(op.document)
                    outcome.matched = 1
                elif op.kind in ("update_one", "update_many"):
                    assert op.filter is not None
                    assert op.update is not None
                    method = collection.update_one if op.kind == "update_one" else collection.update_many
                    done = await method(op.filter, op.update, upsert=op.upsert)
                    outcome.matched, outcome.modified = done.matched_count, done.modified_count
                    outcome.upserted = done.upserted_id is not None
                else:
                    assert op.filter is not None
                    outcome.matched = (await collection.delete_one(op.filter)).deleted_count
            except DuplicateKeyError as exc:
                outcome.error_code, outcome.error_message = DUPLICATE_KEY, str(exc)
            except OperationFailure as exc:
                outcome.error_code, outcome.error_message = int(exc.code or 0), str(exc)
            if ordered and outcome.error_code is not None:
                break


class GroupCommit:
    """Unordered batches that are ready while another is being written leave together, as one
    `bulkWrite`: under load many conversations finish a turn at the same moment, and each
    command has fixed costs (the driver's per-command work, the server's dispatch) that one
    shared command pays once. An idle system pays no delay (see `Coalescer`). Writes of
    different batches must not depend on each other (they are unordered, each one guarded).

    When the shared command fails as a whole (not a write error of one of its writes: those
    are reported per write), each batch is retried on its own, so one batch that cannot be
    sent (a document over the size limit, say) fails alone."""

    def __init__(self, db: Database, *, max_batches: int = 32, max_in_flight: int = 1) -> None:
        self._db = db
        self._coalescer: Coalescer[WriteBatch, BatchResult | Exception] = Coalescer(
            self._execute_together, max_batch=max_batches, max_in_flight=max_in_flight
        )

    async def execute(self, batch: WriteBatch) -> BatchResult:
        result = await self._coalescer(batch)
        if isinstance(result, Exception):
            raise result
        return result

    async def _execute_together(self, batches: list[WriteBatch]) -> list[BatchResult | Exception]:
        if len(batches) > 1:
            together = WriteBatch(self._db)
            for batch in batches:
                together._ops.extend(batch._ops)
            try:
                outcomes = (await together.execute()).outcomes
            except Exception as exc:  # each write is guarded, so sending a batch again is safe
                log.warning("batch.group_commit_failed", batches=len(batches), error=type(exc).__name__)
            else:
                results: list[BatchResult | Exception] = []
                start = 0
                for batch in batches:
                    results.append(BatchResult(outcomes[start : start + len(batch)]))
                    start += len(batch)
                return results
        alone: list[BatchResult | Exception] = []
        for batch in batches:
            try:
                alone.append(await batch.execute())
            except Exception as exc:  # handed to that batch's caller
                alone.append(exc)
        return alone
