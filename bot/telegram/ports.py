"""What the aiogram handlers and middlewares use of the channel.

`TelegramChannel` registers the handlers and middlewares, so they cannot import it without
an import circle; they depend on this view of it instead, and the channel satisfies it.
"""

from __future__ import annotations

from typing import Protocol

from aiogram import Bot
from aiogram.types import Message

from bot.telegram.callbacks import CallbackStore
from bot.telegram.delivery import Delivery
from bot.telegram.payments import TelegramPayments
from dialogs.messages import IncomingMessage, Lang


class UpdateHandling(Protocol):
    default_lang: Lang
    bot: Bot
    callbacks: CallbackStore
    delivery: Delivery

    async def converse(
        self, chat_id: int, incoming: IncomingMessage, *, source: Message | None = None, payload: str | None = None
    ) -> None:
        """Let the dialog answer `incoming` and show the answer in the chat."""

    def payments_required(self) -> TelegramPayments:
        """The payments of an invoice update (present whenever invoices are sent)."""

    async def download_photo(self, message: Message) -> tuple[str, ...]:
        """The customer's photo saved locally, as URLs the shop can show staff."""
