"""Conversation state: optimistic concurrency, merging concurrent turns, flow expiry."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta

import pytest

from commerce.mongo import Database, utcnow
from dialogs.state import ConcurrentUpdate, ConversationStore


async def test_first_load_creates_and_save_bumps_version(db: Database) -> None:
    store = ConversationStore(db)
    state = await store.load("webchat", "u1", "en")
    assert state.version == 0
    assert state.lang == "en"
    state.start_flow("checkout", "address")
    saved = await store.save(state, copy.deepcopy(state.to_doc()))
    assert saved.version == 1
    again = await store.load("webchat", "u1")
    assert (again.flow, again.step, again.version) == ("checkout", "address", 1)


async def test_concurrent_turns_merge_instead_of_overwriting(db: Database) -> None:
    store = ConversationStore(db)
    first = await store.load("webchat", "u2")
    first_original = copy.deepcopy(first.to_doc())
    second = await store.load("webchat", "u2")
    second_original = copy.deepcopy(second.to_doc())
    first.context["product"] = "P1"
    second.slots["coupon"] = "SAVE10"
    second.failures = 1
    await store.save(first, first_original)
    await store.save(second, second_original)  # conflicts, merges its own changes on top
    stored = await store.load("webchat", "u2")
    assert stored.context["product"] == "P1"
    assert stored.slots["coupon"] == "SAVE10"
    assert stored.failures == 1
    assert stored.version == 2


async def test_conflict_without_original_is_reported(db: Database) -> None:
    store = ConversationStore(db)
    a = await store.load("webchat", "u3")
    b = await store.load("webchat", "u3")
    await store.save(a, copy.deepcopy(a.to_doc()))
    with pytest.raises(ConcurrentUpdate):
        await store.save(b)


async def test_many_parallel_saves_never_lose_an_update(db: Database) -> None:
    store = ConversationStore(db)
    await store.load("webchat", "u4")

    async def bump(index: int) -> None:
        state = await store.load("webchat", "u4")
        original = copy.deepcopy(state.to_doc())
        state.context[f"k{index}"] = index
        await store.save(state, original)

    await asyncio.gather(*(bump(i) for i in range(6)))
    stored = await store.load("webchat", "u4")
    assert {f"k{i}" for i in range(6)} <= set(stored.context)
    assert stored.version == 6


async def test_stale_flow_expires(db: Database) -> None:
    store = ConversationStore(db, flow_ttl=timedelta(minutes=30))
    state = await store.load("webchat", "u5")
    state.start_flow("checkout", "shipping")
    await store.save(state, copy.deepcopy(state.to_doc()))
    await db["conversations"].update_one({"_id": state.id}, {"$set": {"updated_at": utcnow() - timedelta(hours=2)}})
    loaded = await store.load("webchat", "u5")
    assert loaded.flow is None
    assert loaded.step is None
