"""Webhook mode: secret token, exactly-once updates, bad input, polite failures."""

from __future__ import annotations

from typing import Any

from bot.telegram.dedup import UPDATES
from core.mongo import Database
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import ChannelFactory, ScriptedDialogs, WebhookFactory


async def test_missing_or_wrong_secret_is_rejected_and_nothing_processed(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    assert await hook.post(user.text("hello"), secret=None) == 401
    assert await hook.post(user.text("hello"), secret="wrong-secret") == 401
    assert await hook.post(user.text("hello"), secret="") == 401
    assert dialogs.received == []
    assert fake_api.calls == []


async def test_text_message_is_translated_and_answered(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    assert await hook.post(user.text("hello <b>")) == 200
    [incoming] = dialogs.received
    assert (incoming.channel, incoming.channel_user_id, incoming.kind) == ("telegram", "424242", "text")
    assert incoming.lang_hint == "en"
    assert incoming.display_name == "Alice"
    [call] = fake_api.sent(user.user_id)
    assert call.method == "sendMessage"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"] == "echo: text hello &lt;b&gt;"
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Menu", "callback_data": "menu"}]]}


async def test_the_last_text_reply_rides_in_the_webhook_response(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel(ScriptedDialogs()))
    assert await hook.post(user.text("hello")) == 200
    assert hook.last_body["method"] == "sendMessage"
    assert hook.last_body["chat_id"] == user.user_id
    [call] = fake_api.sent(user.user_id)
    assert call.in_webhook_response
    assert call.params["text"] == "echo: text hello"

    # A photo card needs Telegram's answer (its file_id, or a refusal to fall back to text): a
    # request; the text after it still rides in the response, after the card.
    assert await hook.post(user.text("card and text")) == 200
    card, text = fake_api.sent(user.user_id)[1:]
    assert (card.method, card.in_webhook_response) == ("sendPhoto", False)
    assert (text.method, text.in_webhook_response, text.params["text"]) == ("sendMessage", True, "Anything else?")

    assert await hook.post(user.text("card")) == 200
    assert hook.last_body == {"ok": True}
    assert not fake_api.sent(user.user_id)[-1].in_webhook_response


async def test_a_reply_that_would_exceed_the_chat_budget_goes_as_a_request_that_waits(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel(ScriptedDialogs(), chat_rate_per_second=2.0))
    for text in ("one", "two", "three", "four"):
        assert await hook.post(user.text(text)) == 200
    calls = fake_api.sent(user.user_id)
    assert [call.in_webhook_response for call in calls] == [True, True, True, False]  # a burst of 3 per chat
    assert calls[3].at - calls[2].at >= 0.3  # the request waited for the budget


async def test_webhook_replies_can_be_turned_off(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel(ScriptedDialogs(), webhook_replies=False))
    assert await hook.post(user.text("hello")) == 200
    assert hook.last_body == {"ok": True}
    [call] = fake_api.sent(user.user_id)
    assert not call.in_webhook_response


async def test_commands_contact_and_location_become_incoming_messages(
    make_channel: ChannelFactory, webhook: WebhookFactory, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    for update in (user.text("/start@chatcart_test_bot"), user.contact("+8613800138000"), user.location(31.23, 121.47)):
        assert await hook.post(update) == 200
    command, contact, location = dialogs.received
    assert (command.kind, command.command) == ("command", "start")
    assert (contact.kind, contact.phone) == ("contact", "+8613800138000")
    assert (location.kind, location.latitude, location.longitude) == ("location", 31.23, 121.47)


async def test_same_update_twice_is_processed_once(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory, db: Database
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    update = user.text("hello")
    assert await hook.post(update) == 200
    assert await hook.post(update) == 200  # Telegram re-delivers after a timeout
    assert len(dialogs.received) == 1
    assert len(fake_api.sent(user.user_id)) == 1
    assert await db[UPDATES].count_documents({}) == 1


async def test_two_instances_sharing_the_database_process_an_update_once(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    import asyncio

    first, second = ScriptedDialogs(), ScriptedDialogs()
    hook_a = await webhook(await make_channel(first, worker_id="a"))
    hook_b = await webhook(await make_channel(second, worker_id="b"))
    updates = [user.text(f"message {i}") for i in range(10)]
    statuses = await asyncio.gather(*(hook.post(u) for u in updates for hook in (hook_a, hook_b)))
    assert set(statuses) == {200}
    texts = sorted(m.text for m in first.received + second.received)
    assert texts == sorted(f"message {i}" for i in range(10))
    assert len(fake_api.sent(user.user_id)) == 10


async def test_claims_sent_together_still_let_exactly_one_delivery_through(db: Database) -> None:
    import asyncio

    from bot.telegram.dedup import UpdateClaims

    claims = UpdateClaims(db, bot_id=1)
    await claims.claim(5)  # processed earlier
    results = await asyncio.gather(*(claims.claim(update_id) for update_id in (5, 6, 6, 7, 6)))
    assert results.count(True) == 2  # 6 and 7 once each; 5 was taken before
    assert results[0] is False
    assert sorted([doc["_id"] async for doc in db[UPDATES].find({})]) == ["1:5", "1:6", "1:7"]


async def test_garbage_and_unknown_updates_are_acknowledged_and_ignored(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    bad: list[Any] = [
        {
            "update_id": 1,
            "edited_message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "edited"},
        },  # an update type we did not ask for
        {"update_id": 2, "message": {"message_id": 1, "text": "no chat, no date"}},  # missing fields
        {"update_id": "three"},
        {"no": "update id"},
        [1, 2, 3],
        {"update_id": 4, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}},
        {"update_id": 5, "some_future_update_type": {"x": 1}},
    ]
    for update in bad:
        assert await hook.post(update) == 200
    assert await hook.post(None, raw=b"{not json") == 200
    assert await hook.post(None, raw=b"\xff\xfe") == 200
    assert dialogs.received == []
    # The message without any content we understand gets a hint instead of silence.
    assert [c.chat_id for c in fake_api.sent()] == [5]


async def test_unsupported_message_kind_gets_a_hint(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel())
    assert await hook.post(user.sticker()) == 200
    [text] = fake_api.texts(user.user_id)
    assert "only read text" in text


async def test_handler_failure_reaches_user_politely_and_log_has_update_id(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    from structlog.testing import capture_logs

    hook = await webhook(await make_channel())
    update = user.text("boom")
    with capture_logs() as logs:
        assert await hook.post(update) == 200
    [text] = fake_api.texts(user.user_id)
    assert text.startswith("Sorry")
    failures = [entry for entry in logs if entry["event"] == "telegram.update_failed"]
    assert failures
    assert failures[0]["update_id"] == update["update_id"]
    assert failures[0]["error"] == "RuntimeError"


async def test_chinese_user_gets_chinese_apology(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI
) -> None:
    zh_user = UpdateFactory(user_id=777, language_code="zh-hans")
    hook = await webhook(await make_channel())
    assert await hook.post(zh_user.text("boom")) == 200
    [text] = fake_api.texts(777)
    assert "抱歉" in text


async def test_photo_is_downloaded_and_passed_as_url_without_the_token(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    channel = await make_channel(dialogs, public_base_url="https://shop.example.com")
    hook = await webhook(channel)
    file_id = fake_api.seed_file(b"\xff\xd8broken-mug-photo")
    assert await hook.post(user.photo(file_id, caption="it arrived broken")) == 200
    [incoming] = dialogs.received
    assert incoming.kind == "image"
    assert incoming.text == "it arrived broken"
    [url] = incoming.image_urls
    assert url.startswith("https://shop.example.com/media/telegram/")
    assert fake_api.token not in url
    assert channel.config.media_root is not None
    saved = channel.config.media_root / "telegram" / url.rsplit("/", 1)[1]
    assert saved.read_bytes() == b"\xff\xd8broken-mug-photo"
    assert fake_api.calls_to("getFile")
