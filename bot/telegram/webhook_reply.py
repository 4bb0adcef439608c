"""Answering an update in the webhook's own HTTP response.

The Bot API lets a webhook's 200 response carry one method call ("making requests when
getting updates"): Telegram executes it after the response, so the bot spends no request of its
own on it. chatcart uses it for the last reply of a turn when that reply is plain text - the
common "one answer per message" case - and sends everything else as API requests, so:

- order is kept: the earlier replies are sent (and awaited) before the response goes out;
- no result is needed: a text has no fallback (photos fall back to text when refused, and
  remember the file_id Telegram returns, so they always go as requests);
- the rate limits still hold: the reply takes its send from the same budgets, and goes as a
  request (which waits and honours 429s) whenever a budget has no room right now.

What Telegram does with it is not reported back (a chat that blocked the bot is only noticed by
the next request to it), which is why only a reply to an update the user just sent goes this way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any


@dataclass
class WebhookReply:
    """The one method call the webhook response may carry; empty until a reply claims it."""

    method: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def claim(self, method: str, params: dict[str, Any]) -> None:
        self.method, self.params = method, params

    def body(self) -> dict[str, Any]:
        """The response body: the call in Telegram's JSON form, or a plain acknowledgement."""
        return {"method": self.method, **self.params} if self.method else {"ok": True}


_current: ContextVar[WebhookReply | None] = ContextVar("telegram_webhook_reply", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[WebhookReply]:
    """While an update from a webhook request is processed: the slot its response offers."""
    reply = WebhookReply()
    token = _current.set(reply)
    try:
        yield reply
    finally:
        _current.reset(token)


def open_slot() -> WebhookReply | None:
    """The response's still unclaimed slot, when the current update came by webhook."""
    reply = _current.get()
    return reply if reply is not None and reply.method is None else None
