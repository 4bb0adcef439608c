"""Database commands per catalog call, counted with a PyMongo CommandListener on a dedicated client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from chatcart.database import make_client
from commerce.catalog import CatalogService, SearchQuery
from commerce.catalog.demo import demo_store_data
from core.mongo import Database, Document
from tests.catalog.conftest import FakeStock


class CommandCounter(CommandListener):
    def __init__(self) -> None:
        self.commands: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name not in {"endSessions", "hello", "isMaster", "ismaster"}:
            self.commands.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def counted(mongo_uri: str, db: Database) -> AsyncIterator[tuple[CatalogService, CommandCounter]]:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = make_client(mongo_uri, [counter])
    try:
        stock = FakeStock(client[db.name])
        catalog = CatalogService(client[db.name], set_stock=stock.set_levels, vocabulary_refresh_seconds=0)
        assert (await catalog.import_catalog(demo_store_data())).ok
        counter.commands.clear()
        yield catalog, counter
    finally:
        await client.close()


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="耳机"),
        SearchQuery(text="headphnes", in_stock=True, sort="price_asc"),
        SearchQuery(text="black headphones", category="digital", brand="Sonora", page=2, limit=1),
        SearchQuery(category="digital", tag="hot", sort="sales"),
        SearchQuery(),
    ],
    ids=["zh", "typo+in_stock", "filters", "browse", "everything"],
)
async def test_search_uses_at_most_two_commands(
    counted: tuple[CatalogService, CommandCounter], query: SearchQuery
) -> None:
    catalog, counter = counted
    page = await catalog.search(query)
    assert page.total > 0
    assert len(counter.commands) <= 2, counter.commands
    assert counter.commands[-1] == "aggregate"


async def test_sku_snapshots_take_one_round_trip(counted: tuple[CatalogService, CommandCounter]) -> None:
    catalog, counter = counted
    snapshots = await catalog.get_sku_snapshots(["P100-01", "P200-03", "P500-02", "NOPE"])
    assert set(snapshots) == {"P100-01", "P200-03", "P500-02"}
    assert counter.commands == ["find"]


async def test_record_sales_is_one_command(counted: tuple[CatalogService, CommandCounter]) -> None:
    catalog, counter = counted
    await catalog.record_sales({"P100-01": 1, "P100-02": 2, "P200-01": 1})
    assert counter.commands == ["update"]
