"""Inline-button callback data within Telegram's 64-byte limit.

Dialog payloads are already at most 64 bytes, but the guard costs nothing: a longer one is
kept in `telegram_callbacks` (expiring after a month) and the button carries `~<key>`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import timedelta
from typing import Any

from pymongo import IndexModel

from core.mongo import CollectionIndexes, Database, utcnow

CALLBACKS = "telegram_callbacks"
MAX_CALLBACK_BYTES = 64
STORED_PREFIX = "~cb:"
KEEP = timedelta(days=30)
INDEXES = [CollectionIndexes(CALLBACKS, [IndexModel([("expires_at", 1)], expireAfterSeconds=0)])]


def fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_CALLBACK_BYTES and not data.startswith(STORED_PREFIX)


def _key(payload: str) -> str:
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:15]
    return STORED_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")


class CallbackStore:
    def __init__(self, db: Database) -> None:
        self._callbacks = db[CALLBACKS]

    async def pack(self, markup: dict[str, Any] | None) -> dict[str, Any] | None:
        """The markup with every over-long callback_data replaced by a stored key."""
        if not markup or "inline_keyboard" not in markup:
            return markup
        if all(fits(str(b.get("callback_data", ""))) for row in markup["inline_keyboard"] for b in row):
            return markup
        packed = copy.deepcopy(markup)
        for row in packed["inline_keyboard"]:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not fits(str(data)):
                    key = _key(str(data))
                    await self._callbacks.update_one(
                        {"_id": key}, {"$set": {"payload": str(data), "expires_at": utcnow() + KEEP}}, upsert=True
                    )
                    button["callback_data"] = key
        return packed

    async def unpack(self, data: str) -> str | None:
        """The payload behind callback data; None for a stored key that expired."""
        if not data.startswith(STORED_PREFIX):
            return data
        doc = await self._callbacks.find_one({"_id": data})
        return str(doc["payload"]) if doc else None
