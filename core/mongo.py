"""Small shared helpers for the MongoDB repositories (adapters) of every layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
# An update document ({"$set": ...}) or an aggregation-pipeline update ([{"$set": ...}, ...]).
UpdateSpec = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def update_document(update: UpdateSpec) -> Document | list[Document]:
    """The update as plain dicts, the shape the driver's write models take."""
    if isinstance(update, Mapping):
        return dict(update)
    return [dict(stage) for stage in update]


def utcnow() -> datetime:
    """Timezone-aware now, truncated to milliseconds (BSON dates keep milliseconds)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def as_utc(value: datetime) -> datetime:
    """BSON dates come back naive (UTC) unless the client is tz-aware; normalise."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# One document per one-time data migration that has run on this database (`_id` = its name).
MIGRATIONS = "schema_migrations"


async def migration_done(db: Database, name: str) -> bool:
    return await db[MIGRATIONS].find_one({"_id": name}, {"_id": 1}) is not None


async def mark_migration_done(db: Database, name: str) -> None:
    """Idempotent: two processes finishing the same migration at once both succeed."""
    await db[MIGRATIONS].update_one({"_id": name}, {"$setOnInsert": {"at": utcnow()}}, upsert=True)


@dataclass(frozen=True)
class CollectionIndexes:
    collection: str
    indexes: list[IndexModel] = field(default_factory=list)
    # Names of indexes earlier versions created and this one no longer wants: every index is
    # rewritten on every write of a document (on SecantusDB even when its key did not change),
    # so a redundant one is dropped rather than left to cost each write.
    retired: tuple[str, ...] = ()


async def ensure_indexes(db: Database, specs: list[CollectionIndexes]) -> None:
    """Create indexes idempotently (create_indexes is a no-op for identical existing ones) and
    drop retired ones that are still there."""
    for spec in specs:
        if spec.indexes:
            await db[spec.collection].create_indexes(spec.indexes)
        if spec.retired:
            existing = {index["name"] async for index in await db[spec.collection].list_indexes()}
            for name in spec.retired:
                if name in existing:
                    await db[spec.collection].drop_index(name)
