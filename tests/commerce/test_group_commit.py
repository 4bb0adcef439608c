"""GroupCommit: batches ready at the same moment share one bulkWrite, each keeps its own outcomes."""

import asyncio

import pytest
from pymongo.errors import OperationFailure

from core.batch import BatchResult, GroupCommit, WriteBatch

from .conftest import Counted


async def test_batches_ready_together_share_one_command_and_keep_their_outcomes(counted: Counted) -> None:
    db = counted.db
    await db["things"].insert_many([{"_id": f"doc-{n}", "version": 0} for n in range(5)])
    group = GroupCommit(db)
    batches = []
    for n in range(5):
        batch = WriteBatch(db)
        batch.insert("things", {"_id": f"new-{n}"})
        # Every other guard names a version the document does not have.
        batch.update_one("things", {"_id": f"doc-{n}", "version": 0 if n % 2 == 0 else 7}, {"$inc": {"version": 1}})
        batches.append(batch)
    clash = WriteBatch(db)
    clash.insert("things", {"_id": "doc-0"})
    with counted.counter.measure() as measured:
        results = await asyncio.gather(*(group.execute(b) for b in [*batches, clash]))
    assert measured.commands == ["bulkWrite"]
    assert all(r[0].applied for r in results[:5])
    assert [r[1].applied for r in results[:5]] == [True, False, True, False, True]
    assert results[5][0].duplicate
    versions = {d["_id"]: d["version"] async for d in db["things"].find({"version": {"$exists": True}})}
    assert versions == {"doc-0": 1, "doc-1": 0, "doc-2": 1, "doc-3": 0, "doc-4": 1}


async def test_an_oversized_document_fails_its_own_write_only(counted: Counted) -> None:
    db = counted.db
    group = GroupCommit(db)
    first, fine, oversized = WriteBatch(db), WriteBatch(db), WriteBatch(db)
    first.insert("things", {"_id": "first"})
    fine.insert("things", {"_id": "fine"})
    oversized.insert("things", {"_id": "huge", "blob": "x" * (17 * 1024 * 1024)})
    results = await asyncio.gather(*(group.execute(b) for b in (first, fine, oversized)))
    assert results[0][0].applied
    assert results[1][0].applied
    assert not results[2][0].applied
    assert results[2][0].error_code is not None
    assert {d["_id"] async for d in db["things"].find({}, {"_id": 1})} == {"first", "fine"}


async def test_when_the_shared_command_fails_each_batch_is_sent_alone(
    counted: Counted, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = WriteBatch._execute_bulk

    async def refusing_poison(self: WriteBatch, result: BatchResult, ordered: bool) -> None:
        if any(op.document is not None and op.document.get("_id") == "poison" for op in self._ops):
            raise OperationFailure("the whole command was refused")
        await real(self, result, ordered)

    monkeypatch.setattr(WriteBatch, "_execute_bulk", refusing_poison)
    db = counted.db
    group = GroupCommit(db)
    batches = [WriteBatch(db) for _ in range(3)]
    for batch, key in zip(batches, ("first", "fine", "poison"), strict=True):
        batch.insert("things", {"_id": key})
    results = await asyncio.gather(*(group.execute(b) for b in batches), return_exceptions=True)
    assert isinstance(results[2], OperationFailure)
    for result in results[:2]:
        assert isinstance(result, BatchResult)
        assert result[0].applied
    assert {d["_id"] async for d in db["things"].find({}, {"_id": 1})} == {"first", "fine"}


async def test_an_idle_system_sends_at_once(counted: Counted) -> None:
    group = GroupCommit(counted.db, max_in_flight=2)
    batch = WriteBatch(counted.db)
    batch.insert("things", {"_id": "alone"})
    with counted.counter.measure() as measured:
        result = await asyncio.wait_for(group.execute(batch), timeout=30)
    assert result[0].applied
    assert measured.commands == ["bulkWrite"]


async def test_batches_ready_while_one_is_out_leave_together_next(counted: Counted) -> None:
    group = GroupCommit(counted.db)
    first = WriteBatch(counted.db)
    first.insert("things", {"_id": "first"})
    later = []
    for n in range(4):
        batch = WriteBatch(counted.db)
        batch.insert("things", {"_id": f"later-{n}"})
        later.append(batch)
    with counted.counter.measure() as measured:
        sending = asyncio.ensure_future(group.execute(first))
        while not measured.commands:  # the first batch is on its way
            await asyncio.sleep(0)
        results = await asyncio.gather(sending, *(group.execute(b) for b in later))
    assert measured.commands == ["bulkWrite", "bulkWrite"]
    assert all(r[0].applied for r in results)
