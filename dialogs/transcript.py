"""The conversation transcript (`messages`): what the customer, the bot and agents said.

The agent console reads it to take over a conversation with its history in view.

A turn is stored as ONE document: the customer's message with the bot's answers to it in
`replies`. Every stored document costs its index entries and an oplog entry, on every
database; a turn has one message and usually one answer, so this halves the transcript's
share of a turn's write. Pushed messages (agents, notifications) stay a document each.
`entries()` turns any stored document back into the messages it holds, in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pymongo import ASCENDING, DESCENDING, IndexModel

from core.batch import WriteBatch
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow
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
    kind: str = ""  # "text", "button", "image", "command"... for a customer's message; the reply type for ours
    images: tuple[str, ...] = ()  # photos the customer sent (chat media URLs)
    key: str = ""  # unique per message (document id, position in the turn): the console de-duplicates by it


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
        await self.collection.insert_one(
            {
                "conversation_id": conversation_id,
                "direction": "in",
                "sender": "customer",
                "kind": message.kind,
                "text": message.transcript_text(),
                "payload": message.payload or None,
                **_images(message),
                "at": utcnow(),
            }
        )

    async def record_turn(self, conversation_id: str, message: IncomingMessage, replies: list[OutgoingMessage]) -> None:
        """The customer's message and the bot's replies: one document."""
        await self.collection.insert_one(self._turn_document(conversation_id, message, replies))

    def add_turn(
        self, batch: WriteBatch, conversation_id: str, message: IncomingMessage, replies: list[OutgoingMessage]
    ) -> None:
        """The same document as `record_turn`, written with the other writes in `batch`."""
        batch.insert(COLLECTION, self._turn_document(conversation_id, message, replies))

    @staticmethod
    def _turn_document(conversation_id: str, message: IncomingMessage, replies: list[OutgoingMessage]) -> Document:
        now = utcnow()
        return {
            "conversation_id": conversation_id,
            "direction": "in",
            "sender": "customer",
            "kind": message.kind,
            "text": message.transcript_text(),
            "payload": message.payload or None,
            **_images(message),
            "at": message.at,
            "replies": [
                {"kind": reply.type, "text": reply_text(reply), "payload": _stored_payload(reply), "at": now}
                for reply in replies
            ],
        }

    async def record_out(
        self, conversation_id: str, replies: list[OutgoingMessage], sender: Sender = "bot", agent_id: str | None = None
    ) -> None:
        if not replies:
            return
        now = utcnow()
        await self.collection.insert_many(
            [
                {
                    "conversation_id": conversation_id,
                    "direction": "out",
                    "sender": sender,
                    "kind": reply.type,
                    "text": reply_text(reply),
                    "payload": _stored_payload(reply),
                    "agent_id": agent_id,
                    "at": now,
                }
                for reply in replies
            ]
        )

    async def history(self, conversation_id: str, limit: int = 100) -> list[TranscriptEntry]:
        """The last `limit` messages, oldest first."""
        # BSON dates keep milliseconds: messages written within one millisecond (an agent's reply
        # right after a turn) tie on `at`, and the driver's ObjectIds keep their insertion order.
        newest_first = [("at", DESCENDING), ("_id", DESCENDING)]
        cursor = self.collection.find({"conversation_id": conversation_id}).sort(newest_first).limit(limit)
        docs: list[Document] = [doc async for doc in cursor]
        records = [record for doc in reversed(docs) for record in entries(doc)]
        return [
            TranscriptEntry(
                conversation_id=d["conversation_id"],
                direction=d["direction"],
                sender=d["sender"],
                text=d.get("text", ""),
                payload=d.get("payload") if isinstance(d.get("payload"), dict) else None,
                at=as_utc(d["at"]),
                agent_id=d.get("agent_id"),
                kind=str(d.get("kind") or ""),
                images=tuple(str(url) for url in d.get("images") or ()),
                key=str(d.get("key") or ""),
            )
            for d in records[-limit:]
        ]


def _images(message: IncomingMessage) -> Document:
    """The photos of a customer's message, kept so a chat can show them again in its history."""
    return {"images": list(message.image_urls)} if message.image_urls else {}


def entries(doc: Document) -> list[Document]:
    """The messages a stored transcript document holds, in order: itself, then the answers of a
    turn document (each shaped like a message document of its own)."""
    replies = doc.get("replies")
    if not isinstance(replies, list):
        return [{**doc, "key": str(doc.get("_id") or "")}]
    message = {key: value for key, value in doc.items() if key != "replies"}
    message["key"] = str(doc.get("_id") or "")
    answers = [
        {
            "_id": doc.get("_id"),
            "conversation_id": doc.get("conversation_id"),
            "direction": "out",
            "sender": "bot",
            "agent_id": None,
            **reply,
            "key": f"{doc.get('_id') or ''}.{position}",
        }
        for position, reply in enumerate(replies, start=1)
        if isinstance(reply, dict)
    ]
    return [message, *answers]


def _stored_payload(reply: OutgoingMessage) -> Document:
    """The reply as stored: a bot's replies leave out the empty `agent_name` (it reads back as "")."""
    payload = reply.model_dump(mode="json")
    if not payload.get("agent_name"):
        payload.pop("agent_name", None)
    return payload
