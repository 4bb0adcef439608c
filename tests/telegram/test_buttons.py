"""Inline buttons: callback answers, pagination and spec choices edited in place."""

from __future__ import annotations

from typing import Any

from bot.telegram.callbacks import STORED_PREFIX
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import PNG, ChannelFactory, ScriptedDialogs, WebhookFactory


def _message(fake_api: FakeTelegramAPI, chat_id: int, message_id: int) -> dict[str, Any]:
    return dict(fake_api.messages[(chat_id, message_id)])


async def _last_sent_message(fake_api: FakeTelegramAPI, chat_id: int) -> dict[str, Any]:
    key = max(k for k in fake_api.messages if k[0] == chat_id)
    return _message(fake_api, *key)


async def test_pagination_edits_the_list_in_place(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    await hook.post(user.text("search"))
    listing = await _last_sent_message(fake_api, user.user_id)
    assert "Page 1 of 3" in listing["text"]
    buttons = [b for row in listing["reply_markup"]["inline_keyboard"] for b in row]
    assert {"text": "Next ▶", "callback_data": "pg:2"} in buttons
    assert {"text": "1 · Details", "callback_data": "p:P10"} in buttons

    await hook.post(user.callback("pg:2", listing))
    assert len(fake_api.sent(user.user_id)) == 1  # no new message
    [edit] = fake_api.calls_to("editMessageText")
    assert edit.params["message_id"] == listing["message_id"]
    edited = _message(fake_api, user.user_id, listing["message_id"])
    assert "Page 2 of 3" in edited["text"]
    assert dialogs.received[-1].kind == "button"
    assert dialogs.received[-1].payload == "pg:2"
    assert dialogs.received[-1].text == "Next ▶"
    assert len(fake_api.calls_to("answerCallbackQuery")) == 1


async def test_pressing_the_shown_page_again_is_not_an_error(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel())
    await hook.post(user.text("search"))
    listing = await _last_sent_message(fake_api, user.user_id)
    await hook.post(user.callback("pg:2", listing))
    page_two = _message(fake_api, user.user_id, listing["message_id"])
    # The old keyboard in the user's app still says "page 2" for a page that is already shown.
    await hook.post(user.callback("pg:2", page_two))
    assert len(fake_api.sent(user.user_id)) == 1
    assert len(fake_api.calls_to("editMessageReplyMarkup", "editMessageText")) == 2
    assert len(fake_api.calls_to("answerCallbackQuery")) == 2
    assert not any(t.startswith("Sorry") for t in fake_api.texts(user.user_id))


async def test_spec_choice_replaces_the_product_photo(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel())
    await hook.post(user.text("card"))
    [photo_call] = fake_api.calls_to("sendPhoto")
    # The relative catalog image was uploaded from disk (multipart), not sent as a URL.
    assert str(photo_call.params["photo"]).startswith("attach://")
    assert list(photo_call.files.values()) == [PNG]
    card = await _last_sent_message(fake_api, user.user_id)
    assert card["caption"].startswith("<b>Mug &lt;P1&gt; &amp; co</b>")
    await hook.post(user.callback("opt:0.1", card))
    [edit] = fake_api.calls_to("editMessageMedia")
    assert edit.params["media"]["media"] == "https://cdn.example.com/p1-white.png"
    assert "<u>White</u>" in edit.params["media"]["caption"]
    assert len(fake_api.sent(user.user_id)) == 1


async def test_other_buttons_answer_with_a_new_message(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel())
    await hook.post(user.text("hello"))
    message = await _last_sent_message(fake_api, user.user_id)
    await hook.post(user.callback("menu", message))
    assert len(fake_api.sent(user.user_id)) == 2
    assert fake_api.calls_to("editMessageText") == []
    assert len(fake_api.calls_to("answerCallbackQuery")) == 1


async def test_failing_callback_answer_does_not_lose_the_reply(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel())
    await hook.post(user.text("hello"))
    message = await _last_sent_message(fake_api, user.user_id)
    fake_api.inject("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired")
    await hook.post(user.callback("menu", message))
    assert len(fake_api.sent(user.user_id)) == 2


async def test_overlong_callback_data_is_stored_server_side(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    channel = await make_channel()
    long_payload = "x" * 100
    markup = {
        "inline_keyboard": [[{"text": "Long", "callback_data": long_payload}, {"text": "Short", "callback_data": "ok"}]]
    }
    packed = await channel.callbacks.pack(markup)
    assert packed is not None
    long_button, short_button = packed["inline_keyboard"][0]
    assert long_button["callback_data"].startswith(STORED_PREFIX)
    assert len(long_button["callback_data"].encode()) <= 64
    assert short_button["callback_data"] == "ok"
    assert await channel.callbacks.unpack(long_button["callback_data"]) == long_payload
    assert await channel.callbacks.unpack(STORED_PREFIX + "unknown") is None
    assert markup["inline_keyboard"][0][0]["callback_data"] == long_payload  # input untouched


async def test_expired_stored_callback_tells_the_user(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    dialogs = ScriptedDialogs()
    hook = await webhook(await make_channel(dialogs))
    await hook.post(user.text("hello"))
    message = await _last_sent_message(fake_api, user.user_id)
    await hook.post(user.callback(STORED_PREFIX + "gone", message))
    assert len(dialogs.received) == 1
    assert "no longer available" in fake_api.texts(user.user_id)[-1]
