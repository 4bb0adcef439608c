"""`chatcart telegram` set-up calls against the fake Bot API, and long polling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.telegram.admin import delete_webhook, set_commands, set_webhook, webhook_info
from bot.telegram.config import ALLOWED_UPDATES
from bot.telegram.polling import run_polling
from chatcart.bootstrap import telegram_config
from chatcart.settings import Settings
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import ChannelFactory, ScriptedDialogs


async def test_set_webhook_sends_secret_allowed_updates_and_drop_flag(
    make_channel: ChannelFactory, fake_api: FakeTelegramAPI
) -> None:
    channel = await make_channel(public_base_url="https://shop.example.com")
    fake_api.updates.append({"update_id": 1})
    result = await set_webhook(channel.bot, channel.config, drop_pending_updates=True)
    assert result["url"] == "https://shop.example.com/telegram/webhook"
    assert fake_api.webhook["secret_token"] == channel.config.webhook_secret
    assert fake_api.webhook["allowed_updates"] == list(ALLOWED_UPDATES)
    assert fake_api.webhook["drop_pending_updates"] is True
    assert fake_api.updates == []
    info = await webhook_info(channel.bot)
    assert info["url"] == "https://shop.example.com/telegram/webhook"
    await delete_webhook(channel.bot)
    assert fake_api.webhook["url"] == ""


async def test_set_webhook_refuses_plain_http(make_channel: ChannelFactory) -> None:
    channel = await make_channel(public_base_url="http://127.0.0.1:8080")
    with pytest.raises(ValueError, match="https"):
        await set_webhook(channel.bot, channel.config)


async def test_command_menu_in_both_languages(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    channel = await make_channel()
    await set_commands(channel.bot)
    assert set(fake_api.commands) == {"zh", "en", ""}
    assert {c["command"] for c in fake_api.commands["en"]} == {"start", "cart", "orders", "help", "human", "lang"}
    assert next(c for c in fake_api.commands["zh"] if c["command"] == "cart")["description"] == "查看购物车"


async def test_polling_mode_uses_the_same_handlers(make_channel: ChannelFactory, fake_api: FakeTelegramAPI) -> None:
    dialogs = ScriptedDialogs()
    channel = await make_channel(dialogs)
    fake_api.webhook["url"] = "https://old.example.com/hook"
    user = UpdateFactory(user_id=31337)
    update = user.text("hello from polling")
    fake_api.updates.extend([update, dict(update)])  # re-delivered: processed once
    task = asyncio.create_task(run_polling(channel))
    await fake_api.wait_for(lambda: len(fake_api.sent(31337)) >= 1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert fake_api.webhook["url"] == ""  # the webhook was removed first
    assert [m.text for m in dialogs.received] == ["hello from polling"]
    get_updates = fake_api.calls_to("getUpdates")[0]
    assert get_updates.params["allowed_updates"] == list(ALLOWED_UPDATES)


def test_config_from_settings_reads_secrets_and_generates_a_webhook_secret(tmp_path: Path) -> None:
    settings = Settings(
        telegram_token=SecretStr("123:abc"),
        telegram_provider_token=SecretStr(""),
        public_base_url="https://shop.example.com",
        data_dir=tmp_path,
        telegram_chat_rate_per_second=2.5,
    )
    config = telegram_config(settings)
    assert config is not None
    again = telegram_config(settings)
    assert again is not None
    assert again.webhook_secret == config.webhook_secret
    assert config.provider_token is None
    assert config.chat_rate_per_second == 2.5
    assert config.media_root == tmp_path / "media"
    assert config.webhook_url == "https://shop.example.com/telegram/webhook"
    assert telegram_config(settings.model_copy(update={"telegram_token": SecretStr("")})) is None
    assert telegram_config(settings.model_copy(update={"telegram_token": None})) is None
