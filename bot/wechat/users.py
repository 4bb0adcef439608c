"""What we know about each WeChat follower (`wechat_users`): subscription, last interaction.

The last interaction decides whether the 48-hour customer-service window is open (custom
messages allowed) or closed (only template messages reach the user).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo import ASCENDING, IndexModel

from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

USERS = "wechat_users"
# Close the window a little early: a message queued right at the edge must not bounce (45015).
WINDOW_MARGIN = timedelta(minutes=5)

INDEXES = [
    CollectionIndexes(
        USERS,
        [IndexModel([("customer_id", ASCENDING)], sparse=True), IndexModel([("unionid", ASCENDING)], sparse=True)],
    )
]


@dataclass(frozen=True)
class WeChatUser:
    openid: str
    subscribed: bool
    last_interaction_at: datetime | None
    scene: str | None = None
    unionid: str | None = None
    customer_id: str | None = None

    @classmethod
    def from_doc(cls, doc: Document) -> WeChatUser:
        last = doc.get("last_interaction_at")
        return cls(
            openid=str(doc["_id"]),
            subscribed=bool(doc.get("subscribed", True)),
            last_interaction_at=as_utc(last) if last else None,
            scene=doc.get("scene"),
            unionid=doc.get("unionid"),
            customer_id=doc.get("customer_id"),
        )


class WeChatUsers:
    def __init__(self, db: Database, *, window_seconds: int = 48 * 3600) -> None:
        self._users = db[USERS]
        self.window = timedelta(seconds=window_seconds)

    async def interacted(
        self, openid: str, *, at: datetime | None = None, scene: str | None = None, subscribed: bool | None = None
    ) -> None:
        """The user did something that opens the customer-service window (message, menu, follow)."""
        now = at or utcnow()
        update: Document = {"$max": {"last_interaction_at": now}, "$setOnInsert": {"first_seen_at": now}}
        fields: Document = {}
        if scene:
            fields["scene"] = scene[:64]
        if subscribed is not None:
            fields["subscribed"] = subscribed
            fields["subscribed_at" if subscribed else "unsubscribed_at"] = now
        if fields:
            update["$set"] = fields
        await self._users.update_one({"_id": openid}, update, upsert=True)

    async def unsubscribed(self, openid: str) -> None:
        await self._users.update_one(
            {"_id": openid}, {"$set": {"subscribed": False, "unsubscribed_at": utcnow()}}, upsert=True
        )

    async def bind(self, openid: str, *, customer_id: str | None = None, unionid: str | None = None) -> None:
        fields: Document = {k: v for k, v in (("customer_id", customer_id), ("unionid", unionid)) if v}
        if fields:
            await self._users.update_one({"_id": openid}, {"$set": fields}, upsert=True)

    async def get(self, openid: str) -> WeChatUser | None:
        doc = await self._users.find_one({"_id": openid})
        return WeChatUser.from_doc(doc) if doc else None

    async def window_open(self, openid: str, now: datetime | None = None) -> bool:
        user = await self.get(openid)
        if user is None or user.last_interaction_at is None or not user.subscribed:
            return False
        return (now or utcnow()) < user.last_interaction_at + self.window - WINDOW_MARGIN

    async def window_closed(self, openid: str) -> None:
        """WeChat said 45015: trust it over our clock."""
        await self._users.update_one({"_id": openid}, {"$set": {"last_interaction_at": utcnow() - self.window}})
