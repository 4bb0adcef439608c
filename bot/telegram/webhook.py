"""`POST /telegram/webhook` on chatcart's aiohttp app.

Only requests carrying our `X-Telegram-Bot-Api-Secret-Token` (set with setWebhook) are
processed; anything else gets 401 and is not even parsed. A valid request always gets 200,
even for an update we cannot use, so Telegram does not re-deliver it forever; a failure of
our own (database down before the update was claimed) is a 500, which Telegram retries.
The 200 may carry the turn's last text reply as a method call (`webhook_reply`).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.telegram.channel import TelegramChannel
from bot.telegram.middlewares import UpdateNotProcessed
from bot.telegram.webhook_reply import collecting
from core.json_limits import loads_bounded
from core.logging_setup import get_logger
from core.outage import RETRY_AFTER_SECONDS

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
log = get_logger(__name__)


def secret_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def webhook_handler(channel: TelegramChannel) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        if not secret_matches(request.headers.get(SECRET_HEADER), channel.config.webhook_secret):
            log.warning("telegram.webhook_unauthorized", remote=request.remote)
            return web.json_response(
                {"error": {"code": "unauthorized", "message": "bad secret token", "details": {}}}, status=401
            )
        try:
            data = loads_bounded(await request.read())
        except (ValueError, UnicodeDecodeError):
            log.warning("telegram.bad_update", reason="invalid JSON")
            return web.json_response({"ok": True})
        with collecting() as reply:
            try:
                await channel.feed(data)
            except UpdateNotProcessed:
                # Not acknowledged: Telegram delivers the update again (the user was told to wait).
                return web.json_response(
                    {"ok": False, "description": "temporarily unavailable"},
                    status=503,
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                )
        # The last reply of the turn, when it could ride in the response (see webhook_reply).
        return web.json_response(reply.body())

    return handle
