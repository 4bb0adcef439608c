"""The transcript: a turn is one document; readers see it as the messages it holds, in order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import dialogs.transcript as transcript_module
from core.mongo import Database
from dialogs.messages import IncomingMessage, TextReply
from dialogs.transcript import COLLECTION, Transcript, entries


async def test_a_turn_is_one_document_and_reads_back_as_its_messages_in_order(db: Database) -> None:
    transcript = Transcript(db)
    cid = "telegram:1"
    await transcript.record_turn(
        cid,
        IncomingMessage.from_text("telegram", "1", "hello", "en"),
        [TextReply(text="Hi!"), TextReply(text="What are you looking for?")],
    )
    await transcript.record_out(cid, [TextReply(text="An agent here")], sender="agent", agent_id="a1")
    await transcript.record_turn(cid, IncomingMessage.from_text("telegram", "1", "thanks", "en"), [])
    assert await db[COLLECTION].count_documents({"conversation_id": cid}) == 3

    history = await transcript.history(cid)
    assert [(e.sender, e.direction, e.text) for e in history] == [
        ("customer", "in", "hello"),
        ("bot", "out", "Hi!"),
        ("bot", "out", "What are you looking for?"),
        ("agent", "out", "An agent here"),
        ("customer", "in", "thanks"),
    ]
    assert history[3].agent_id == "a1"
    assert history[1].payload == {"type": "text", "text": "Hi!", "buttons": []}
    # The limit counts messages, not documents: the newest ones.
    assert [e.text for e in await transcript.history(cid, limit=2)] == ["An agent here", "thanks"]


def test_entries_leaves_a_single_message_document_alone() -> None:
    doc = {"_id": 1, "conversation_id": "c", "direction": "out", "sender": "agent", "text": "hi"}
    assert entries(doc) == [{**doc, "key": "1"}]  # only its key (for the console) is added
    turn = {
        "_id": 2,
        "conversation_id": "c",
        "direction": "in",
        "sender": "customer",
        "text": "q",
        "replies": [{"kind": "text", "text": "a", "payload": None, "at": None}],
    }
    message, answer = entries(turn)
    assert "replies" not in message
    assert (answer["_id"], answer["sender"], answer["direction"], answer["text"]) == (2, "bot", "out", "a")


def test_every_message_of_a_turn_has_its_own_key() -> None:
    """The console de-duplicates by this key (a message that came with the panel and live)."""
    turn = {"_id": "T1", "sender": "customer", "text": "hi", "replies": [{"text": "a"}, {"text": "b"}]}
    assert [m["key"] for m in entries(turn)] == ["T1", "T1.1", "T1.2"]
    assert [m["key"] for m in entries({"_id": "P1", "sender": "agent", "text": "x"})] == ["P1"]


async def test_messages_written_in_the_same_millisecond_keep_their_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BSON dates keep milliseconds: an agent's quick replies tie on `at` and must not swap."""
    same_instant = datetime(2026, 12, 7, 12, 0, 0, 123000, tzinfo=UTC)
    monkeypatch.setattr(transcript_module, "utcnow", lambda: same_instant)
    transcript = Transcript(db)
    for text in ("one", "two", "three", "four", "five"):
        await transcript.record_out("web:tie", [TextReply(text=text)], sender="agent", agent_id="a1")
    assert [e.text for e in await transcript.history("web:tie")] == ["one", "two", "three", "four", "five"]
