"""Exactly-once handling of WeChat pushes (`wechat_inbox`), across retries and processes.

WeChat retries a push it got no answer to within 5 s (up to three times). The first request
claims the message id (unique `_id`); retries find the claim and wait for it. Each entry
records the planned answer and how it was delivered:

    state: processing -> done            (the dialog answered; `messages` stored)
    mode:  None -> passive | custom | none  (decided once, by a conditional update)

`passive`: the first message went back in the HTTP reply, the rest via the custom API;
`custom`: the reply budget ran out, "success" was answered and everything goes via the
custom API; `none`: nothing to say. The owner heartbeats a lease while the dialog runs, so
an entry left by a crashed process can be taken over by the next retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.atomic import find_one_and_update
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

INBOX = "wechat_inbox"
Mode = Literal["passive", "custom", "none"]


def inbox_indexes(ttl_seconds: int = 24 * 3600) -> list[CollectionIndexes]:
    return [CollectionIndexes(INBOX, [IndexModel([("created_at", ASCENDING)], expireAfterSeconds=ttl_seconds)])]


INDEXES = inbox_indexes()


@dataclass(frozen=True)
class InboxEntry:
    key: str
    state: Literal["processing", "done"]
    mode: Mode | None
    messages: list[dict[str, Any]]
    owner: str
    lease_until: datetime

    @classmethod
    def from_doc(cls, doc: Document) -> InboxEntry:
        return cls(
            key=str(doc["_id"]),
            state=doc.get("state", "processing"),
            mode=doc.get("mode"),
            messages=list(doc.get("messages") or []),
            owner=str(doc.get("owner") or ""),
            lease_until=as_utc(doc["lease_until"]),
        )

    def lease_expired(self, now: datetime | None = None) -> bool:
        return self.state == "processing" and (now or utcnow()) > self.lease_until


class Inbox:
    def __init__(self, db: Database, *, lease_seconds: float = 10.0) -> None:
        self._inbox = db[INBOX]
        self.lease = timedelta(seconds=lease_seconds)

    async def claim(self, key: str, owner: str, openid: str) -> bool:
        """True when this request is the first to see `key` (it must process the message)."""
        now = utcnow()
        try:
            await self._inbox.insert_one(
                {
                    "_id": key,
                    "state": "processing",
                    "mode": None,
                    "owner": owner,
                    "openid": openid,
                    "lease_until": now + self.lease,
                    "created_at": now,
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def take_over(self, key: str, owner: str) -> bool:
        """Claim an entry whose owner stopped heartbeating (crashed process)."""
        now = utcnow()
        doc = await find_one_and_update(
            self._inbox,
            {"_id": key, "state": "processing", "mode": None, "lease_until": {"$lt": now}},
            {"$set": {"owner": owner, "lease_until": now + self.lease}},
        )
        return doc is not None

    async def heartbeat(self, key: str, owner: str) -> None:
        await self._inbox.update_one(
            {"_id": key, "owner": owner, "state": "processing"}, {"$set": {"lease_until": utcnow() + self.lease}}
        )

    async def finish(self, key: str, owner: str, messages: list[dict[str, Any]]) -> None:
        await self._inbox.update_one(
            {"_id": key, "owner": owner}, {"$set": {"state": "done", "messages": messages, "done_at": utcnow()}}
        )

    async def decide(self, key: str, mode: Mode) -> InboxEntry | None:
        """Set how the answer is delivered, once; None when it was already decided."""
        doc = await find_one_and_update(
            self._inbox, {"_id": key, "mode": None}, {"$set": {"mode": mode}}, return_document=ReturnDocument.AFTER
        )
        return InboxEntry.from_doc(doc) if doc else None

    async def get(self, key: str) -> InboxEntry | None:
        doc = await self._inbox.find_one({"_id": key})
        return InboxEntry.from_doc(doc) if doc else None

    async def record_delivery(self, key: str, sent: int, failed: int) -> None:
        await self._inbox.update_one({"_id": key}, {"$set": {"custom_sent": sent, "custom_failed": failed}})
