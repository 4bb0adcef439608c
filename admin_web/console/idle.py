"""Agents who go quiet: a conversation an agent took over but has not written in for the
idle timeout goes back to the queue, and the customer is told.

Every server process may run this sweep; the hand-back is one guarded update (it only
matches while the same agent still owns the conversation), so only one process wins and
only the winner tells the customer.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING

from admin_web.i18n import translate
from admin_web.queries import AdminQueries
from core.logging_setup import get_logger
from core.mongo import utcnow
from dialogs.messages import HandoffNotice
from dialogs.outbound import ChannelAddress

if TYPE_CHECKING:
    from dialogs.engine import DialogEngine

log = get_logger("admin_web.idle")


class IdleSweeper:
    def __init__(
        self, queries: AdminQueries, dialogs: DialogEngine, *, timeout: timedelta, interval_seconds: float = 30.0
    ) -> None:
        self.queries = queries
        self.dialogs = dialogs  # its handoff store and outbound
        self.timeout = timeout
        self.interval_seconds = interval_seconds
        self._task: asyncio.Task[None] | None = None

    async def sweep(self) -> list[str]:
        """Return idle agent conversations to the queue; the ids that were handed back."""
        now = utcnow()
        returned: list[str] = []
        for doc in await self.queries.idle_agent_conversations(now - self.timeout):
            agent_id = (doc.get("handoff") or {}).get("agent_id")
            state = await self.dialogs.handoff.store.update_handoff(
                doc["_id"],
                {"status": "waiting", "reason": "agent_idle", "since": now, "previous_agent": agent_id},
                expect=["agent"],
                agent_id=agent_id,
            )
            if state is None:
                continue  # the agent wrote, released, or another process got there first
            lang = "en" if state.lang == "en" else "zh"
            notice = HandoffNotice(text=translate(lang, "customer.agent_idle"), status="waiting")
            await self.dialogs.outbound.send(
                ChannelAddress(state.channel, state.channel_user_id), [notice], sender="system"
            )
            log.info("handoff_agent_idle", conversation=state.id, agent_id=agent_id)
            returned.append(state.id)
        return returned

    async def run_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("idle_sweep_failed")
            await asyncio.sleep(self.interval_seconds)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run_forever(), name="admin-idle-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
