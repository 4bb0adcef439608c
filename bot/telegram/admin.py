"""One-off Bot API set-up calls behind `chatcart telegram ...` (webhook, command menu)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import BotCommand

from bot.telegram.config import TelegramConfig
from bot.telegram.texts import text
from dialogs.messages import COMMANDS, LANGS, Lang

# Telegram language codes for the command menu; users with other languages see the default.
MENU_LANGUAGE_CODES: dict[Lang, str] = {"zh": "zh", "en": "en"}


def command_menu(lang: Lang) -> list[BotCommand]:
    return [BotCommand(command=name, description=text(f"commands.{name}", lang)) for name in COMMANDS]


async def set_commands(bot: Bot, default_lang: Lang = "zh") -> dict[str, int]:
    """The "/" menu in Chinese and English, plus the default for every other language."""
    done: dict[str, int] = {}
    for lang in LANGS:
        await bot.set_my_commands(command_menu(lang), language_code=MENU_LANGUAGE_CODES[lang])
        done[MENU_LANGUAGE_CODES[lang]] = len(COMMANDS)
    await bot.set_my_commands(command_menu(default_lang))
    done["default"] = len(COMMANDS)
    return done


async def set_webhook(
    bot: Bot,
    config: TelegramConfig,
    *,
    url: str | None = None,
    drop_pending_updates: bool = False,
    max_connections: int | None = None,
) -> dict[str, Any]:
    target = url or config.webhook_url
    if not target:
        raise ValueError("no webhook URL: set CHATCART_PUBLIC_BASE_URL (https://...) or pass --url")
    if not target.startswith("https://"):
        raise ValueError(f"Telegram only delivers webhooks to https:// URLs, not {target!r}")
    await bot.set_webhook(
        url=target,
        secret_token=config.webhook_secret,
        allowed_updates=list(config.allowed_updates),
        drop_pending_updates=drop_pending_updates,
        max_connections=max_connections,
    )
    return {
        "url": target,
        "allowed_updates": list(config.allowed_updates),
        "drop_pending_updates": drop_pending_updates,
    }


async def delete_webhook(bot: Bot, *, drop_pending_updates: bool = False) -> dict[str, Any]:
    await bot.delete_webhook(drop_pending_updates=drop_pending_updates)
    return {"webhook": "deleted", "drop_pending_updates": drop_pending_updates}


async def webhook_info(bot: Bot) -> dict[str, Any]:
    info = await bot.get_webhook_info()
    return info.model_dump(exclude_none=True, mode="json")
