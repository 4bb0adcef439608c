"""Outer update middlewares: log context, exactly-once claims, and never-silent failures."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.telegram.dedup import UpdateClaims
from bot.telegram.ports import UpdateHandling
from bot.telegram.texts import lang_of, shared_text
from core.logging_setup import get_logger
from core.outage import is_database_outage

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = get_logger(__name__)


def update_chat(update: Update) -> tuple[int | None, str | None]:
    """The chat to answer and the user's language code, whatever the update type."""
    if update.message is not None:
        user = update.message.from_user
        return update.message.chat.id, user.language_code if user else None
    if update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return chat_id, query.from_user.language_code
    if update.pre_checkout_query is not None:
        return update.pre_checkout_query.from_user.id, update.pre_checkout_query.from_user.language_code
    return None, None


class ClaimUpdateMiddleware(BaseMiddleware):
    """Drops an update another delivery (or another process) already took."""

    def __init__(self, claims: UpdateClaims) -> None:
        self.claims = claims

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self.claims.claim(event.update_id):
            log.info("telegram.duplicate_update", update_id=event.update_id)
            return None
        return await handler(event, data)


class UpdateNotProcessed(Exception):
    """The update could not be processed now (database outage); the webhook answers 503 so that
    Telegram delivers it again."""

    def __init__(self, update_id: int) -> None:
        super().__init__(f"update {update_id} deferred")
        self.update_id = update_id


class ErrorReplyMiddleware(BaseMiddleware):
    """A failure reaches the log with the update id and the user as a polite message."""

    def __init__(self, channel: UpdateHandling, claims: UpdateClaims) -> None:
        self.channel = channel
        self.claims = claims  # given back when the database is unreachable (see _outage)
        # Updates already told "try again later" (Telegram redelivers them while the outage lasts).
        self._told_unavailable: dict[int, None] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        with structlog.contextvars.bound_contextvars(update_id=event.update_id):
            try:
                return await handler(event, data)
            except Exception as exc:
                if is_database_outage(exc):
                    await self._outage(event)
                    raise UpdateNotProcessed(event.update_id) from exc
                log.exception("telegram.update_failed", update_id=event.update_id, error=type(exc).__name__)
                await self._apologise(event)
                return None

    async def _outage(self, update: Update) -> None:
        """The database is unreachable: say so once, and leave the update unclaimed so that
        Telegram's redelivery (the webhook answers 503) is processed after recovery."""
        log.warning("telegram.update_deferred", update_id=update.update_id, reason="database unavailable")
        if update.update_id not in self._told_unavailable:
            self._told_unavailable[update.update_id] = None
            while len(self._told_unavailable) > 1000:
                self._told_unavailable.pop(next(iter(self._told_unavailable)))
            await self._apologise(update, "error.unavailable")
        await self.claims.release(update.update_id)

    async def _apologise(self, update: Update, key: str = "error.generic") -> None:
        chat_id, language_code = update_chat(update)
        if chat_id is None or update.pre_checkout_query is not None:
            return
        lang = lang_of(language_code, self.channel.default_lang)
        try:
            await self.channel.delivery.transport.call(
                chat_id,
                lambda: self.channel.bot.send_message(
                    chat_id=chat_id, text=html.escape(shared_text(key, lang), quote=False)
                ),
            )
        except Exception as exc:  # the apology itself failed: the log line above is what is left
            log.warning("telegram.apology_failed", update_id=update.update_id, error=type(exc).__name__)
