from functools import partial

import pytest
from pymongo import ReturnDocument
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from chatcart.embedded_db import EmbeddedDatabaseError, EmbeddedMongo
from core.mongo import Database


async def test_database_answers_and_isolates(db: Database) -> None:
    await db.things.insert_one({"_id": 1})
    assert await db.things.count_documents({}) == 1


async def test_conditional_update_is_atomic(db: Database) -> None:
    await db.stock.insert_one({"_id": "s", "available": 1})
    first = await db.stock.find_one_and_update(
        {"_id": "s", "available": {"$gte": 1}}, {"$inc": {"available": -1}}, return_document=ReturnDocument.AFTER
    )
    second = await db.stock.find_one_and_update({"_id": "s", "available": {"$gte": 1}}, {"$inc": {"available": -1}})
    assert first is not None
    assert first["available"] == 0
    assert second is None


def _increment(things: Collection[dict[str, object]], session: ClientSession) -> None:
    things.update_one({"_id": "t"}, {"$inc": {"n": 1}}, session=session)


def test_embedded_keeps_data_across_restarts(tmp_path: object) -> None:
    from pathlib import Path

    from pymongo import MongoClient

    storage = str(Path(str(tmp_path)) / "db")
    with EmbeddedMongo(storage) as server:
        client: MongoClient[dict[str, object]] = MongoClient(server.uri)
        client.chatcart.kept.insert_one({"_id": "x"})
        client.close()
    with EmbeddedMongo(storage) as server:
        client = MongoClient(server.uri)
        assert client.chatcart.kept.find_one({"_id": "x"}) == {"_id": "x"}
        client.close()


def test_crash_is_reported_clearly(tmp_path: object) -> None:
    import os
    import signal
    from pathlib import Path

    server = EmbeddedMongo(str(Path(str(tmp_path)) / "db"))
    server.start()
    try:
        assert server._process is not None
        os.kill(server._process.pid, signal.SIGKILL)
        server._process.wait()
        report = server.crash_report("crashed")
        assert "exit code -9" in report
        assert not server.running
    finally:
        server.stop()


def test_missing_launcher_is_explained() -> None:
    server = EmbeddedMongo(":memory:", command="definitely-not-secantusd")
    with pytest.raises(EmbeddedDatabaseError, match="MONGODB_URI"):
        server.start()


def test_change_streams_are_opt_in_and_transactions_work_either_way() -> None:
    """Standalone (the default) keeps no oplog: no change streams, but transactions still run
    (core.atomic relies on them); with change_streams=True a watcher sees inserts."""
    from pymongo import MongoClient
    from pymongo.errors import OperationFailure

    for change_streams in (False, True):
        with EmbeddedMongo(":memory:", change_streams=change_streams) as server:
            client: MongoClient[dict[str, object]] = MongoClient(server.uri)
            try:
                things = client.chatcart.things
                things.insert_one({"_id": "t", "n": 0})
                with client.start_session() as session:
                    session.with_transaction(partial(_increment, things))
                assert things.find_one({"_id": "t"}) == {"_id": "t", "n": 1}
                if change_streams:
                    with things.watch([{"$match": {"operationType": "insert"}}]) as stream:
                        things.insert_one({"_id": "u"})
                        change = stream.try_next() or stream.next()
                        assert change["documentKey"] == {"_id": "u"}
                else:
                    with pytest.raises(OperationFailure):
                        things.watch().close()
            finally:
                client.close()
