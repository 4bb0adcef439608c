"""Shared fixtures: one real database server for the whole run, a fresh database per test.

With MONGODB_URI set the suite runs against that server; otherwise it launches the
embedded SecantusDB (`secantusd-py --storage-path :memory:`) as a child process.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from pymongo import AsyncMongoClient

from chatcart.database import make_client
from chatcart.embedded_db import EmbeddedMongo
from core.mongo import Database, Document


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    uri = os.environ.get("MONGODB_URI")
    if uri:
        yield uri
        return
    # A throwaway server: no fsync per commit (the durability tests start durable servers).
    with EmbeddedMongo(":memory:", sync_on_commit=False) as server:
        yield server.uri


@pytest.fixture(scope="session")
async def mongo_client(mongo_uri: str) -> AsyncIterator[AsyncMongoClient[Document]]:
    client = make_client(mongo_uri)
    yield client
    await client.close()


@pytest.fixture
async def db(mongo_client: AsyncMongoClient[Document]) -> AsyncIterator[Database]:
    """An empty database of its own for each test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    database = mongo_client[name]
    yield database
    await mongo_client.drop_database(name)
