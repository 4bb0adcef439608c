"""The `OutboundSender` the dialogs layer pushes through: render now, deliver via the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.telegram.outbox import Outbox
from bot.telegram.render import render
from core.logging_setup import get_logger
from dialogs.messages import Lang, OutgoingMessage
from dialogs.outbound import ChannelAddress

log = get_logger(__name__)
LanguageLookup = Callable[[str, str], Awaitable[Lang]]


class TelegramOutboundSender:
    def __init__(
        self,
        outbox: Outbox,
        *,
        invoices: bool = False,
        language_of: LanguageLookup | None = None,
        default_lang: Lang = "zh",
    ) -> None:
        self.outbox = outbox
        self.invoices = invoices
        self.language_of = language_of
        self.default_lang = default_lang

    async def send(self, address: ChannelAddress, messages: list[OutgoingMessage]) -> None:
        try:
            chat_id = int(address.channel_user_id)
        except ValueError:
            log.warning("telegram.outbound_bad_address", channel_user_id=address.channel_user_id[:40])
            return
        lang = self.default_lang
        if self.language_of is not None:
            lang = await self.language_of(address.channel, address.channel_user_id)
        actions = render(messages, lang, invoices=self.invoices)
        await self.outbox.enqueue(chat_id, actions, lang=lang)
