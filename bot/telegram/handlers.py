"""aiogram handlers: translate the update, hand it to the channel, answer Telegram's queries.

No shop logic here: `updates` translates, `TelegramChannel.converse` runs the dialog and
delivers the replies, `payments` decides about invoices.
"""

from __future__ import annotations

import asyncio
import html

from aiogram import Router
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery

from bot.telegram import updates
from bot.telegram.ports import UpdateHandling
from bot.telegram.texts import lang_of, shared_text, text
from core.logging_setup import get_logger

log = get_logger(__name__)
PRE_CHECKOUT_BUDGET_SECONDS = 8.0  # Telegram cancels the payment when we take longer than 10 s


# Filters are coroutines on purpose: aiogram runs a plain callable filter (magic `F.photo` included)
# in a worker thread through asyncio.to_thread, a thread hop per filter per update.
async def has_successful_payment(message: Message) -> bool:
    return message.successful_payment is not None


async def has_photo(message: Message) -> bool:
    return bool(message.photo)


async def has_text_contact_or_location(message: Message) -> bool:
    return message.text is not None or message.contact is not None or message.location is not None


async def on_message(message: Message, channel: UpdateHandling) -> None:
    incoming = updates.from_message(message)
    if incoming is not None:
        await channel.converse(message.chat.id, incoming)


async def on_successful_payment(message: Message, channel: UpdateHandling) -> None:
    payment = message.successful_payment
    assert payment is not None
    confirmation = await channel.payments_required().confirm(
        payment.invoice_payload, payment.currency, payment.total_amount, payment.telegram_payment_charge_id
    )
    # The "payment confirmed" message comes from the order.paid event, like for any provider.
    log.info(
        "telegram.successful_payment", order=confirmation.order_number, new=confirmation.new, result=confirmation.result
    )


async def on_photo(message: Message, channel: UpdateHandling) -> None:
    image_urls = await channel.download_photo(message)
    incoming = updates.from_message(message, image_urls=image_urls)
    if incoming is not None:
        await channel.converse(message.chat.id, incoming)


async def on_unsupported(message: Message, channel: UpdateHandling) -> None:
    lang = lang_of(message.from_user.language_code if message.from_user else None, channel.default_lang)
    await channel.delivery.transport.call(
        message.chat.id, lambda: message.answer(html.escape(text("unsupported", lang), quote=False))
    )


async def on_button(query: CallbackQuery, channel: UpdateHandling) -> None:
    # Answer first: it stops the spinner on the user's button even if the dialog is slow.
    try:
        await channel.delivery.transport.call(None, lambda: query.answer(), limited=False)
    except Exception as exc:  # an expired query id must not cost the user the reply
        log.info("telegram.callback_answer_failed", error=type(exc).__name__)
    chat_id = updates.chat_of(query)
    payload = await channel.callbacks.unpack(query.data or "")
    if not payload:
        lang = lang_of(query.from_user.language_code, channel.default_lang)
        await channel.delivery.transport.call(
            chat_id,
            lambda: channel.bot.send_message(
                chat_id=chat_id, text=html.escape(shared_text("generic.button_expired", lang), quote=False)
            ),
        )
        return
    source = query.message if isinstance(query.message, Message) else None
    await channel.converse(chat_id, updates.from_callback(query, payload), source=source, payload=payload)


async def on_pre_checkout(query: PreCheckoutQuery, channel: UpdateHandling) -> None:
    lang = lang_of(query.from_user.language_code, channel.default_lang)
    try:
        problem = await asyncio.wait_for(
            channel.payments_required().pre_checkout(query.invoice_payload, query.currency, query.total_amount),
            timeout=PRE_CHECKOUT_BUDGET_SECONDS,
        )
    except Exception as exc:  # a timeout or failure must still be answered, with a refusal
        log.warning("telegram.pre_checkout_check_failed", error=type(exc).__name__)
        problem = "pre_checkout.unavailable"
    if problem is None:
        await channel.delivery.transport.call(None, lambda: query.answer(ok=True), limited=False)
    else:
        await channel.delivery.transport.call(
            None, lambda: query.answer(ok=False, error_message=text(problem, lang)), limited=False
        )
    log.info("telegram.pre_checkout", ok=problem is None, reason=problem)


def build_router() -> Router:
    """A fresh router with the handlers (an aiogram router belongs to one dispatcher, so each
    channel gets its own instead of sharing a module-level one)."""
    router = Router(name="chatcart.telegram")
    # Most updates are text: its handler is registered first, so aiogram tries one filter for them.
    router.message.register(on_message, has_text_contact_or_location)
    router.message.register(on_successful_payment, has_successful_payment)
    router.message.register(on_photo, has_photo)
    router.message.register(on_unsupported)
    router.callback_query.register(on_button)
    router.pre_checkout_query.register(on_pre_checkout)
    return router
