"""Telegram updates -> channel-neutral `IncomingMessage`s (translation only, no decisions)."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message, User

from dialogs.messages import MAX_TEXT_CHARS, IncomingMessage, Lang, normalize_lang

CHANNEL = "telegram"


def lang_hint(user: User | None) -> Lang | None:
    return normalize_lang(user.language_code) if user is not None else None


def display_name(user: User | None) -> str:
    return user.full_name[:128] if user is not None else ""


def conversation_key(chat_id: int) -> str:
    """Conversations are per chat: in a private chat the chat id is the user id."""
    return str(chat_id)


def from_message(message: Message, *, image_urls: tuple[str, ...] = ()) -> IncomingMessage | None:
    """None for message kinds the dialogs do not understand (stickers, voice, ...)."""
    user = message.from_user
    user_key = conversation_key(message.chat.id)
    common: dict[str, Any] = {
        "channel": CHANNEL,
        "channel_user_id": user_key,
        "lang_hint": lang_hint(user),
        "display_name": display_name(user),
        "message_id": str(message.message_id),
    }
    if message.contact is not None:
        return IncomingMessage(kind="contact", phone=message.contact.phone_number[:32], **common)
    if message.location is not None:
        return IncomingMessage(
            kind="location", latitude=message.location.latitude, longitude=message.location.longitude, **common
        )
    if message.photo:
        return IncomingMessage(
            kind="image", image_urls=image_urls, text=(message.caption or "")[:MAX_TEXT_CHARS], **common
        )
    if message.text:
        parsed = IncomingMessage.from_text(CHANNEL, user_key, message.text, lang_hint(user))
        return parsed.model_copy(update={"display_name": common["display_name"], "message_id": common["message_id"]})
    return None


def button_label(query: CallbackQuery) -> str:
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            if button.callback_data == query.data:
                return button.text
    return ""


def chat_of(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else query.from_user.id


def from_callback(query: CallbackQuery, payload: str) -> IncomingMessage:
    incoming = IncomingMessage.from_button(
        CHANNEL, conversation_key(chat_of(query)), payload, button_label(query), lang_hint(query.from_user)
    )
    return incoming.model_copy(update={"display_name": display_name(query.from_user)})
