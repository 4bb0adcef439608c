import pytest
from pymongo import ReturnDocument

from chatcart.embedded_db import EmbeddedDatabaseError, EmbeddedMongo
from commerce.mongo import Database


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
