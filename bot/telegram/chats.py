"""`telegram_chats`: what we know about each chat — above all, whether it blocked the bot.

A 403 "bot was blocked by the user" marks the chat blocked, and nothing more is sent to it
(Telegram counts sends to blocked chats against the bot). Any new update from the chat means
the user is back, so it clears the flag.
"""

from __future__ import annotations

from collections import OrderedDict

from pymongo import IndexModel

from commerce.mongo import CollectionIndexes, Database, utcnow

CHATS = "telegram_chats"
INDEXES = [CollectionIndexes(CHATS, [IndexModel([("blocked", 1)], partialFilterExpression={"blocked": True})])]


class ChatRegistry:
    def __init__(self, db: Database, *, cache_size: int = 50_000) -> None:
        self._chats = db[CHATS]
        # Chats this process already recorded as reachable: one write per chat, not per update.
        self._reachable: OrderedDict[int, None] = OrderedDict()
        self._cache_size = cache_size

    async def seen(self, chat_id: int, *, lang: str | None = None) -> None:
        if chat_id in self._reachable:
            self._reachable.move_to_end(chat_id)
            return
        self._reachable[chat_id] = None
        while len(self._reachable) > self._cache_size:
            self._reachable.popitem(last=False)
        update: dict[str, object] = {"last_seen_at": utcnow(), "blocked": False}
        if lang:
            update["lang"] = lang
        await self._chats.update_one({"_id": chat_id}, {"$set": update, "$unset": {"blocked_at": ""}}, upsert=True)

    async def mark_blocked(self, chat_id: int, reason: str) -> None:
        self._reachable.pop(chat_id, None)
        await self._chats.update_one(
            {"_id": chat_id}, {"$set": {"blocked": True, "blocked_at": utcnow(), "blocked_reason": reason[:200]}},
            upsert=True,
        )

    async def is_blocked(self, chat_id: int) -> bool:
        doc = await self._chats.find_one({"_id": chat_id, "blocked": True}, {"_id": 1})
        return doc is not None
