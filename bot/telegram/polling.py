"""Long polling for development (no public HTTPS URL needed)."""

from __future__ import annotations

from bot.telegram.channel import TelegramChannel
from core.logging_setup import get_logger

log = get_logger(__name__)


async def run_polling(channel: TelegramChannel, *, drop_pending_updates: bool = False) -> None:
    """Poll until cancelled. getUpdates does not work while a webhook is set, so it is removed."""
    await channel.bot.delete_webhook(drop_pending_updates=drop_pending_updates)
    await channel.start()
    log.info("telegram.polling_started", allowed_updates=list(channel.config.allowed_updates))
    try:
        await channel.dispatcher.start_polling(
            channel.bot,
            allowed_updates=list(channel.config.allowed_updates),
            handle_signals=False,
            close_bot_session=False,
        )
    finally:
        await channel.stop()
