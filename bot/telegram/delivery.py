"""Executes rendered `TelegramAction`s against the Bot API: sends, edits in place, invoices.

Images: a catalog path (`/media/products/P1.png`) is uploaded from disk when the file is here
(Telegram cannot fetch from a private address), else made absolute with the public base URL;
the file_id Telegram returns is reused afterwards. A photo Telegram refuses falls back to the
same content as a text message, so a bad image never loses the reply.
"""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    FSInputFile,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LabeledPrice,
    Message,
    ReplyKeyboardMarkup,
)

from bot.telegram.callbacks import CallbackStore
from bot.telegram.config import TelegramConfig
from bot.telegram.render import TelegramAction, edits_in_place
from bot.telegram.transport import Transport
from bot.telegram.webhook_reply import open_slot
from core.logging_setup import get_logger
from dialogs.messages import Lang

log = get_logger(__name__)
_TAG = re.compile(r"<[^>]+>")
NOT_MODIFIED = "message is not modified"


@dataclass(frozen=True)
class InvoiceInfo:
    title: str
    description: str
    payload: str  # comes back in pre_checkout_query / successful_payment (<= 128 bytes)
    currency: str
    prices: list[tuple[str, int]]  # label, minor units


class InvoiceSource(Protocol):
    async def invoice(self, order_number: str, lang: Lang) -> InvoiceInfo | None: ...


def plain_text(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup)).strip()


class MediaResolver:
    def __init__(self, public_base_url: str | None, media_root: Path | None, *, cache_size: int = 10_000) -> None:
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.media_root = media_root.resolve() if media_root else None
        self._file_ids: OrderedDict[str, str] = OrderedDict()
        self._cache_size = cache_size

    def local_path(self, url: str) -> Path | None:
        if self.media_root is None or not url.startswith("/media/"):
            return None
        candidate = (self.media_root / url[len("/media/") :]).resolve()
        if not candidate.is_relative_to(self.media_root) or not candidate.is_file():
            return None  # outside the media folder (../ tricks) or missing
        return candidate

    def resolve(self, url: str | None) -> str | FSInputFile | None:
        if not url:
            return None
        if url in self._file_ids:
            return self._file_ids[url]
        if url.startswith(("https://", "http://")):
            return url
        local = self.local_path(url)
        if local is not None:
            return FSInputFile(local)
        if self.public_base_url and url.startswith("/"):
            return self.public_base_url + url
        return None

    def remember(self, url: str | None, message: Message | None) -> None:
        if url and message is not None and message.photo and not url.startswith(("https://", "http://")):
            self._file_ids[url] = message.photo[-1].file_id
            while len(self._file_ids) > self._cache_size:
                self._file_ids.popitem(last=False)


