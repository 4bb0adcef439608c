"""Database round trips of a dialog turn over the real shop, counted with a command listener.

A steady-state turn reads the conversation, does its shop reads, and writes the state together
with the transcript in one command; a product looked at twice in one turn is read once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.bootstrap import build_commerce, build_dialog_engine
from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from commerce.catalog.demo import seed_demo_store
from commerce.services import ensure_all_indexes
from core.mongo import Database, Document
from dialogs.messages import IncomingMessage, Lang
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


# A whole purchase, turn by turn: (message, what it must be understood as, database commands at
# most). Lines starting with "@" press a shown button, "!pay" is the shop side paying (not a turn).
# The budgets are today's counts on the embedded database (a real MongoDB needs fewer: its
# findAndModify is one command); a change that adds round trips to a turn fails here, whatever
# the machine's load. Why each turn costs what it does: docs/benchmarks.md, dialog section.
PURCHASE_ZH: list[tuple[str, str, int]] = [
    ("你好", "greet", 3),  # state read, customer created, turn write
    ("有没有蓝牙耳机", "search_product", 3),  # + one aggregate for the page (the index is in memory)
    ("第一个", "product_info", 3),  # + the product with its stock, read once
    ("黑色的加入购物车", "add_to_cart", 6),  # product (with its stock), cart checked, upsert (2)
    ("购物车", "view_cart", 4),  # the cart with the tier, the snapshots with their stock
    ("结账", "checkout", 4),  # the cart with the saved addresses, its snapshots
    ("张三 13800138000 上海市浦东新区世纪大道100号", "checkout:addr_entry", 6),  # address saved, the cart
    ("@快递", "button:shipping", 2),
    ("不用了", "checkout:coupon", 3),  # the quote (its products were read unchanged before: customer and cart only)
    # snapshots, key claimed with the stock held and number at once; order batch; payment (one
    # write: the order was placed a moment ago, its holds and open payments are not read)
    ("确认", "checkout:confirm", 8),
    ("!pay", "", 0),
    ("我的订单到哪了", "order_status", 5),  # the customer's orders in time windows; the order not read again
]


# The same purchase in English: the search also tries the name the NLU found before showing the
# one hit (the same search is run once per turn), the size is picked in the add itself.
PURCHASE_EN: list[tuple[str, str, int]] = [
    ("hello", "greet", 3),
    ("do you have power banks?", "search_product", 5),  # the page, the one hit whole (+ index refresh when due)
    ("the first one", "product_info", 3),
    ("add the 20000mAh one to my cart", "add_to_cart", 6),  # the product page lends snapshot and stock
    ("checkout", "checkout", 4),
    ("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai", "checkout:addr_entry", 6),
    ("@Express", "button:shipping", 2),
    ("WELCOME10", "checkout:coupon", 6),  # the cart (two), the coupon, the quote (customer and cart)
    ("yes", "checkout:confirm", 8),
    ("!pay", "", 0),
    ("where is my order?", "order_status", 5),
]


@pytest.mark.parametrize(("lang", "script"), [("zh", PURCHASE_ZH), ("en", PURCHASE_EN)])
async def test_a_whole_purchase_stays_within_its_round_trip_budget(
    mongo_uri: str, db: Database, nlu: Any, tmp_path: Path, lang: Lang, script: list[tuple[str, str, int]]
) -> None:
    from bot.terminal.runner import ChatRunner
    from dialogs.shop_adapter import CommerceSandbox

    counter = CommandCounter()
    client: AsyncMongoClient[Document] = make_client(mongo_uri, [counter])
    try:
        counted_db = client[db.name]
        await ensure_all_indexes(counted_db)
        commerce = build_commerce(counted_db, config())
        await seed_demo_store(commerce, tmp_path)
        await commerce.catalog.warm_up()
        engine = build_dialog_engine(commerce=commerce, nlu=nlu, db=counted_db)
        await engine.start()
        turns: list[list[str]] = []
        handle_turn = engine.handle_turn

        async def counted_turn(message: IncomingMessage) -> Any:
            with counter.measure() as measured:
                result = await handle_turn(message)
            turns.append(measured.commands)
            return result

        setattr(engine, "handle_turn", counted_turn)  # noqa: B010 - count the engine's own commands only
        runner = ChatRunner(
            engine, engine.services.shop, CommerceSandbox(commerce), user="budget", lang=lang, dispatch_events=None
        )
        report = []
        over = []
        for line, intent, budget in script:
            output = await runner.run_line(line)
            assert output is not None
            if line.startswith("!"):
                continue
            commands = turns[-1]
            report.append(f"{line!r}: {output.intent} {len(commands)} {commands}")
            assert output.intent == intent, "\n".join(report)  # the script still means what it meant
            if len(commands) > budget:
                over.append(f"{line!r}: {len(commands)} > {budget}")
        assert not over, "\n".join([*over, "", *report])
        order = await commerce.orders.latest_for_customer(str(runner._customer_id))
        assert order is not None
        assert order.status.value == "paid"
    finally:
        await client.close()
