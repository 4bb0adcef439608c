"""Human handoff: the queue of conversations waiting for an agent, and the agent's actions.

While an agent owns a conversation the bot stays silent; the customer's messages are kept
in the transcript and passed to listeners (the agent console), and the agent's messages go
out through the customer's channel. Status changes are single guarded updates, so two
agents can never take the same conversation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from commerce.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.mongo import utcnow
from dialogs.i18n import t
from dialogs.messages import Button, HandoffNotice, IncomingMessage, TextReply
from dialogs.outbound import ChannelAddress, Outbound
from dialogs.state import ConversationState, ConversationStore

CustomerMessageListener = Callable[[ConversationState, IncomingMessage], Awaitable[None]]
MAX_AGENT_TEXT = 4000


class HandoffService:
    def __init__(self, store: ConversationStore, outbound: Outbound) -> None:
        self.store = store
        self.outbound = outbound
        self._listeners: list[CustomerMessageListener] = []

    # --- engine side ----------------------------------------------------------------------
    @staticmethod
    def mark_waiting(state: ConversationState, reason: str) -> None:
        """Called inside a dialog turn (saved with the rest of the state)."""
        if state.handoff_status == "none":
            state.handoff = {"status": "waiting", "reason": reason, "since": utcnow()}
            state.end_flow()

    @staticmethod
    def cancel_waiting(state: ConversationState) -> bool:
        if state.handoff_status != "waiting":
            return False
        state.handoff = {"status": "none"}
        return True

    def listen(self, listener: CustomerMessageListener) -> None:
        self._listeners.append(listener)

    async def customer_message(self, state: ConversationState, message: IncomingMessage) -> None:
        for listener in self._listeners:
            await listener(state, message)

    # --- agent side -------------------------------------------------------------------------
    async def queue(self, limit: int = 100) -> list[ConversationState]:
        """Conversations waiting for an agent, longest-waiting first."""
        return await self.store.waiting(limit)

    async def take_over(self, conversation: str, agent_id: str, agent_name: str = "") -> ConversationState:
        """`agent_name`: the display name the customer sees (never the internal id)."""
        agent_id = _agent(agent_id)
        state = await self.store.update_handoff(
            conversation, {"status": "agent", "agent_id": agent_id, "since": utcnow()}, expect=["waiting", "none"]
        )
        if state is None:
            if await self.store.get(conversation) is None:
                raise NotFound("conversation not found", details={"conversation": conversation})
            raise Conflict("conversation is already handled by another agent", code="handoff_taken")
        text = t("handoff.agent_joined_named", state.lang, name=agent_name) if agent_name else None
        notice = HandoffNotice(text=text or t("handoff.agent_joined", state.lang), status="agent")
        await self.outbound.send(_address(state), [notice], sender="system", agent_id=agent_id, agent_name=agent_name)
        return state

    async def agent_send(self, conversation: str, agent_id: str, text: str, agent_name: str = "") -> None:
        agent_id = _agent(agent_id)
        text = text.strip()
        if not text or len(text) > MAX_AGENT_TEXT:
            raise ValidationFailed("message must be 1-4000 characters", details={"field": "text"})
        state = await self.store.get(conversation)
        if state is None:
            raise NotFound("conversation not found", details={"conversation": conversation})
        if state.handoff_status != "agent" or state.handoff.get("agent_id") != agent_id:
            raise Forbidden("take over the conversation before writing in it", code="handoff_not_owner")
        await self.outbound.send(
            _address(state), [TextReply(text=text)], sender="agent", agent_id=agent_id, agent_name=agent_name
        )

    async def release(self, conversation: str, agent_id: str | None = None, agent_name: str = "") -> ConversationState:
        """Hand the conversation back to the bot (`agent_id` guards against releasing another's)."""
        state = await self.store.update_handoff(
            conversation,
            {"status": "none", "released_at": utcnow()},
            expect=["agent", "waiting"],
            agent_id=_agent(agent_id) if agent_id is not None else None,
        )
        if state is None:
            if await self.store.get(conversation) is None:
                raise NotFound("conversation not found", details={"conversation": conversation})
            raise Conflict("conversation is not with this agent", code="handoff_not_owner")
        notice = HandoffNotice(
            text=t("handoff.released_named", state.lang, name=agent_name)
            if agent_name
            else t("handoff.released", state.lang),
            status="released",
            buttons=(
                Button(label=t("menu.search", state.lang), payload="intent:search_product"),
                Button(label=t("menu.cart", state.lang), payload="cart"),
            ),
        )
        await self.outbound.send(_address(state), [notice], sender="system", agent_name=agent_name)
        return state

    @staticmethod
    def describe(state: ConversationState) -> dict[str, Any]:
        return {
            "conversation": state.id,
            "channel": state.channel,
            "customer_id": state.customer_id,
            "status": state.handoff_status,
            "agent_id": state.handoff.get("agent_id"),
            "reason": state.handoff.get("reason"),
            "since": state.handoff.get("since"),
        }


def _agent(agent_id: str) -> str:
    agent_id = (agent_id or "").strip()
    if not agent_id or len(agent_id) > 64:
        raise ValidationFailed("agent id is required", details={"field": "agent_id"})
    return agent_id


def _address(state: ConversationState) -> ChannelAddress:
    return ChannelAddress(state.channel, state.channel_user_id)