class Delivery:
    def __init__(
        self,
        bot: Bot,
        config: TelegramConfig,
        transport: Transport,
        callbacks: CallbackStore,
        media: MediaResolver,
        invoices: InvoiceSource | None = None,
    ) -> None:
        self.bot = bot
        self.config = config
        self.transport = transport
        self.callbacks = callbacks
        self.media = media
        self.invoices = invoices

    async def _markup(self, raw: dict[str, Any] | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if not raw:
            return None
        if "inline_keyboard" in raw:
            return InlineKeyboardMarkup.model_validate(await self.callbacks.pack(raw))
        return ReplyKeyboardMarkup.model_validate(raw)

    async def send_all(self, chat_id: int, actions: list[TelegramAction], lang: Lang) -> list[Message]:
        """Send the replies in order; the last one may ride in the webhook response instead
        (then it is not among the returned messages: Telegram reports nothing for it)."""
        sent: list[Message] = []
        for index, action in enumerate(actions):
            if index == len(actions) - 1 and await self._answer_in_response(chat_id, action):
                break
            message = await self.send(chat_id, action, lang)
            if message is not None:
                sent.append(message)
        return sent

    async def _answer_in_response(self, chat_id: int, action: TelegramAction) -> bool:
        slot = open_slot()
        if slot is None or not self.config.webhook_replies or action.kind != "text":
            return False
        if not await self.transport.limits.try_acquire(chat_id):
            return False  # a budget is exhausted: a request waits for it (and sees any 429)
        params: dict[str, Any] = {"chat_id": chat_id, "text": action.html, "parse_mode": "HTML"}
        markup = await self._markup(action.reply_markup)
        if markup is not None:
            params["reply_markup"] = markup.model_dump(mode="json", exclude_none=True)
        slot.claim("sendMessage", params)
        return True

    async def send(self, chat_id: int, action: TelegramAction, lang: Lang) -> Message | None:
        markup = await self._markup(action.reply_markup)
        if action.kind == "invoice":
            return await self._send_invoice(chat_id, action, lang)
        if action.kind == "photo":
            photo = self.media.resolve(action.photo)
            if photo is not None:
                try:
                    message = await self.transport.call(
                        chat_id,
                        lambda: self.bot.send_photo(
                            chat_id=chat_id, photo=photo, caption=action.html, parse_mode="HTML", reply_markup=markup
                        ),
                    )
                except TelegramBadRequest as exc:
                    log.warning("telegram.photo_refused", chat_id=chat_id, photo=action.photo, error=exc.message)
                else:
                    self.media.remember(action.photo, message)
                    return message
            return await self._send_text(chat_id, action.fallback_html or action.html, markup)
        return await self._send_text(chat_id, action.html, markup)

    async def _send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None
    ) -> Message:
        return await self.transport.call(
            chat_id, lambda: self.bot.send_message(chat_id=chat_id, text=text, parse_mode="HTML", reply_markup=markup)
        )

    async def _send_invoice(self, chat_id: int, action: TelegramAction, lang: Lang) -> Message | None:
        if self.invoices is None or not self.config.provider_token or not action.order_number:
            return None
        info = await self.invoices.invoice(action.order_number, lang)
        if info is None:  # paid or cancelled meanwhile: the link message is enough
            return None
        prices = [LabeledPrice(label=label[:32], amount=amount) for label, amount in info.prices]
        token = self.config.provider_token
        return await self.transport.call(
            chat_id,
            lambda: self.bot.send_invoice(
                chat_id=chat_id,
                title=info.title[:32],
                description=info.description[:255],
                payload=info.payload,
                provider_token=token,
                currency=info.currency,
                prices=prices,
            ),
        )

    # --- replies to a pressed button ---------------------------------------------------------
    async def reply_to_button(
        self, chat_id: int, source: Message | None, payload: str, actions: list[TelegramAction], lang: Lang
    ) -> None:
        """Pagination and spec choices replace the message they were pressed on."""
        in_place = source is not None and edits_in_place(payload) and len(actions) == 1
        if in_place and source is not None and await self.edit(chat_id, source, actions[0]):
            return
        await self.send_all(chat_id, actions, lang)

    async def edit(self, chat_id: int, source: Message, action: TelegramAction) -> bool:
        """True when the message now shows `action` (or already did); False to send anew."""
        if action.reply_markup and "inline_keyboard" not in action.reply_markup:
            return False  # edited messages can only carry inline keyboards
        markup = await self._markup(action.reply_markup)
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        message_id = source.message_id
        try:
            if action.kind == "text" and source.text is not None:
                if plain_text(action.html) == source.text.strip():
                    await self.transport.call(
                        chat_id,
                        lambda: self.bot.edit_message_reply_markup(
                            chat_id=chat_id, message_id=message_id, reply_markup=inline
                        ),
                    )
                else:
                    await self.transport.call(
                        chat_id,
                        lambda: self.bot.edit_message_text(
                            chat_id=chat_id,
                            message_id=message_id,
                            text=action.html,
                            parse_mode="HTML",
                            reply_markup=inline,
                        ),
                    )
                return True
            if action.kind == "photo" and source.photo:
                photo = self.media.resolve(action.photo)
                if photo is None:
                    return False
                media = InputMediaPhoto(media=photo, caption=action.html, parse_mode="HTML")
                edited = await self.transport.call(
                    chat_id,
                    lambda: self.bot.edit_message_media(
                        chat_id=chat_id, message_id=message_id, media=media, reply_markup=inline
                    ),
                )
                self.media.remember(action.photo, edited if isinstance(edited, Message) else None)
                return True
        except TelegramBadRequest as exc:
            if NOT_MODIFIED in exc.message:
                return True  # pressed the button of the page already shown: nothing to change
            log.info("telegram.edit_failed", chat_id=chat_id, message_id=message_id, error=exc.message)
        return False
