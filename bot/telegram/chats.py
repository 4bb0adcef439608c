"""`telegram_chats`: what we know about each chat — above all, whether it blocked the bot.

A 403 "bot was blocked by the user" marks the chat blocked, and nothing more is sent to it
(Telegram counts sends to blocked chats against the bot). Any new update from the chat means
the user is back, so it clears the flag.

Blocked chats are few, so each process keeps their ids (read through the partial index at most
every BLOCKED_REFRESH_SECONDS, and updated by its own marks): an update from any other chat
costs no database command. A chat another process marked blocked less than that long ago is
cleared by the user's next update after the refresh.
"""

from __future__ import annotations

import asyncio
import time

from pymongo import IndexModel

from core.mongo import CollectionIndexes, Database, utcnow

CHATS = "telegram_chats"
BLOCKED_REFRESH_SECONDS = 60.0
INDEXES = [CollectionIndexes(CHATS, [IndexModel([("blocked", 1)], partialFilterExpression={"blocked": True})])]


class ChatRegistry:
    def __init__(self, db: Database, *, refresh_seconds: float = BLOCKED_REFRESH_SECONDS) -> None:
        self._chats = db[CHATS]
        self._blocked: set[int] = set()
        self._refreshed_at: float | None = None
        self._refresh_seconds = refresh_seconds
        self._refreshing: asyncio.Lock = asyncio.Lock()

    def _refresh_due(self) -> bool:
        return self._refreshed_at is None or time.monotonic() - self._refreshed_at >= self._refresh_seconds

    async def _blocked_now(self) -> set[int]:
        if self._refresh_due():
            async with self._refreshing:  # one query for all the updates that find it due
                if self._refresh_due():
                    self._blocked = {int(doc["_id"]) async for doc in self._chats.find({"blocked": True}, {"_id": 1})}
                    self._refreshed_at = time.monotonic()
        return self._blocked

    async def seen(self, chat_id: int) -> None:
        """An update came from this chat: if it was marked blocked, it is reachable again."""
        if chat_id not in await self._blocked_now():
            return
        self._blocked.discard(chat_id)
        await self._chats.update_one(
            {"_id": chat_id}, {"$set": {"blocked": False, "unblocked_at": utcnow()}, "$unset": {"blocked_at": ""}}
        )

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        self._blocked.add(chat_id)
        await self._chats.update_one(
            {"_id": chat_id},
            {"$set": {"blocked": True, "blocked_at": utcnow(), "blocked_reason": reason[:200]}},
            upsert=True,
        )

    async def is_blocked(self, chat_id: int) -> bool:
        doc = await self._chats.find_one({"_id": chat_id, "blocked": True}, {"_id": 1})
        return doc is not None
