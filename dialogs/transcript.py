"""The conversation transcript (`messages`): what the customer, the bot and agents said.

The agent console reads it to take over a conversation with its history in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pymongo import ASCENDING, DESCENDING, IndexModel

from commerce.batch import WriteBatch
from commerce.mongo import CollectionIndexes, Database, Document, as_utc, utcnow
from dialogs.messages import IncomingMessage, OutgoingMessage

COLLECTION = "messages"
INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(COLLECTION, [IndexModel([("conversation_id", ASCENDING), ("at", ASCENDING)], name="conv_at")])
]

Direction = Literal["in", "out"]
Sender = Literal["customer", "bot", "agent", "system"]


@dataclass(frozen=True)
class TranscriptEntry:
    conversation_id: str
    direction: Direction
    sender: Sender
    text: str
    payload: dict[str, Any] | None
    at: datetime
    agent_id: str | None = None


def reply_text(reply: OutgoingMessage) -> str:
    """A one-line text for a reply (the console shows the full payload on demand)."""
    text = getattr(reply, "text", "") or ""
    items = getattr(reply, "items", None)
    if items:
        text += " | " + "; ".join(item.title for item in items)
    return text


class Transcript:
    def __init__(self, db: Database) -> None:
        self.collection = db[COLLECTION]

    async def record_in(self, conversation_id: str, message: IncomingMessage) -> None:
        await self.collection.insert_one({
            "conversation_id": conversation_id, "direction": "in", "sender": "customer",
            "kind": message.kind, "text": message.transcript_text(), "payload": message.payload or None,
            "at": utcnow(),
        })  # fmt: skip

    async def record_turn(self, conversation_id: str, message: IncomingMessage, replies: list[OutgoingMessage]) -> None:
        """The customer's message and the bot's replies in one round trip."""
        await self.collection.insert_many(self._turn_documents(conversation_id, message, replies), ordered=True)

    def add_turn(self, batch: WriteBatch, conversation_id: str, message: IncomingMessage,
                 replies: list[OutgoingMessage]) -> None:  # fmt: skip
        """The same records as `record_turn`, written with the other writes in `batch`."""
        for doc in self._turn_documents(conversation_id, message, replies):
            batch.insert(COLLECTION, doc)

    @staticmethod
    def _turn_documents(conversation_id: str, message: IncomingMessage, replies: list[OutgoingMessage]) -> list[Document]:
        now = utcnow()
        docs: list[Document] = [{
            "conversation_id": conversation_id, "direction": "in", "sender": "customer", "kind": message.kind,
            "text": message.transcript_text(), "payload": message.payload or None, "at": message.at,
        }]
        docs.extend({"conversation_id": conversation_id, "direction": "out", "sender": "bot", "kind": reply.type,
                     "text": reply_text(reply), "payload": reply.model_dump(mode="json"), "agent_id": None, "at": now}
                    for reply in replies)  # fmt: skip
        return docs

    async def record_out(self, conversation_id: str, replies: list[OutgoingMessage], sender: Sender = "bot",
                         agent_id: str | None = None) -> None:  # fmt: skip
        if not replies:
            return
        now = utcnow()
        await self.collection.insert_many([
            {"conversation_id": conversation_id, "direction": "out", "sender": sender, "kind": reply.type,
             "text": reply_text(reply), "payload": reply.model_dump(mode="json"), "agent_id": agent_id, "at": now}
            for reply in replies
        ])  # fmt: skip

    async def history(self, conversation_id: str, limit: int = 100) -> list[TranscriptEntry]:
        cursor = self.collection.find({"conversation_id": conversation_id}).sort("at", DESCENDING).limit(limit)
        docs: list[Document] = [doc async for doc in cursor]
        return [
            TranscriptEntry(conversation_id=d["conversation_id"], direction=d["direction"], sender=d["sender"],
                            text=d.get("text", ""), payload=d.get("payload") if isinstance(d.get("payload"), dict)
                            else None, at=as_utc(d["at"]), agent_id=d.get("agent_id"))
            for d in reversed(docs)
        ]
