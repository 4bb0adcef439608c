"""Pushing messages to a customer outside a reply: payment confirmations, agent messages.

Each channel registers an `OutboundSender`; everything pushed is also kept in the transcript.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from core.logging_setup import get_logger
from dialogs.messages import OutgoingMessage, signed_by
from dialogs.state import conversation_id
from dialogs.transcript import Sender, Transcript

log = get_logger(__name__)


@dataclass(frozen=True)
class ChannelAddress:
    channel: str
    channel_user_id: str

    @property
    def conversation_id(self) -> str:
        return conversation_id(self.channel, self.channel_user_id)


class OutboundSender(Protocol):
    async def send(self, address: ChannelAddress, messages: list[OutgoingMessage]) -> None: ...


class CollectingSender:
    """Keeps pushed messages per user until collected (terminal script mode, tests, web chat
    users that are offline and will fetch them on reconnect)."""

    def __init__(self) -> None:
        self.pending: dict[str, list[OutgoingMessage]] = defaultdict(list)

    async def send(self, address: ChannelAddress, messages: list[OutgoingMessage]) -> None:
        self.pending[address.channel_user_id].extend(messages)

    def collect(self, channel_user_id: str) -> list[OutgoingMessage]:
        return self.pending.pop(channel_user_id, [])


class Outbound:
    """Routes pushed messages to the sender of the customer's channel."""

    def __init__(self, transcript: Transcript | None = None) -> None:
        self._senders: dict[str, OutboundSender] = {}
        self.transcript = transcript

    def register(self, channel: str, sender: OutboundSender) -> None:
        self._senders[channel] = sender

    def sender_for(self, channel: str) -> OutboundSender | None:
        return self._senders.get(channel)

    async def send(
        self,
        address: ChannelAddress,
        messages: list[OutgoingMessage],
        *,
        sender: Sender = "bot",
        agent_id: str | None = None,
        agent_name: str = "",
    ) -> bool:
        """Deliver; False (and a log line) when the channel has no sender or delivery failed.
        `agent_name` signs the messages with the person's display name (chats show who talks)."""
        if not messages:
            return True
        if agent_name:
            messages = [signed_by(message, agent_name) for message in messages]
        if self.transcript is not None:
            await self.transcript.record_out(address.conversation_id, messages, sender=sender, agent_id=agent_id)
        channel_sender = self._senders.get(address.channel)
        if channel_sender is None:
            log.warning("outbound.no_sender", channel=address.channel)
            return False
        try:
            await channel_sender.send(address, messages)
        except Exception as exc:  # a dead chat connection must not break the commerce event loop
            log.warning("outbound.failed", channel=address.channel, error=type(exc).__name__)
            return False
        return True
