"""The Telegram channel (aiogram 3): webhook or polling in, durable rate-limited outbox out.

The composition root builds the channel (`chatcart.bootstrap.build_telegram_channel`, only when
CHATCART_TELEGRAM_TOKEN is set) and mounts it with `setup_telegram`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:  # the channel module loads aiogram; importing the package must not
    from bot.telegram.channel import TelegramChannel
    from dialogs.outbound import Outbound


def setup_telegram(app: web.Application, channel: TelegramChannel, outbound: Outbound) -> None:
    """Mount `POST /telegram/webhook`, register the outbound sender, run the outbox worker."""
    from bot.telegram.webhook import webhook_handler

    app[TELEGRAM_CHANNEL] = channel
    app.router.add_post(channel.config.webhook_path, webhook_handler(channel))
    outbound.register("telegram", channel.sender)

    async def start(_: web.Application) -> None:
        await channel.start()

    async def stop(_: web.Application) -> None:
        await channel.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


TELEGRAM_CHANNEL: web.AppKey[TelegramChannel] = web.AppKey("telegram_channel")

__all__ = ["TELEGRAM_CHANNEL", "setup_telegram"]
