"""Replay protection for the WeChat endpoint: fresh timestamps, each nonce used for one body.

In plaintext mode the signature covers only (token, timestamp, nonce), not the body, so a
captured query string could carry a forged body. We remember every (timestamp, nonce) with a
hash of its body: the same body again is a retry (answered from the inbox, never reprocessed),
a different body is a replay attack and is refused.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from core.mongo import CollectionIndexes, Database, utcnow

NONCES = "wechat_nonces"
NONCE_TTL_SECONDS = 900  # longer than the timestamp tolerance, so an old nonce can never come back

INDEXES = [CollectionIndexes(NONCES, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])]


def timestamp_fresh(timestamp: str, tolerance_seconds: int, now: float | None = None) -> bool:
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    return abs(current - int(timestamp)) <= tolerance_seconds


class NonceGuard:
    def __init__(self, db: Database) -> None:
        self._nonces = db[NONCES]

    async def admit(self, timestamp: str, nonce: str, body: bytes) -> bool:
        """True for a first use of (timestamp, nonce) or a byte-identical retry; False for a replay."""
        digest = hashlib.sha256(body).hexdigest()
        key = f"{timestamp}:{nonce[:64]}"
        try:
            await self._nonces.insert_one(
                {"_id": key, "body": digest, "expires_at": utcnow() + timedelta(seconds=NONCE_TTL_SECONDS)}
            )
            return True
        except DuplicateKeyError:
            seen = await self._nonces.find_one({"_id": key}, {"body": 1})
            return seen is not None and seen.get("body") == digest
