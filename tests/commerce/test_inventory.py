import asyncio

import pytest

from commerce.errors import Conflict, OutOfStock, ValidationFailed
from commerce.inventory.service import InventoryService
from core.mongo import Database


@pytest.fixture
async def inventory(db: Database) -> InventoryService:
    service = InventoryService(db)
    await service.set_levels({"A": 5, "B": 2}, "initial")
    return service


async def ledger_sums(inventory: InventoryService, sku: str) -> tuple[int, int]:
    entries = await inventory.ledger(sku, limit=1000)
    return sum(e.delta_available for e in entries), sum(e.delta_reserved for e in entries)


async def test_reserve_commit_release_cycle(inventory: InventoryService) -> None:
    await inventory.reserve({"A": 2}, "order1")
    levels = await inventory.get_levels(["A"])
    assert (levels["A"].available, levels["A"].reserved) == (3, 2)

    assert await inventory.commit({"A": 2}, "order1") == {"A": 2}
    levels = await inventory.get_levels(["A"])
    assert (levels["A"].available, levels["A"].reserved) == (3, 0)

    # a committed reservation can neither be committed nor released again
    assert await inventory.commit({"A": 2}, "order1") == {}
    assert await inventory.release({"A": 2}, "order1") == {}
    assert (await inventory.get_levels(["A"]))["A"].available == 3


async def test_release_returns_stock_once(inventory: InventoryService) -> None:
    await inventory.reserve({"A": 4}, "o2")
    assert await inventory.release({"A": 4}, "o2", reason="cancelled") == {"A": 4}
    assert await inventory.release({"A": 4}, "o2", reason="cancelled") == {}
    level = (await inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (5, 0)
    assert await ledger_sums(inventory, "A") == (5, 0)


async def test_multi_line_reservation_is_all_or_nothing(inventory: InventoryService) -> None:
    with pytest.raises(OutOfStock) as caught:
        await inventory.reserve({"A": 1, "B": 3}, "o3")
    assert caught.value.details["sku"] == "B"
    assert caught.value.details["available"] == 2
    assert caught.value.details["requested"] == 3
    levels = await inventory.get_levels(["A", "B"])
    assert (levels["A"].available, levels["A"].reserved) == (5, 0)
    assert (levels["B"].available, levels["B"].reserved) == (2, 0)
    # a failed reservation leaves no ledger trace
    assert await inventory.ledger(ref="o3") == []


async def test_unknown_sku_is_out_of_stock(inventory: InventoryService) -> None:
    with pytest.raises(OutOfStock) as caught:
        await inventory.reserve({"NOPE": 1}, "o4")
    assert caught.value.details["available"] == 0


async def test_same_ref_cannot_reserve_twice(inventory: InventoryService) -> None:
    await inventory.reserve({"A": 1}, "o5")
    with pytest.raises(OutOfStock):
        await inventory.reserve({"A": 1}, "o5")
    assert (await inventory.get_levels(["A"]))["A"].reserved == 1


async def test_concurrent_reservations_never_oversell(inventory: InventoryService) -> None:
    async def buy(i: int) -> bool:
        try:
            await inventory.reserve({"A": 1}, f"c{i}")
            return True
        except OutOfStock:
            return False

    results = await asyncio.gather(*(buy(i) for i in range(20)))
    assert sum(results) == 5
    level = (await inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (0, 5)
    assert await ledger_sums(inventory, "A") == (0, 5)


async def test_adjust_and_negative_guard(inventory: InventoryService) -> None:
    level = await inventory.adjust("A", 10, "delivery", "staff:1")
    assert level.available == 15
    with pytest.raises(Conflict) as caught:
        await inventory.adjust("A", -16, "damaged", "staff:1")
    assert caught.value.code == "stock_negative"
    assert (await inventory.adjust("A", -15, "stocktake", "staff:1")).available == 0
    new = await inventory.adjust("NEW", 3, "first delivery", "staff:1")
    assert (new.available, new.reserved) == (3, 0)
    with pytest.raises(ValidationFailed):
        await inventory.adjust("A", 0, "nothing", "staff:1")
    assert await ledger_sums(inventory, "A") == (0, 0)


async def test_set_levels_records_deltas_and_low_stock(inventory: InventoryService) -> None:
    await inventory.set_levels({"A": 1, "B": 2}, "stocktake")
    entries = await inventory.ledger("A")
    assert entries[0].delta_available == -4
    assert entries[0].reason == "stocktake"
    assert len(await inventory.ledger("B")) == 1  # unchanged level: no new movement
    low = await inventory.low_stock(1)
    assert [s.sku for s in low] == ["A"]
    with pytest.raises(ValidationFailed):
        await inventory.set_levels({"A": -1}, "bad")


async def test_invalid_input_is_refused(inventory: InventoryService) -> None:
    with pytest.raises(ValidationFailed):
        await inventory.reserve({"A": 0}, "o9")
    with pytest.raises(ValidationFailed):
        await inventory.reserve({"A": 1}, "bad.ref")


async def test_holds_intact_follows_the_reservation(inventory: InventoryService) -> None:
    assert not await inventory.holds_intact("o5", {"A": 2, "B": 1})  # nothing reserved yet
    await inventory.reserve({"A": 2, "B": 1}, "o5")
    assert await inventory.holds_intact("o5", {"A": 2, "B": 1})
    assert not await inventory.holds_intact("o5", {"A": 3, "B": 1})  # a different quantity is not this hold
    assert not await inventory.holds_intact("o5", {"A": 2, "B": 1, "C": 1})
    await inventory.release({"B": 1}, "o5")
    assert not await inventory.holds_intact("o5", {"A": 2, "B": 1})
    await inventory.commit({"A": 2}, "o5")
    assert not await inventory.holds_intact("o5", {"A": 2})
    with pytest.raises(ValidationFailed):
        await inventory.holds_intact("bad ref!", {"A": 1})
