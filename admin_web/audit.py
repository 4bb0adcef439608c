"""The admin audit log: who changed what, with the state before and after, and when.

Every admin action that changes data writes one entry (`admin_audit`). Entries are never
updated or deleted by the application; owners read them in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

AUDIT = "admin_audit"
INDEXES = [
    CollectionIndexes(
        AUDIT,
        [
            IndexModel([("at", DESCENDING)], name="at"),
            IndexModel([("actor_id", ASCENDING), ("at", DESCENDING)], name="actor_at"),
            IndexModel([("target_type", ASCENDING), ("target_id", ASCENDING), ("at", DESCENDING)], name="target_at"),
            IndexModel([("action", ASCENDING), ("at", DESCENDING)], name="action_at"),
        ],
    )
]
MAX_SNAPSHOT_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    at: datetime
    actor_id: str
    actor: str
    action: str
    target_type: str
    target_id: str
    before: Any
    after: Any
    ip: str | None = None

    @classmethod
    def from_doc(cls, doc: Document) -> AuditEntry:
        return cls(
            id=str(doc["_id"]),
            at=as_utc(doc["at"]),
            actor_id=str(doc.get("actor_id") or ""),
            actor=str(doc.get("actor") or ""),
            action=str(doc["action"]),
            target_type=str(doc.get("target_type") or ""),
            target_id=str(doc.get("target_id") or ""),
            before=doc.get("before"),
            after=doc.get("after"),
            ip=doc.get("ip"),
        )


def _snapshot(value: Any) -> Any:
    """Keep entries bounded: a huge before/after (a whole catalog import) is summarised."""
    text = repr(value)
    if len(text) > MAX_SNAPSHOT_CHARS:
        return {"truncated": True, "preview": text[:MAX_SNAPSHOT_CHARS]}
    return value


class AuditLog:
    def __init__(self, db: Database) -> None:
        self._entries = db[AUDIT]

    async def record(
        self,
        *,
        actor_id: str,
        actor: str,
        action: str,
        target_type: str,
        target_id: str,
        before: Any = None,
        after: Any = None,
        ip: str | None = None,
    ) -> None:
        await self._entries.insert_one(
            {
                "_id": str(ObjectId()),
                "at": utcnow(),
                "actor_id": actor_id,
                "actor": actor,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "before": _snapshot(before),
                "after": _snapshot(after),
                "ip": ip,
            }
        )

    async def entries(
        self,
        *,
        action: str | None = None,
        actor_id: str | None = None,
        target_type: str | None = None,
        target_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[AuditEntry]:
        """Newest first; `before_id` is the last id of the previous page."""
        query: Document = {}
        if action:
            query["action"] = action
        if actor_id:
            query["actor_id"] = actor_id
        if target_type:
            query["target_type"] = target_type
        if target_id:
            query["target_id"] = target_id
        if before_id:
            query["_id"] = {"$lt": before_id}
        cursor = self._entries.find(query).sort("_id", DESCENDING).limit(max(1, min(limit, 200)))
        return [AuditEntry.from_doc(doc) async for doc in cursor]
