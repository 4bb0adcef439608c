"""Database round trips of a dialog turn over the real shop, counted with a command listener.

A steady-state turn reads the conversation, does its shop reads, and writes the state together
with the transcript in one command; a product looked at twice in one turn is read once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from chatcart.bootstrap import build_commerce, build_dialog_engine
from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from commerce.catalog.demo import seed_demo_store
from commerce.services import ensure_all_indexes
from core.mongo import Database, Document
from dialogs.messages import IncomingMessage
from tests.commerce.conftest import config


async def test_turn_round_trips(mongo_uri: str, db: Database, nlu: Any, tmp_path: Path) -> None:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = make_client(mongo_uri, [counter])
    try:
        counted_db = client[db.name]
        await ensure_all_indexes(counted_db)
        commerce = build_commerce(counted_db, config())
        await seed_demo_store(commerce, tmp_path)
        await commerce.catalog.warm_up()  # the search index loads once per process
        engine = build_dialog_engine(commerce=commerce, nlu=nlu, db=counted_db)
        await engine.start()

        async def turn(text: str) -> list[str]:
            with counter.measure() as measured:
                await engine.handle(IncomingMessage.from_text("telegram", "42", text, "en"))
            return measured.commands

        first = await turn("hello")
        assert first.count("bulkWrite") == 1  # the new conversation and its transcript, together
        assert first.count("insert") == 1  # the customer; the conversation is created by the turn write
        assert len(first) <= 3, first  # conversation read, customer creation (inserted first), turn write

        search = await turn("show me headphones")
        assert search == ["find", "aggregate", "bulkWrite"]

        pick = await turn("the first one")
        # The list entry and its detail card are the same product: one read, not two.
        assert pick.count("aggregate") == 1
        assert len(pick) == 3

        # Another request while a product is on screen: its options as shown tell it is not a spec
        # choice, so the product is not read again just to find that out.
        question = await turn("help")
        assert "aggregate" not in question

        spec = await turn("black")  # a spec of it: then the product is read (stock, variants)
        assert spec.count("aggregate") == 1

        cart = await turn("/cart")
        assert len(cart) == 3
    finally:
        await client.close()
