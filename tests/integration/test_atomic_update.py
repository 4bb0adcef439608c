"""`core.atomic.find_one_and_update`: the driver's semantics on every server, and on SecantusDB
no `findAndModify` (it scans the collection there) - with the same atomicity under concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from pymongo import ReturnDocument

from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from core import atomic
from core.atomic import find_one_and_update
from core.mongo import Database


@pytest.fixture(params=["server default", "findAndModify"])
def strategy(request: pytest.FixtureRequest, db: Database) -> Iterator[str]:
    """Run each test with the strategy the server gets, and once more with the plain command."""
    client = db.client
    if request.param == "findAndModify":
        atomic._scans[client] = False
    yield str(request.param)
    atomic._scans.pop(client, None)


async def test_after_and_before_and_guards(db: Database, strategy: str) -> None:
    things = db["things"]
    await things.insert_one({"_id": "a", "status": "new", "n": 1})
    after = await find_one_and_update(
        things,
        {"_id": "a", "status": "new"},
        {"$set": {"status": "paid"}, "$inc": {"n": 1}},
        return_document=ReturnDocument.AFTER,
    )
    assert after == {"_id": "a", "status": "paid", "n": 2}
    assert await find_one_and_update(things, {"_id": "a", "status": "new"}, {"$set": {"status": "x"}}) is None
    before = await find_one_and_update(things, {"_id": "a"}, {"$inc": {"n": 10}})
    assert before == {"_id": "a", "status": "paid", "n": 2}
    assert await things.find_one({"_id": "a"}) == {"_id": "a", "status": "paid", "n": 12}
    assert await find_one_and_update(things, {"_id": "missing"}, {"$set": {"n": 1}}) is None


async def test_upserts_and_pipeline_updates(db: Database, strategy: str) -> None:
    carts = db["carts"]
    created = await find_one_and_update(
        carts,
        {"_id": "c1"},
        [{"$set": {"lines": {"$ifNull": ["$lines", 0]}}}, {"$set": {"lines": {"$add": ["$lines", 1]}}}],
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert created == {"_id": "c1", "lines": 1}
    before = await find_one_and_update(carts, {"_id": "c2"}, {"$set": {"lines": 5}}, upsert=True)
    assert before is None
    assert await carts.find_one({"_id": "c2"}) == {"_id": "c2", "lines": 5}
    projected = await find_one_and_update(
        carts, {"_id": "c2"}, {"$inc": {"lines": 1}}, projection={"_id": 1}, return_document=ReturnDocument.AFTER
    )
    assert projected == {"_id": "c2"}


async def test_claims_by_query_take_the_first_in_sort_order_and_never_the_same_twice(
    db: Database, strategy: str
) -> None:
    jobs = db["jobs"]
    await jobs.create_index([("due", 1)])
    await jobs.insert_many([{"_id": f"j{i}", "due": 100 - i, "owner": None} for i in range(10)])

    async def claim(worker: int) -> str | None:
        doc = await find_one_and_update(
            jobs,
            {"$or": [{"owner": None}, {"owner": {"$exists": False}}]},
            {"$set": {"owner": worker}},
            sort=[("due", 1)],
            return_document=ReturnDocument.AFTER,
        )
        return None if doc is None else str(doc["_id"])

    first = await claim(0)
    assert first == "j9"  # the smallest `due`
    claimed = await asyncio.gather(*(claim(worker) for worker in range(1, 16)))
    taken = [job for job in claimed if job is not None]
    assert sorted(taken) == sorted(f"j{i}" for i in range(9))  # each of the other nine exactly once
    assert claimed.count(None) == 6


async def test_concurrent_increments_each_see_their_own_result(db: Database, strategy: str) -> None:
    counters = db["counters"]
    await counters.insert_one({"_id": "seq", "n": 0})
    values = await asyncio.gather(
        *(
            find_one_and_update(
                counters, {"_id": "seq"}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
            for _ in range(25)
        )
    )
    assert sorted(v["n"] for v in values if v) == list(range(1, 26))


async def test_concurrent_upserts_creating_the_document_each_see_their_own_result(db: Database) -> None:
    # SecantusDB's own findAndModify answers some racing upserts with no document (while applying
    # them); the strategy chatcart uses there must not.
    counters = db["counters"]
    values = await asyncio.gather(
        *(
            find_one_and_update(
                counters, {"_id": "fresh"}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
            for _ in range(25)
        )
    )
    assert sorted(v["n"] for v in values if v) == list(range(1, 26))


async def test_inside_a_callers_transaction(db: Database, strategy: str) -> None:
    stock = db["stock"]
    await stock.insert_one({"_id": "A", "available": 3})
    async with db.client.start_session() as session, await session.start_transaction():
        before = await find_one_and_update(stock, {"_id": "A"}, {"$set": {"available": 9}}, session=session)
        await session.abort_transaction()
    assert before == {"_id": "A", "available": 3}
    assert await stock.find_one({"_id": "A"}) == {"_id": "A", "available": 3}  # rolled back with the caller's


@pytest.fixture
async def counted(mongo_uri: str, db: Database) -> AsyncIterator[tuple[Database, CommandCounter]]:
    counter = CommandCounter()
    client = make_client(mongo_uri, [counter])
    try:
        yield client[db.name], counter
    finally:
        await client.close()


async def test_secantusdb_never_gets_find_and_modify(counted: tuple[Database, CommandCounter]) -> None:
    counted_db, counter = counted
    orders = counted_db["orders"]
    await orders.insert_many([{"_id": f"o{i}", "status": "pending"} for i in range(50)])
    scans = await atomic.scans_on_find_and_modify(orders)
    with counter.measure() as measured:
        doc = await find_one_and_update(
            orders,
            {"_id": "o7", "status": "pending"},
            {"$set": {"status": "paid"}},
            return_document=ReturnDocument.AFTER,
        )
    assert doc == {"_id": "o7", "status": "paid"}
    if scans:
        assert "findAndModify" not in measured.commands
        assert measured.commands == ["update", "find", "commitTransaction"]
    else:
        assert measured.commands == ["findAndModify"]


async def test_current_rather_than_exact_document(db: Database, strategy: str) -> None:
    carts = db["carts"]
    first = await find_one_and_update(
        carts, {"_id": "c"}, {"$inc": {"lines": 1}}, upsert=True, return_document=ReturnDocument.AFTER, exact=False
    )
    again = await find_one_and_update(
        carts, {"_id": "c"}, {"$inc": {"lines": 2}}, upsert=True, return_document=ReturnDocument.AFTER, exact=False
    )
    assert (first, again) == ({"_id": "c", "lines": 1}, {"_id": "c", "lines": 3})
    assert (
        await find_one_and_update(
            carts, {"_id": "gone"}, {"$inc": {"lines": 1}}, exact=False, return_document=ReturnDocument.AFTER
        )
        is None
    )
