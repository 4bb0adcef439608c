"""Conversation state: optimistic concurrency, merging concurrent turns, flow expiry."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta

import pytest

from core.mongo import Database, as_utc, utcnow
from dialogs.state import (
    COLLECTION,
    DIRECTORY,
    DIRECTORY_REFRESH,
    ConcurrentUpdate,
    ConversationState,
    ConversationStore,
)


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


async def _flow_left_two_hours_ago(db: Database, store: ConversationStore, user: str, step: str) -> str:
    """A conversation whose checkout flow (at `step`) was last touched two hours ago; its id."""
    state = await store.load("webchat", user)
    state.start_flow("checkout", step)
    await store.save(state, copy.deepcopy(state.to_doc()))
    await db[COLLECTION].update_one({"_id": state.id}, {"$set": {"updated_at": utcnow() - timedelta(hours=2)}})
    return state.id


async def test_stale_flow_expires(db: Database) -> None:
    store = ConversationStore(db, flow_ttl=timedelta(minutes=30))
    await _flow_left_two_hours_ago(db, store, "u5", "shipping")
    loaded = await store.load("webchat", "u5")
    assert loaded.flow is None
    assert loaded.step is None


async def test_a_new_conversation_is_stored_by_its_first_save_not_by_loading(db: Database) -> None:
    store = ConversationStore(db)
    state = await store.load("telegram", "42", "en")
    assert (state.version, state.stored) == (0, False)
    assert await db[COLLECTION].count_documents({}) == 0
    assert await db[DIRECTORY].count_documents({}) == 0
    original = copy.deepcopy(state.to_doc())
    state.context["product"] = "P1"
    await store.save(state, original)
    stored = await db[COLLECTION].find_one({"_id": "telegram:42"})
    assert stored is not None
    assert (stored["version"], stored["context"], stored["lang"]) == (1, {"product": "P1"}, "en")
    assert state.stored
    entry = await db[DIRECTORY].find_one({"_id": "telegram:42"})
    assert entry is not None
    assert (entry["channel"], entry["channel_user_id"], entry["lang"], entry["handoff"]) == (
        "telegram",
        "42",
        "en",
        {"status": "none"},
    )
    assert "context" not in entry


async def test_two_first_turns_at_once_both_land(db: Database) -> None:
    store = ConversationStore(db)
    first, second = await store.load("telegram", "7"), await store.load("telegram", "7")
    first_original, second_original = copy.deepcopy(first.to_doc()), copy.deepcopy(second.to_doc())
    first.context["product"] = "P1"
    second.slots["coupon"] = "SAVE10"
    await asyncio.gather(store.save(first, first_original), store.save(second, second_original))
    stored = await store.load("telegram", "7")
    assert (stored.context.get("product"), stored.slots.get("coupon"), stored.version) == ("P1", "SAVE10", 2)


async def test_the_turns_other_writes_share_the_state_write(db: Database) -> None:
    store = ConversationStore(db)
    state = await store.load("webchat", "batch")
    original = copy.deepcopy(state.to_doc())
    batch = store.new_batch()
    batch.insert("messages", {"conversation_id": state.id, "text": "hi"})
    state.failures = 1
    await store.save(state, original, batch=batch)
    assert await db["messages"].count_documents({"conversation_id": state.id}) == 1
    assert (await store.load("webchat", "batch")).failures == 1


async def test_a_flow_dropped_for_age_is_also_dropped_in_the_database(db: Database) -> None:
    store = ConversationStore(db, flow_ttl=timedelta(minutes=30))
    key = await _flow_left_two_hours_ago(db, store, "old", "address")
    expired = await store.load("webchat", "old")
    await store.save(expired, copy.deepcopy(expired.to_doc()))  # a turn that changes nothing else
    stored = await db[COLLECTION].find_one({"_id": key})
    assert stored is not None
    assert (stored["flow"], stored["step"]) == (None, None)


async def test_concurrent_loads_of_different_conversations_each_get_their_own(db: Database) -> None:
    store = ConversationStore(db)
    for user in range(5):
        state = await store.load("webchat", f"c{user}")
        state.context["who"] = user
        await store.save(state, copy.deepcopy(state.to_doc()))
    loaded = await asyncio.gather(*(store.load("webchat", f"c{user}") for user in (4, 2, 2, 0, 9)))
    assert [s.context.get("who") for s in loaded] == [4, 2, 2, 0, None]
    loaded[1].context["who"] = "changed"
    assert loaded[2].context["who"] == 2  # the same document twice is two independent copies


async def test_the_directory_is_written_when_its_fields_change_or_its_activity_is_stale(db: Database) -> None:
    store = ConversationStore(db)
    state = await store.load("telegram", "dir")
    await store.save(state, copy.deepcopy(state.to_doc()))
    first = await db[DIRECTORY].find_one({"_id": state.id})
    assert first is not None

    # A turn that changes only turn state leaves the directory alone ...
    state = await store.load("telegram", "dir")
    original = copy.deepcopy(state.to_doc())
    state.context["product"] = "P2"
    await store.save(state, original)
    assert await db[DIRECTORY].find_one({"_id": state.id}) == first

    # ... one that changes the language (or customer, or handoff) writes it ...
    state = await store.load("telegram", "dir")
    original = copy.deepcopy(state.to_doc())
    state.lang = "en"
    await store.save(state, original)
    entry = await db[DIRECTORY].find_one({"_id": state.id})
    assert entry is not None
    assert entry["lang"] == "en"

    # ... and so does any turn once the recorded last activity is older than DIRECTORY_REFRESH.
    stale = utcnow() - DIRECTORY_REFRESH - timedelta(seconds=1)
    await db[COLLECTION].update_one({"_id": state.id}, {"$set": {"directory_at": stale}})
    await db[DIRECTORY].update_one({"_id": state.id}, {"$set": {"updated_at": stale}})
    state = await store.load("telegram", "dir")
    await store.save(state, copy.deepcopy(state.to_doc()))
    entry = await db[DIRECTORY].find_one({"_id": state.id})
    assert entry is not None
    assert as_utc(entry["updated_at"]) > stale + timedelta(seconds=1)


async def test_handoff_changes_from_the_console_reach_state_and_directory(db: Database) -> None:
    store = ConversationStore(db)
    state = await store.load("webchat", "h1")
    state.customer_id = "C1"
    await store.save(state, copy.deepcopy(state.to_doc()))
    taken = await store.update_handoff(state.id, {"status": "waiting", "since": utcnow()}, expect=["none"])
    assert taken is not None
    assert taken.handoff_status == "waiting"
    assert [s.id for s in await store.waiting()] == [state.id]
    assert await store.update_handoff(state.id, {"status": "agent"}, expect=["none"]) is None  # guard holds
    assert [s.id for s in await store.by_customer("C1")] == [state.id]
    await store.reassign_customer("C1", "C2")
    [moved] = await store.by_customer("C2")
    assert (moved.customer_id, moved.handoff_status) == ("C2", "waiting")


async def test_conversations_stored_whole_by_earlier_versions_are_split_once(db: Database) -> None:
    legacy = ConversationState(
        id="telegram:9",
        channel="telegram",
        channel_user_id="9",
        customer_id="C9",
        lang="en",
        flow="checkout",
        step="address",
        version=4,
    ).to_doc()
    legacy.pop("directory_at")
    await db[DIRECTORY].insert_one(legacy)
    store = ConversationStore(db)
    await store.migrate()
    await store.migrate()  # a second start does nothing
    state = await store.get("telegram:9")
    assert state is not None
    assert (state.flow, state.step, state.version, state.customer_id) == ("checkout", "address", 4, "C9")
    entry = await db[DIRECTORY].find_one({"_id": "telegram:9"})
    assert entry is not None
    assert ("flow" in entry, "version" in entry, entry["customer_id"]) == (False, False, "C9")
