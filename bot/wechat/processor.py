"""Answering one WeChat push within the 5-second rule, exactly once.

The dialog runs in its own task. If it answers within the reply budget (default 4 s, WeChat
gives up at 5 s) the first message goes back passively and any further ones through the
customer-service API; otherwise the endpoint answers "success" and the whole answer is sent
through the customer-service API as soon as it is ready. Retries of the same push find the
inbox entry and get the same passive answer (or "success"), never a second processing.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.wechat.api import OUT_OF_WINDOW, WeChatApi, WeChatApiError
from bot.wechat.inbound import Inbound
from bot.wechat.inbox import Inbox
from bot.wechat.links import Links
from bot.wechat.render import WxMessage, WxText, custom_payload, message_from_doc, plan_messages
from bot.wechat.texts import wt
from bot.wechat.users import WeChatUsers
from core.logging_setup import get_logger
from dialogs.messages import IncomingMessage, Lang, OutgoingMessage

log = get_logger("bot.wechat.processor")


class TurnLike(Protocol):
    replies: list[OutgoingMessage]
    lang: Lang


class DialogPort(Protocol):
    """What the WeChat channel needs from `dialogs.engine.DialogEngine`."""

    async def handle_turn(self, incoming: IncomingMessage) -> TurnLike: ...
    async def language_of(self, channel: str, channel_user_id: str) -> Lang: ...


@dataclass
class Answer:
    passive: WxMessage | None  # None -> answer "success"
    followups: list[WxMessage] = field(default_factory=list)  # via the custom API, after the response


class WeChatProcessor:
    def __init__(
        self,
        *,
        dialogs: DialogPort,
        api: WeChatApi,
        inbox: Inbox,
        users: WeChatUsers,
        links: Links,
        budget_seconds: float = 4.0,
        poll_seconds: float = 0.05,
    ) -> None:
        self.dialogs = dialogs
        self.api = api
        self.inbox = inbox
        self.users = users
        self.links = links
        self.budget = budget_seconds
        self.poll = poll_seconds
        self.owner = uuid.uuid4().hex
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- background tasks ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait until every background answer and custom send has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, grace_seconds: float = 10.0) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), grace_seconds)
        for task in list(self._tasks):
            task.cancel()

    # --- answering -----------------------------------------------------------------------------
    async def answer(self, inbound: Inbound, deadline: float | None = None) -> Answer:
        loop = asyncio.get_running_loop()
        deadline = deadline if deadline is not None else loop.time() + self.budget
        key = inbound.dedup_key
        if await self.inbox.claim(key, self.owner, inbound.openid):
            return await self._own(inbound, key, deadline)
        return await self._follow(inbound, key, deadline)

    async def _own(self, inbound: Inbound, key: str, deadline: float) -> Answer:
        task = self.spawn(self._compute(inbound, key))
        remaining = max(0.0, deadline - asyncio.get_running_loop().time())
        try:
            messages = await asyncio.wait_for(asyncio.shield(task), remaining)
        except TimeoutError:
            log.info("wechat.reply_late", key=key)
            if await self.inbox.decide(key, "custom") is not None or await self._mode(key) == "custom":
                self.spawn(self._deliver_when_ready(task, inbound.openid, key))
            return Answer(None)
        return await self._settle(key, inbound.openid, messages, owner=True)

    async def _follow(self, inbound: Inbound, key: str, deadline: float) -> Answer:
        """A retry (or duplicate): wait for the first request's outcome and give the same answer."""
        loop = asyncio.get_running_loop()
        while True:
            entry = await self.inbox.get(key)
            if entry is None:
                return Answer(None)
            if entry.mode == "passive":
                return Answer(message_from_doc(entry.messages[0]) if entry.messages else None)
            if entry.mode is not None:
                return Answer(None)
            if entry.state == "done":  # the owner computed the answer, then vanished
                return await self._settle(
                    key, inbound.openid, [message_from_doc(m) for m in entry.messages], owner=False
                )
            if entry.lease_expired() and await self.inbox.take_over(key, self.owner):
                log.info("wechat.inbox_takeover", key=key)
                return await self._own(inbound, key, deadline)
            if loop.time() >= deadline:
                # Tell the owner to deliver through the custom API: WeChat stops waiting for it.
                await self.inbox.decide(key, "custom")
                return Answer(None)
            await asyncio.sleep(self.poll)

    async def _settle(self, key: str, openid: str, messages: list[WxMessage], *, owner: bool) -> Answer:
        if not messages:
            await self.inbox.decide(key, "none")
            return Answer(None)
        if await self.inbox.decide(key, "passive") is not None:
            return Answer(messages[0], messages[1:])
        entry = await self.inbox.get(key)
        if entry is not None and entry.mode == "passive":
            return Answer(message_from_doc(entry.messages[0]) if entry.messages else None)
        if entry is not None and entry.mode == "custom" and owner:
            self.spawn(self.send_custom(openid, messages, key))
        return Answer(None)

    async def _mode(self, key: str) -> str | None:
        entry = await self.inbox.get(key)
        return entry.mode if entry else None

    async def _deliver_when_ready(self, task: asyncio.Task[list[WxMessage]], openid: str, key: str) -> None:
        try:
            messages = await task
        except Exception:
            return  # already logged by _compute
        await self.send_custom(openid, messages, key)

    # --- the work --------------------------------------------------------------------------
    async def _compute(self, inbound: Inbound, key: str) -> list[WxMessage]:
        heartbeat = self.spawn(self._heartbeat(key))
        try:
            messages = await self._messages_for(inbound)
        except Exception:
            log.exception("wechat.processing_failed", key=key)
            messages = []
        finally:
            heartbeat.cancel()
        await self.inbox.finish(key, self.owner, [m.to_doc() for m in messages])
        return messages

    async def _heartbeat(self, key: str) -> None:
        interval = max(0.5, self.inbox.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            await self.inbox.heartbeat(key, self.owner)

    async def _messages_for(self, inbound: Inbound) -> list[WxMessage]:
        openid = inbound.openid
        if inbound.action == "unsubscribe":
            await self.users.unsubscribed(openid)
            return []
        if inbound.action == "template_finished":
            log.info(
                "wechat.template_finished",
                status=str(inbound.fields.get("Status", ""))[:64],
                msg_id=str(inbound.fields.get("MsgID", ""))[:32],
            )
            return []
        if inbound.opens_window:
            touch: Awaitable[None] = self.users.interacted(
                openid, scene=inbound.scene, subscribed=True if inbound.event.startswith("subscribe") else None
            )
        else:
            touch = asyncio.sleep(0)
        if inbound.action == "dialog" and inbound.incoming is not None:
            turn, _ = await asyncio.gather(self.dialogs.handle_turn(inbound.incoming), touch)
            return plan_messages(list(turn.replies), turn.lang, self.links)
        await touch
        if inbound.action in ("voice_unrecognized", "unsupported"):
            lang = await self.dialogs.language_of("wechat", openid)
            return [WxText(wt(inbound.action, lang))]
        return []

    async def send_custom(self, openid: str, messages: list[WxMessage], key: str | None = None) -> int:
        """Send in order through the customer-service API; stops when the 48-h window is closed."""
        sent = failed = 0
        for message in messages:
            try:
                await self.api.send_custom(openid, custom_payload(message))
                sent += 1
            except WeChatApiError as exc:
                failed += 1
                log.warning("wechat.custom_send_failed", errcode=exc.errcode, key=key)
                if exc.errcode == OUT_OF_WINDOW:
                    await self.users.window_closed(openid)
                    failed += len(messages) - sent - failed
                    break
            except Exception as exc:
                failed += 1
                log.warning("wechat.custom_send_error", error=type(exc).__name__, key=key)
        if key is not None:
            await self.inbox.record_delivery(key, sent, failed)
        return sent
