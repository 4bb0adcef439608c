"""`telegram_outbox`: pushed messages survive restarts and are sent once, by one process.

A pushed batch (payment confirmed, shipped, agent reply, marketing) is inserted as one
document {status: pending}. Workers claim documents with a guarded find_one_and_update that
sets status "sending" and a lease; a worker that dies leaves a lease that runs out, and the
next claim (any process, or this one after a restart) resumes it. Progress is stored after
each action under the lease, so a resumed batch continues after the last message sent instead
of repeating it. Finished documents expire after a week.

    pending -> sending -> sent
                       -> failed (chat blocked the bot, a permanent 400, or too many attempts)
                       -> pending (transient error: retried later with backoff)
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import Any

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument

from bot.telegram.chats import ChatRegistry
from bot.telegram.delivery import Delivery
from bot.telegram.render import TelegramAction
from bot.telegram.transport import ChatUnavailable
from core.atomic import find_one_and_update
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow
from dialogs.messages import Lang, normalize_lang

OUTBOX = "telegram_outbox"
KEEP_DONE = timedelta(days=7)
INDEXES = [
    CollectionIndexes(
        OUTBOX,
        [
            IndexModel([("status", ASCENDING), ("available_at", ASCENDING)]),
            IndexModel([("chat_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("done_at", ASCENDING)], expireAfterSeconds=int(KEEP_DONE.total_seconds())),
        ],
    )
]

log = get_logger(__name__)


class Outbox:
    def __init__(
        self,
        db: Database,
        delivery: Delivery,
        chats: ChatRegistry,
        *,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        concurrency: int = 8,
        max_attempts: int = 8,
        worker_id: str | None = None,
    ) -> None:
        self._outbox = db[OUTBOX]
        self.delivery = delivery
        self.chats = chats
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.worker_id = worker_id or f"tg-outbox-{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # --- producing -----------------------------------------------------------------------------
    async def enqueue(
        self, chat_id: int, actions: list[TelegramAction], *, lang: Lang = "zh", key: str | None = None
    ) -> str | None:
        """Queue a batch for `chat_id`; None when the chat blocked the bot (nothing queued).
        A `key` makes the enqueue idempotent (the same event pushed twice is queued once)."""
        if not actions:
            return None
        if await self.chats.is_blocked(chat_id):
            log.info("telegram.outbox_skipped_blocked", chat_id=chat_id)
            return None
        now = utcnow()
        doc: Document = {
            "_id": key or str(ObjectId()),
            "chat_id": chat_id,
            "lang": lang,
            "actions": [a.to_doc() for a in actions],
            "progress": 0,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "available_at": now,
        }
        result = await self._outbox.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)
        if result.upserted_id is None:
            log.info("telegram.outbox_duplicate", key=doc["_id"])
        self._wake.set()
        return str(doc["_id"])

    # --- consuming -----------------------------------------------------------------------------
    async def claim(self) -> Document | None:
        """The next message to send: first one whose sender died mid-send (lease ran out), then
        the oldest due one. Two queries rather than one `$or`, which SecantusDB evaluates by
        scanning the whole outbox; each of these follows the (status, available_at) index."""
        now = utcnow()
        update = {
            "$set": {"status": "sending", "lease_owner": self.worker_id, "lease_until": now + self.lease},
            "$inc": {"attempts": 1},
        }
        for query in (
            {"status": "sending", "lease_until": {"$lte": now}},
            {"status": "pending", "available_at": {"$lte": now}},
        ):
            doc = await find_one_and_update(
                self._outbox, query, update, sort=[("available_at", ASCENDING)], return_document=ReturnDocument.AFTER
            )
            if doc is not None:
                return doc
        return None

    async def _mine(self, doc_id: Any, update: Document) -> bool:
        """Apply `update` only while we still hold the lease."""
        result = await self._outbox.update_one(
            {"_id": doc_id, "lease_owner": self.worker_id, "status": "sending"}, update
        )
        return result.modified_count == 1

    async def process(self, doc: Document) -> str:
        """Send what is left of one claimed batch; returns the new status."""
        chat_id = int(doc["chat_id"])
        lang = normalize_lang(doc.get("lang")) or "zh"
        actions = [TelegramAction.from_doc(a) for a in doc.get("actions") or []]
        progress = int(doc.get("progress") or 0)
        try:
            for index in range(progress, len(actions)):
                await self.delivery.send(chat_id, actions[index], lang)
                if not await self._mine(
                    doc["_id"], {"$set": {"progress": index + 1, "lease_until": utcnow() + self.lease}}
                ):
                    log.warning("telegram.outbox_lease_lost", outbox_id=str(doc["_id"]))
                    return "lost"
        except ChatUnavailable as exc:
            await self._finish(doc["_id"], "failed", f"blocked: {exc.reason}")
            await self._outbox.update_many(
                {"chat_id": chat_id, "status": "pending"},
                {"$set": {"status": "failed", "error": "blocked", "done_at": utcnow()}},
            )
            return "failed"
        except TelegramBadRequest as exc:  # permanent: retrying the same request gives the same answer
            log.warning("telegram.outbox_rejected", outbox_id=str(doc["_id"]), error=exc.message)
            await self._finish(doc["_id"], "failed", exc.message)
            return "failed"
        except (TelegramAPIError, OSError) as exc:
            attempts = int(doc.get("attempts") or 1)
            if attempts >= self.max_attempts:
                await self._finish(doc["_id"], "failed", f"{type(exc).__name__}: giving up")
                return "failed"
            backoff = timedelta(seconds=min(600, 2**attempts))
            await self._mine(
                doc["_id"],
                {
                    "$set": {"status": "pending", "available_at": utcnow() + backoff, "error": type(exc).__name__},
                    "$unset": {"lease_owner": "", "lease_until": ""},
                },
            )
            log.warning("telegram.outbox_retry_later", outbox_id=str(doc["_id"]), error=type(exc).__name__)
            return "pending"
        await self._finish(doc["_id"], "sent", None)
        return "sent"

    async def _finish(self, doc_id: Any, status: str, error: str | None) -> None:
        update: Document = {
            "$set": {"status": status, "done_at": utcnow(), "error": error},
            "$unset": {"lease_owner": "", "lease_until": ""},
        }
        await self._mine(doc_id, update)

    async def drain(self, limit: int = 1000) -> int:
        """Process everything claimable now (tests, CLI); returns how many batches were handled."""
        handled = 0
        while handled < limit and (doc := await self.claim()) is not None:
            await self.process(doc)
            handled += 1
        return handled

    async def _worker(self) -> None:
        while True:
            try:
                doc = await self.claim()
                if doc is not None:
                    await self.process(doc)
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("telegram.outbox_worker_error")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._worker(), name=f"{self.worker_id}-{i}") for i in range(self.concurrency)
            ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def counts(self) -> dict[str, int]:
        pipeline = [{"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        return {str(doc["_id"]): int(doc["n"]) async for doc in await self._outbox.aggregate(pipeline)}
