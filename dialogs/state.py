"""Per-conversation dialog state in MongoDB, with optimistic concurrency.

Two collections:
- `conversation_states`: the whole state a turn reads and writes (flow, slots, context, ...),
  keyed by conversation id and nothing else. Every turn rewrites it.
- `conversations`: the directory the console and admin pages query - channel, customer,
  language, handoff, last activity - with the indexes those queries need. A turn writes it only
  when one of those fields changed, or when its `updated_at` is older than DIRECTORY_REFRESH.
  Kept apart because every index entry of a document is rewritten with each write of it (on
  SecantusDB even when the key is unchanged): three secondary indexes rewritten on every turn
  cost about as much as the rest of the turn's write.

Every save is a conditional update on `version`. When another turn saved first (two
messages at once, or two bot processes), the save re-reads the stored document, applies
only the fields *this* turn changed on top of it (a three-way merge, so the other turn's
changes survive) and tries again. A turn's commerce side effects are therefore never
repeated, and the stored state is never a torn mix of two writes.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.atomic import find_one_and_update
from core.batch import GroupCommit, WriteBatch
from core.coalesce import Coalescer
from core.mongo import (
    CollectionIndexes,
    Database,
    Document,
    as_utc,
    mark_migration_done,
    migration_done,
    utcnow,
)
from dialogs.messages import Lang

COLLECTION = "conversation_states"
DIRECTORY = "conversations"
# The directory's copy of the state's fields (plus updated_at, the last activity it records).
DIRECTORY_FIELDS = ("channel", "channel_user_id", "customer_id", "lang", "handoff", "created_at")
DIRECTORY_REFRESH = timedelta(minutes=5)  # how far the directory's last activity may lag behind
INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(
        DIRECTORY,
        [
            IndexModel([("customer_id", ASCENDING)], name="customer"),
            IndexModel([("handoff.status", ASCENDING), ("handoff.since", ASCENDING)], name="handoff_queue"),
            IndexModel([("updated_at", ASCENDING)], name="updated"),
        ],
    )
]

HandoffStatus = Literal["none", "waiting", "agent"]


class ConcurrentUpdate(RuntimeError):
    """The conversation kept changing under us; the caller may retry the whole turn."""


@dataclass
class ConversationState:
    id: str
    channel: str
    channel_user_id: str
    customer_id: str | None = None
    lang: Lang = "zh"
    lang_locked: bool = False  # chosen with /lang: stop guessing from each message
    flow: str | None = None  # "checkout", "aftersales", ...
    step: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    suspended: list[dict[str, Any]] = field(default_factory=list)  # interrupted flows to return to
    context: dict[str, Any] = field(default_factory=dict)  # last results, product, search, order
    buttons: list[dict[str, str]] = field(default_factory=list)  # last shown, for "type the number"
    failures: int = 0
    handoff: dict[str, Any] = field(default_factory=lambda: {"status": "none"})
    version: int = 0
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    directory_at: datetime | None = None  # when the `conversations` directory entry was last written
    stored: bool = True  # False until the first save of a new conversation (not persisted)

    # --- flow helpers ------------------------------------------------------------------------
    def start_flow(self, flow: str, step: str, slots: dict[str, Any] | None = None) -> None:
        self.flow, self.step, self.slots = flow, step, dict(slots or {})

    def end_flow(self) -> None:
        self.flow, self.step, self.slots = None, None, {}

    def suspend_flow(self) -> None:
        """Put the current flow aside (the customer asked something else) to resume later."""
        if self.flow:
            self.suspended = [*self.suspended[-2:], {"flow": self.flow, "step": self.step, "slots": self.slots}]
            self.end_flow()

    def resume_flow(self) -> bool:
        if not self.suspended:
            return False
        top = self.suspended[-1]
        self.suspended = self.suspended[:-1]
        self.flow, self.step, self.slots = top["flow"], top["step"], dict(top["slots"])
        return True

    @property
    def handoff_status(self) -> HandoffStatus:
        status = self.handoff.get("status", "none")
        return status if status in ("waiting", "agent") else "none"

    # --- persistence ------------------------------------------------------------------------
    def to_doc(self) -> Document:
        return {
            "_id": self.id,
            "channel": self.channel,
            "channel_user_id": self.channel_user_id,
            "customer_id": self.customer_id,
            "lang": self.lang,
            "lang_locked": self.lang_locked,
            "flow": self.flow,
            "step": self.step,
            "slots": self.slots,
            "suspended": self.suspended,
            "context": self.context,
            "buttons": self.buttons,
            "failures": self.failures,
            "handoff": self.handoff,
            "version": self.version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "directory_at": self.directory_at,
        }

    @classmethod
    def from_doc(cls, doc: Document) -> ConversationState:
        lang = doc.get("lang")
        return cls(
            id=doc["_id"],
            channel=doc["channel"],
            channel_user_id=doc["channel_user_id"],
            customer_id=doc.get("customer_id"),
            lang=lang if lang in ("zh", "en") else "zh",
            lang_locked=bool(doc.get("lang_locked")),
            flow=doc.get("flow"),
            step=doc.get("step"),
            slots=doc.get("slots") or {},
            suspended=doc.get("suspended") or [],
            context=doc.get("context") or {},
            buttons=doc.get("buttons") or [],
            failures=int(doc.get("failures") or 0),
            handoff=doc.get("handoff") or {"status": "none"},
            version=int(doc.get("version") or 0),
            created_at=as_utc(doc.get("created_at") or utcnow()),
            updated_at=as_utc(doc.get("updated_at") or utcnow()),
            directory_at=as_utc(doc["directory_at"]) if isinstance(doc.get("directory_at"), datetime) else None,
        )


def conversation_id(channel: str, channel_user_id: str) -> str:
    return f"{channel}:{channel_user_id}"


# Fields a turn may change; version/timestamps are managed by the store.
_MERGED_FIELDS = (
    "customer_id",
    "lang",
    "lang_locked",
    "flow",
    "step",
    "slots",
    "suspended",
    "context",
    "buttons",
    "failures",
    "handoff",
)


class ConversationStore:
    def __init__(self, db: Database, *, flow_ttl: timedelta = timedelta(minutes=30), max_retries: int = 8):
        self.collection = db[COLLECTION]
        self.directory = db[DIRECTORY]
        self.flow_ttl = flow_ttl
        self.max_retries = max_retries
        # Conversations loaded at the same moment are read with one query (group commit).
        self._read = Coalescer(self._read_many)
        # Turns finishing together are written together: one bulkWrite for all of them (group
        # commit). Two in flight, so a turn never waits for more than the write before it.
        self._write = GroupCommit(db, max_in_flight=2)

    def new_batch(self) -> WriteBatch:
        """A batch for a turn's other writes; `save` adds the state write and sends them together."""
        return WriteBatch(self.collection.database)

    async def _read_many(self, keys: list[str]) -> list[Document | None]:
        if len(keys) == 1:
            return [await self.collection.find_one({"_id": keys[0]})]
        found = {doc["_id"]: doc async for doc in self.collection.find({"_id": {"$in": list(set(keys))}})}
        return [copy.deepcopy(found.get(key)) if keys.count(key) > 1 else found.get(key) for key in keys]

    async def load(self, channel: str, channel_user_id: str, default_lang: Lang = "zh") -> ConversationState:
        """The conversation of this channel user; a new one (version 0) on first contact, stored
        by its first `save` - so a first message costs no extra round trip.

        A flow left unfinished for longer than `flow_ttl` is dropped on load (the customer
        has moved on; resuming a half-done checkout an hour later confuses more than helps).
        """
        key = conversation_id(channel, channel_user_id)
        doc = await self._read(key)
        if doc is None:
            return ConversationState(
                id=key, channel=channel, channel_user_id=channel_user_id, lang=default_lang, stored=False
            )
        state = ConversationState.from_doc(doc)
        if (state.flow or state.suspended) and utcnow() - state.updated_at > self.flow_ttl:
            state.end_flow()
            state.suspended = []
            state.failures = 0
        return state

    async def get(self, key: str) -> ConversationState | None:
        doc = await self.collection.find_one({"_id": key})
        return ConversationState.from_doc(doc) if doc else None

    async def save(
        self, state: ConversationState, original: Document | None = None, *, batch: WriteBatch | None = None
    ) -> ConversationState:
        """Store `state` if nobody else changed it since it was loaded; otherwise merge and retry.

        `original` is `state.to_doc()` as loaded; without it a conflict raises ConcurrentUpdate.
        `batch` holds the turn's other writes (its transcript): they go to the database in the
        same round trip as the first attempt, with the directory entry when that is due (and
        with the writes of other turns finishing at that moment: group commit). The
        write is a guarded update (or the insert of a new conversation), never findAndModify: on
        the embedded SecantusDB that command scans the whole collection, and the new version is
        known without reading it back.
        """
        mine = state.to_doc()
        expected = state.version
        stored = state.stored
        directory_due = original is None
        for _ in range(self.max_retries):
            now = utcnow()
            writes = batch if batch is not None else self.new_batch()
            batch = None
            directory_due = directory_due or not stored or _directory_changed(original, mine, now)
            if directory_due:
                mine["directory_at"] = now
                writes.update_one(DIRECTORY, {"_id": state.id}, _directory_update(mine, now), upsert=True)
            if not stored:  # the first turn creates it (a racing first turn -> duplicate key)
                index = writes.insert(COLLECTION, {**mine, "version": expected + 1, "updated_at": now})
            else:
                fields = {name: mine.get(name) for name in _MERGED_FIELDS}
                update: Document = {**fields, "version": expected + 1, "updated_at": now}
                if directory_due:
                    update["directory_at"] = now
                index = writes.update_one(COLLECTION, {"_id": state.id, "version": expected}, {"$set": update})
            outcome = (await self._write.execute(writes))[index]
            if outcome.applied:
                state.version, state.updated_at, state.stored = expected + 1, now, True
                state.directory_at = mine.get("directory_at")
                return ConversationState.from_doc({**mine, "version": expected + 1, "updated_at": now})
            if not outcome.duplicate and outcome.error_code is not None:
                raise RuntimeError(f"saving conversation {state.id} failed: {outcome.error_message}")
            if original is None:
                raise ConcurrentUpdate(state.id)
            theirs = await self.collection.find_one({"_id": state.id})
            if theirs is None:
                raise ConcurrentUpdate(state.id)
            mine = _three_way_merge(original, mine, theirs)
            original = copy.deepcopy(theirs)
            expected = int(theirs.get("version") or 0)
            stored = True
            # `directory_due` stays set: a directory write of the lost attempt may have landed
            # after the winner's, so the retry writes the merged entry again.
        raise ConcurrentUpdate(state.id)

    async def update_handoff(
        self, key: str, handoff: dict[str, Any], *, expect: list[str] | None = None, agent_id: str | None = None
    ) -> ConversationState | None:
        """Atomically set the handoff part (agent console actions), guarded by its current status;
        then the directory's copy, which the console's queue reads."""
        query: Document = {"_id": key}
        if expect is not None:
            query["handoff.status"] = {"$in": expect}
        if agent_id is not None:
            query["handoff.agent_id"] = agent_id
        now = utcnow()
        doc = await find_one_and_update(
            self.collection,
            query,
            {"$set": {"handoff": handoff, "updated_at": now, "directory_at": now}, "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return None
        state = ConversationState.from_doc(doc)
        await self._write_directory(state, now)
        return state

    async def _write_directory(self, state: ConversationState, now: datetime) -> None:
        await self.directory.update_one({"_id": state.id}, _directory_update(state.to_doc(), now), upsert=True)

    async def _states(self, keys: list[str]) -> list[ConversationState]:
        """The states of `keys` (directory order), skipping any without one."""
        if not keys:
            return []
        found = {doc["_id"]: doc async for doc in self.collection.find({"_id": {"$in": keys}})}
        return [ConversationState.from_doc(found[key]) for key in keys if key in found]

    async def waiting(self, limit: int = 100) -> list[ConversationState]:
        cursor = self.directory.find({"handoff.status": "waiting"}, {"_id": 1}).sort("handoff.since", ASCENDING)
        return await self._states([doc["_id"] async for doc in cursor.limit(limit)])

    async def by_customer(self, customer_id: str) -> list[ConversationState]:
        """The customer's conversations, most recently active first."""
        cursor = self.directory.find({"customer_id": customer_id}, {"_id": 1}).sort("updated_at", -1)
        return await self._states([doc["_id"] async for doc in cursor])

    async def reassign_customer(self, old: str, new: str) -> None:
        """Conversations of a customer merged away belong to the survivor (version bumped, so a
        turn saving at that moment merges it in)."""
        keys = [doc["_id"] async for doc in self.directory.find({"customer_id": old}, {"_id": 1})]
        if not keys:
            return
        await self.collection.update_many(
            {"_id": {"$in": keys}}, {"$set": {"customer_id": new}, "$inc": {"version": 1}}
        )
        await self.directory.update_many({"customer_id": old}, {"$set": {"customer_id": new}})

    async def migrate(self) -> None:
        """Once per database: split conversations stored whole by earlier versions into state and
        directory entry (the state gets everything, the directory drops what is not its own)."""
        db = self.collection.database
        if await migration_done(db, COLLECTION):
            return
        state_only = {name: "" for name in (*_MERGED_FIELDS, "version", "directory_at") if name not in DIRECTORY_FIELDS}
        async for doc in self.directory.find({"version": {"$exists": True}}):
            with contextlib.suppress(DuplicateKeyError):  # an earlier, interrupted run got this far
                await self.collection.insert_one(doc)
            await self.directory.update_one({"_id": doc["_id"]}, {"$unset": state_only})
        await mark_migration_done(db, COLLECTION)


def _directory_update(state: Document, now: datetime) -> Document:
    """The write that makes a conversation's directory entry match its state, active `now`."""
    return {"$set": {**{name: state.get(name) for name in DIRECTORY_FIELDS}, "updated_at": now}}


def _directory_changed(original: Document | None, mine: Document, now: datetime) -> bool:
    """The directory entry needs writing: a field it holds changed, or its last activity is stale."""
    if original is None:
        return True
    if any(original.get(name) != mine.get(name) for name in DIRECTORY_FIELDS):
        return True
    written = mine.get("directory_at")
    return not isinstance(written, datetime) or now - as_utc(written) >= DIRECTORY_REFRESH


def _three_way_merge(original: Document, mine: Document, theirs: Document) -> Document:
    """Apply the top-level fields (and individual slot/context keys) I changed onto theirs."""
    merged = copy.deepcopy(theirs)
    for name in _MERGED_FIELDS:
        before, after = original.get(name), mine.get(name)
        if before == after:
            continue
        if name in ("slots", "context") and isinstance(before, dict) and isinstance(after, dict):
            target = dict(merged.get(name) or {})
            for key in set(before) | set(after):
                if before.get(key) != after.get(key):
                    if key in after:
                        target[key] = after[key]
                    else:
                        target.pop(key, None)
            merged[name] = target
        else:
            merged[name] = after
    return merged
