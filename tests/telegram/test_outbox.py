"""Pushed messages: durable outbox, flood control, server errors, blocked users, restarts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pymongo import AsyncMongoClient

from bot.telegram.chats import CHATS, ChatRegistry
from bot.telegram.outbox import OUTBOX
from bot.telegram.render import TelegramAction
from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from core.mongo import Database, Document, utcnow
from dialogs.messages import TextReply
from dialogs.outbound import ChannelAddress
from simulators.telegram_api import FakeTelegramAPI
from tests.telegram.conftest import ChannelFactory

CHAT = 5551


def _texts(*texts: str) -> list[TelegramAction]:
    return [TelegramAction("text", html=text) for text in texts]


async def test_pushed_message_goes_through_the_outbox(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI, db: Database
) -> None:
    channel = await make_channel()
    await channel.sender.send(ChannelAddress("telegram", str(CHAT)), [TextReply(text="Payment received <3")])
    assert await db[OUTBOX].count_documents({"status": "pending"}) == 1
    assert fake_api.sent() == []
    assert await channel.outbox.drain() == 1
    assert fake_api.texts(CHAT) == ["Payment received &lt;3"]
    assert await db[OUTBOX].count_documents({"status": "sent"}) == 1


async def test_running_worker_sends_enqueued_messages(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    await channel.start()
    await channel.outbox.enqueue(CHAT, _texts("one", "two"))
    await fake_api.wait_for(lambda: len(fake_api.sent(CHAT)) == 2)
    assert fake_api.texts(CHAT) == ["one", "two"]


async def test_flood_control_retry_after_is_honoured(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    fake_api.inject("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await channel.outbox.enqueue(CHAT, _texts("hello"))
    assert await channel.outbox.drain() == 1
    first, second = fake_api.sent(CHAT)
    assert second.at - first.at >= 0.95  # waited as told, then the same message went through
    assert fake_api.texts(CHAT) == ["hello", "hello"]
    assert (await channel.outbox.counts()) == {"sent": 1}


async def test_server_errors_are_retried_with_backoff(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    fake_api.inject("sendMessage", 502, "Bad Gateway", times=2)
    await channel.outbox.enqueue(CHAT, _texts("hello"))
    await channel.outbox.drain()
    assert len(fake_api.sent(CHAT)) == 3
    assert (await channel.outbox.counts()) == {"sent": 1}


async def test_persistent_server_errors_leave_the_message_pending_for_later(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI, db: Database
) -> None:
    channel = await make_channel()
    fake_api.inject("sendMessage", 500, "Internal Server Error", times=100)
    await channel.outbox.enqueue(CHAT, _texts("hello"))
    await channel.outbox.drain()
    doc = await db[OUTBOX].find_one({})
    assert doc is not None
    assert doc["status"] == "pending"
    assert doc["available_at"] > utcnow()
    assert doc["error"] == "TelegramServerError"


async def test_blocked_user_is_recorded_and_not_messaged_again(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI, db: Database
) -> None:
    channel = await make_channel()
    fake_api.block(CHAT)
    await channel.outbox.enqueue(CHAT, _texts("first", "second"))
    await channel.outbox.enqueue(CHAT, _texts("third"))
    await channel.outbox.drain()
    assert len(fake_api.sent(CHAT)) == 1  # only the attempt that revealed the block
    chat = await db[CHATS].find_one({"_id": CHAT})
    assert chat is not None
    assert chat["blocked"] is True
    assert chat["blocked_at"] is not None
    assert (await channel.outbox.counts()) == {"failed": 2}
    assert await channel.outbox.enqueue(CHAT, _texts("fourth")) is None
    await channel.sender.send(ChannelAddress("telegram", str(CHAT)), [TextReply(text="promo")])
    await channel.outbox.drain()
    assert len(fake_api.sent(CHAT)) == 1
    assert await channel.chats.is_blocked(CHAT)


async def test_user_writing_again_unblocks_the_chat(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    fake_api.block(CHAT)
    await channel.outbox.enqueue(CHAT, _texts("hello"))
    await channel.outbox.drain()
    assert await channel.chats.is_blocked(CHAT)
    await channel.chats.seen(CHAT)
    assert not await channel.chats.is_blocked(CHAT)


async def test_a_chat_blocked_by_another_process_is_unblocked_after_the_refresh(db: Database) -> None:
    here, there = ChatRegistry(db, refresh_seconds=0.2), ChatRegistry(db)
    await here.seen(CHAT)  # reads the (empty) blocked set
    await there.mark_blocked(CHAT, "Forbidden: bot was blocked by the user")
    await here.seen(CHAT)  # within the refresh interval: not known here yet
    assert await here.is_blocked(CHAT)
    await asyncio.sleep(0.25)
    await here.seen(CHAT)
    assert not await here.is_blocked(CHAT)
    assert (await db[CHATS].find_one({"_id": CHAT}) or {}).get("unblocked_at") is not None


async def test_updates_from_chats_never_blocked_cost_no_database_command(mongo_uri: str, db: Database) -> None:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = make_client(mongo_uri, [counter])
    try:
        registry = ChatRegistry(client[db.name])
        with counter.measure() as first:
            await registry.seen(1)  # the first one reads the blocked set
        with counter.measure() as measured:
            for chat_id in range(2, 50):
                await registry.seen(chat_id)
    finally:
        await client.close()
    assert first.commands == ["find"]
    assert measured.commands == []


async def test_outbox_survives_a_restart(make_channel: ChannelFactory, fake_api: FakeTelegramAPI, db: Database) -> None:
    before = await make_channel(worker_id="before-restart")
    # A batch a crashed worker was in the middle of: claimed, first message sent, lease still on.
    await before.outbox.enqueue(7777, _texts("already sent", "not yet sent"))
    claimed = await before.outbox.claim()
    assert claimed is not None
    assert claimed["chat_id"] == 7777
    await before.outbox.enqueue(CHAT, _texts("queued while down"))
    await db[OUTBOX].update_one({"_id": claimed["_id"]}, {"$set": {"progress": 1}})
    await before.stop()

    after = await make_channel(worker_id="after-restart", outbox_lease_seconds=30)
    await after.outbox.drain()
    assert fake_api.texts(CHAT) == ["queued while down"]
    assert fake_api.texts(7777) == []  # its lease has not run out yet: nobody else touches it
    await db[OUTBOX].update_one({"_id": claimed["_id"]}, {"$set": {"lease_until": utcnow() - timedelta(seconds=1)}})
    await after.outbox.drain()
    assert fake_api.texts(7777) == ["not yet sent"]
    assert (await after.outbox.counts()) == {"sent": 2}


async def test_two_workers_never_send_the_same_message_twice(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI
) -> None:
    first = await make_channel(worker_id="w1")
    second = await make_channel(worker_id="w2")
    for index in range(30):
        await first.outbox.enqueue(1000 + index % 5, _texts(f"message {index}"))
    await asyncio.gather(first.outbox.drain(), second.outbox.drain(), first.outbox.drain())
    texts = sorted(t for c in fake_api.sent() for t in [str(c.params["text"])])
    assert texts == sorted(f"message {i}" for i in range(30))


async def test_enqueue_with_a_key_is_idempotent(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    await channel.outbox.enqueue(CHAT, _texts("paid"), key="order.paid:1")
    await channel.outbox.enqueue(CHAT, _texts("paid"), key="order.paid:1")
    await channel.outbox.drain()
    assert fake_api.texts(CHAT) == ["paid"]


async def test_permanent_bad_request_fails_the_batch(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    await channel.outbox.enqueue(CHAT, _texts(""))  # Telegram refuses empty texts
    await channel.outbox.drain()
    assert (await channel.outbox.counts()) == {"failed": 1}


async def test_per_chat_rate_limit_spaces_messages(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel(chat_rate_per_second=20.0)
    await channel.outbox.enqueue(CHAT, _texts(*(f"m{i}" for i in range(6))))
    await channel.outbox.drain()
    calls = fake_api.sent(CHAT)
    # A burst of 3 is allowed, then about 1 every 1/20 s: 6 messages need >= 0.1 s.
    assert calls[-1].at - calls[0].at >= 0.1
