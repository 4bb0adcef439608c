"""Pushing messages to WeChat users outside a passive reply (agent messages, notifications).

Registered as the dialogs' outbound sender for the "wechat" channel. Customer-service
messages are only allowed within 48 hours of the user's last interaction; outside it the
send is refused here (and commerce notices go out as template messages, see `notifier`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.wechat.links import Links
from bot.wechat.processor import WeChatProcessor
from bot.wechat.render import plan_messages
from bot.wechat.users import WeChatUsers
from dialogs.messages import Lang, OutgoingMessage
from dialogs.outbound import ChannelAddress

LanguageOf = Callable[[str, str], Awaitable[Lang]]


class ServiceWindowClosed(RuntimeError):
    """The user has not interacted for 48 hours: WeChat would refuse the message (45015)."""


class WeChatSender:
    def __init__(self, processor: WeChatProcessor, users: WeChatUsers, links: Links, language_of: LanguageOf) -> None:
        self.processor = processor
        self.users = users
        self.links = links
        self.language_of = language_of

    async def send(self, address: ChannelAddress, messages: list[OutgoingMessage]) -> None:
        openid = address.channel_user_id
        if not await self.users.window_open(openid):
            raise ServiceWindowClosed("the 48-hour customer-service window is closed")
        lang = await self.language_of(address.channel, openid)
        planned = plan_messages(messages, lang, self.links)
        sent = await self.processor.send_custom(openid, planned)
        if sent < len(planned):
            raise RuntimeError(f"only {sent} of {len(planned)} WeChat messages were delivered")
