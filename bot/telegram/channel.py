"""The Telegram channel assembled: bot client, dispatcher, delivery, outbox, claims, payments.

One `TelegramChannel` per process. Webhook mode feeds it from chatcart's aiohttp app
(`bot.telegram.webhook`), polling mode from `aiogram`'s long polling (`bot.telegram.polling`);
both go through the same dispatcher, middlewares and handlers.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import (
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetUpdates,
    SendInvoice,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response
from aiogram.types import Message, Update
from pydantic import ValidationError

from bot.telegram import callbacks, chats, dedup, outbox
from bot.telegram.callbacks import CallbackStore
from bot.telegram.chats import ChatRegistry
from bot.telegram.config import TelegramConfig
from bot.telegram.dedup import RedisSetter, UpdateClaims
from bot.telegram.delivery import Delivery, MediaResolver
from bot.telegram.handlers import build_router
from bot.telegram.middlewares import ClaimUpdateMiddleware, ErrorReplyMiddleware
from bot.telegram.outbound import TelegramOutboundSender
from bot.telegram.outbox import Outbox
from bot.telegram.payments import TelegramPayments
from bot.telegram.render import render
from bot.telegram.texts import lang_of
from bot.telegram.transport import ChatUnavailable, Transport
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, ensure_indexes
from dialogs.engine import TurnResult
from dialogs.messages import IncomingMessage, Lang, OutgoingMessage

log = get_logger(__name__)
INDEXES: list[CollectionIndexes] = [*dedup.INDEXES, *chats.INDEXES, *callbacks.INDEXES, *outbox.INDEXES]
MAX_PHOTO_BYTES = 20 * 1024 * 1024  # the Bot API's download limit
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]")


class DialogPort(Protocol):
    """What the channel needs from `dialogs.engine.DialogEngine`."""

    async def handle_turn(self, incoming: IncomingMessage) -> TurnResult: ...
    async def language_of(self, channel: str, channel_user_id: str) -> Lang: ...


# The Bot API calls made for every update. aiogram validates each reply with `Response[<result
# type>]`, a pydantic generic class that pydantic caches only weakly: whenever the garbage collector
# has freed it, the next reply rebuilds its whole schema (milliseconds, the biggest single cost of a
# send under load). Holding these classes keeps them built for the life of the process.
_HOT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    SendMessage,
    SendPhoto,
    SendInvoice,
    EditMessageText,
    EditMessageReplyMarkup,
    EditMessageMedia,
    AnswerCallbackQuery,
    AnswerPreCheckoutQuery,
    GetFile,
    GetUpdates,
)
_response_models: list[type[Any]] = []


def keep_response_models_built() -> None:
    if not _response_models:
        _response_models.extend(Response[method.__returning__] for method in _HOT_METHODS)  # type: ignore[name-defined]


def make_bot(config: TelegramConfig) -> Bot:
    keep_response_models_built()
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_base)) if config.api_base else AiohttpSession()
    session.timeout = config.request_timeout_seconds
    return Bot(
        config.token, session=session, default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True)
    )


class TelegramChannel:
    def __init__(
        self,
        config: TelegramConfig,
        db: Database,
        dialogs: DialogPort,
        *,
        payments: TelegramPayments | None = None,
        bot: Bot | None = None,
        redis: RedisSetter | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.dialogs = dialogs
        self.default_lang: Lang = lang_of(config.default_lang)
        self.bot = bot or make_bot(config)
        self.chats = ChatRegistry(db)
        self.callbacks = CallbackStore(db)
        self.transport = Transport(config, self.chats)
        self.media = MediaResolver(config.public_base_url, config.media_root)
        self.payments = payments if config.payments_enabled else None
        self.delivery = Delivery(self.bot, config, self.transport, self.callbacks, self.media, invoices=self.payments)
        self.outbox = Outbox(
            db,
            self.delivery,
            self.chats,
            lease_seconds=config.outbox_lease_seconds,
            poll_seconds=config.outbox_poll_seconds,
            concurrency=config.outbox_concurrency,
            max_attempts=config.outbox_max_attempts,
            worker_id=worker_id,
        )
        self.sender = TelegramOutboundSender(
            self.outbox,
            invoices=self.payments is not None,
            language_of=dialogs.language_of,
            default_lang=self.default_lang,
        )
        self.claims = UpdateClaims(db, self.bot.id, redis=redis)
        self.dispatcher = self._dispatcher()

    def _dispatcher(self) -> Dispatcher:
        # The dialog engine keeps the conversation state; aiogram's FSM would be a second one.
        dispatcher = Dispatcher(name="chatcart-telegram", disable_fsm=True)
        dispatcher["channel"] = self
        # Registration order = nesting order. Errors outermost: a claim the database cannot take
        # (an outage) is answered like any other outage; then the claim, so a repeat costs one insert.
        dispatcher.update.outer_middleware(ErrorReplyMiddleware(self, self.claims))
        dispatcher.update.outer_middleware(ClaimUpdateMiddleware(self.claims))
        dispatcher.include_router(build_router())
        return dispatcher

    def payments_required(self) -> TelegramPayments:
        """Payment updates only arrive when invoices were sent, i.e. payments are configured."""
        if self.payments is None:
            raise RuntimeError("a Telegram payment update arrived but CHATCART_TELEGRAM_PROVIDER_TOKEN is not set")
        return self.payments

    # --- lifecycle -------------------------------------------------------------------------------
    async def ensure_indexes(self) -> None:
        await ensure_indexes(self.db, INDEXES)

    async def start(self) -> None:
        await self.ensure_indexes()
        self.outbox.start()

    async def stop(self) -> None:
        await self.outbox.stop()
        await self.bot.session.close()

    # --- updates in ------------------------------------------------------------------------------
    async def feed(self, data: object) -> bool:
        """Process one update in Telegram's JSON shape; False when it was not a valid update."""
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("telegram.bad_update", reason="not an update object")
            return False
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except ValidationError as exc:
            log.warning("telegram.bad_update", update_id=data.get("update_id"), errors=exc.error_count())
            return False
        try:
            update.event_type  # noqa: B018 - raises for update types this aiogram does not know
        except Exception:
            log.warning("telegram.bad_update", update_id=update.update_id, reason="unknown update type")
            return False
        await self.dispatcher.feed_update(self.bot, update)
        return True

    # --- the dialog --------------------------------------------------------------------------------
    async def converse(
        self, chat_id: int, incoming: IncomingMessage, *, source: Message | None = None, payload: str | None = None
    ) -> None:
        """Let the dialog answer `incoming` and show the answer in the chat."""
        await self.chats.seen(chat_id)
        replies, lang = await self._dialog_turn(incoming)
        actions = render(replies, lang, invoices=self.payments is not None)
        try:
            if payload is not None:
                await self.delivery.reply_to_button(chat_id, source, payload, actions, lang)
            else:
                await self.delivery.send_all(chat_id, actions, lang)
        except ChatUnavailable:
            log.info("telegram.reply_to_unavailable_chat", chat_id=chat_id)

    async def _dialog_turn(self, incoming: IncomingMessage) -> tuple[list[OutgoingMessage], Lang]:
        result = await self.dialogs.handle_turn(incoming)
        return list(result.replies), result.lang

    async def download_photo(self, message: Message) -> tuple[str, ...]:
        """The largest size saved under <media>/telegram/, as a URL the shop can show staff.
        Telegram's own file URL embeds the bot token, so it is never passed on."""
        if not message.photo or self.config.media_root is None:
            return ()
        photo = message.photo[-1]
        if photo.file_size and photo.file_size > MAX_PHOTO_BYTES:
            return ()
        name = _SAFE_NAME.sub("_", photo.file_unique_id)[:64] + ".jpg"
        target = self.config.media_root / "telegram" / name
        try:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                file = await self.transport.call(None, lambda: self.bot.get_file(photo.file_id), limited=False)
                if not file.file_path:
                    return ()
                partial = target.with_suffix(".part")
                await self.bot.download_file(file.file_path, destination=partial)
                partial.replace(target)
        except Exception as exc:  # the message still reaches the dialog, without the photo
            log.warning("telegram.photo_download_failed", error=type(exc).__name__)
            return ()
        url = f"/media/telegram/{name}"
        return (self.config.public_base_url.rstrip("/") + url if self.config.public_base_url else url,)
