"""Every Bot API call that sends something goes through here: rate limits, flood control,
retries and the blocked-user rule, in one place for replies and pushed messages alike.

- About 30 messages/s per bot overall, about 1/s per chat (a burst of a few is tolerated),
  20/min per group: aiolimiter leaky buckets.
- 429: `retry_after` pauses ALL sends of this process (flood limits are per bot), then retries.
- 5xx and network errors: retried with exponential backoff (tenacity).
- 403 (bot blocked, user deactivated, kicked): the chat is recorded as blocked and
  `ChatUnavailable` is raised; nothing is retried.
Limits are per process; several processes share Telegram's budget, so lower them there.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiolimiter import AsyncLimiter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.telegram.chats import ChatRegistry
from bot.telegram.config import TelegramConfig
from core.logging_setup import get_logger

T = TypeVar("T")
CHAT_BURST = 3  # a reply of a card plus a text must not wait a second between them
MAX_FLOOD_RETRIES = 5
log = get_logger(__name__)


class ChatUnavailable(Exception):
    """The chat blocked the bot (or is gone): stop messaging it."""

    def __init__(self, chat_id: int, reason: str) -> None:
        super().__init__(f"chat {chat_id} unavailable: {reason}")
        self.chat_id = chat_id
        self.reason = reason


class RateLimits:
    def __init__(self, config: TelegramConfig, *, max_chats: int = 50_000) -> None:
        self.config = config
        self._global = AsyncLimiter(config.global_rate_per_second, 1)
        self._chats: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._max_chats = max_chats
        self._paused_until = 0.0

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            if chat_id < 0:  # groups, supergroups and channels
                limiter = AsyncLimiter(self.config.group_rate_per_minute, 60)
            else:
                limiter = AsyncLimiter(CHAT_BURST, CHAT_BURST / self.config.chat_rate_per_second)
            self._chats[chat_id] = limiter
            while len(self._chats) > self._max_chats:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat_id)
        return limiter

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def try_acquire(self, chat_id: int | None) -> bool:
        """Take one send from the budgets if that needs no waiting; False (nothing taken) if it would."""
        if self._paused_until > time.monotonic():
            return False
        chat = self._chat_limiter(chat_id) if chat_id is not None else None
        if not self._global.has_capacity() or (chat is not None and not chat.has_capacity()):
            return False
        # Both have room, so neither acquire suspends: nothing can take the room in between.
        if chat is not None:
            await chat.acquire()
        await self._global.acquire()
        return True

    async def acquire(self, chat_id: int | None) -> None:
        # A loop, not one sleep: another 429 may extend the pause while we wait.
        while (delay := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)
        if chat_id is not None:
            await self._chat_limiter(chat_id).acquire()
        await self._global.acquire()


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, TelegramEntityTooLarge):
        return False
    return isinstance(exc, TelegramRetryAfter | TelegramServerError | TelegramNetworkError)


class Transport:
    def __init__(self, config: TelegramConfig, chats: ChatRegistry, limits: RateLimits | None = None) -> None:
        self.config = config
        self.chats = chats
        self.limits = limits or RateLimits(config)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TelegramRetryAfter):
            return min(float(exc.retry_after), self.config.max_retry_after_seconds)
        return float(self.config.retry_base_seconds * 2 ** (state.attempt_number - 1))

    async def call(self, chat_id: int | None, request: Callable[[], Awaitable[T]], *, limited: bool = True) -> T:
        """Run one Bot API request under the limits; `limited=False` for non-message calls
        (answerCallbackQuery, answerPreCheckoutQuery) that must never wait behind a queue."""
        attempts = max(self.config.server_error_attempts, MAX_FLOOD_RETRIES)
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(_retryable), wait=self._wait, stop=stop_after_attempt(attempts), reraise=True
            ):
                with attempt:
                    if limited:
                        await self.limits.acquire(chat_id)
                    try:
                        return await request()
                    except TelegramRetryAfter as exc:
                        wait = min(float(exc.retry_after), self.config.max_retry_after_seconds)
                        self.limits.pause(wait)
                        log.warning("telegram.flood_wait", chat_id=chat_id, retry_after=exc.retry_after)
                        raise
                    except (TelegramServerError, TelegramNetworkError) as exc:
                        if not isinstance(exc, TelegramEntityTooLarge):
                            log.warning(
                                "telegram.api_retry",
                                chat_id=chat_id,
                                error=type(exc).__name__,
                                attempt=attempt.retry_state.attempt_number,
                            )
                        raise
        except TelegramForbiddenError as exc:
            if chat_id is not None:
                await self.chats.mark_blocked(chat_id, exc.message)
                log.info("telegram.chat_blocked", chat_id=chat_id, reason=exc.message)
                raise ChatUnavailable(chat_id, exc.message) from exc
            raise
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover
