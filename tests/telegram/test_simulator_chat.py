"""`python -m simulators telegram`: the terminal view of a customer's chat drives the real channel
in polling mode, as a person trying the bot without a Telegram account would."""

from __future__ import annotations

import asyncio

from bot.telegram.polling import run_polling
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from simulators.telegram_chat import TelegramChatView
from tests.telegram.conftest import ChannelFactory, ScriptedDialogs


async def test_typed_text_and_pressed_buttons_reach_the_bot_and_its_answers_are_shown(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI
) -> None:
    dialogs = ScriptedDialogs()
    channel = await make_channel(dialogs)
    fake_api.long_poll = True
    view = TelegramChatView(fake_api, UpdateFactory(user_id=5150))
    polling = asyncio.create_task(run_polling(channel))
    try:
        fake_api.queue_update(view.user.text("card"))
        await fake_api.wait_for(lambda: len(fake_api.sent(5150)) >= 1)
        blocks = view.news()
        assert len(blocks) == 1
        assert blocks[0].startswith("[photo]\nMug <P1> & co  ¥29.00\nIn stock")
        add = next(number for number, button in view.buttons.items() if button.label == "Add to cart")
        assert f"[{add}] Add to cart" in blocks[0]
        assert view.news() == []  # shown once

        pressed = view.press(add)
        assert isinstance(pressed, dict)
        fake_api.queue_update(pressed)
        await fake_api.wait_for(lambda: any(m.payload == "addp:P1" for m in dialogs.received))
        await fake_api.wait_for(lambda: len(fake_api.sent(5150)) >= 2)
        assert any(block.startswith("echo: ") for block in view.news())
        assert view.press(999) == "there is no button 999"
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
    # Long polls waited for the updates instead of asking in a busy loop.
    assert len(fake_api.calls_to("getUpdates")) <= 6


async def test_link_buttons_are_shown_with_their_address_and_not_pressed(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI
) -> None:
    channel = await make_channel(ScriptedDialogs())
    fake_api.long_poll = True
    view = TelegramChatView(fake_api, UpdateFactory(user_id=5151))
    polling = asyncio.create_task(run_polling(channel))
    try:
        fake_api.queue_update(view.user.text("pay"))
        await fake_api.wait_for(lambda: len(fake_api.sent(5151)) >= 1)
        [block] = view.news()
        assert "Pay now <https://shop.example.com/pay/x>" in block
        [number] = [n for n, button in view.buttons.items() if button.url]
        assert view.press(number) == f"button {number} opens https://shop.example.com/pay/x in the browser"
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
