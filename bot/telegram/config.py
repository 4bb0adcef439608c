"""Everything the Telegram channel is configured with, in one plain value object.

Built from the typed settings (`CHATCART_TELEGRAM_*`) by `chatcart.bootstrap.telegram_config`,
or directly in tests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

# The update types the handlers understand; everything else is not even delivered.
ALLOWED_UPDATES: tuple[str, ...] = ("message", "callback_query", "pre_checkout_query")
WEBHOOK_PATH = "/telegram/webhook"


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    provider_token: str | None = None  # Telegram Payments; None = payment links only
    api_base: str | None = None  # e.g. a local Bot API server or the test fake
    public_base_url: str | None = None  # makes relative image URLs absolute, builds the webhook URL
    media_root: Path | None = None  # where `/media/...` URLs live on disk (upload fallback)
    webhook_path: str = WEBHOOK_PATH
    allowed_updates: tuple[str, ...] = ALLOWED_UPDATES
    # Telegram's documented limits: ~30 messages/s overall, 1/s per chat, 20/min per group.
    global_rate_per_second: float = 30.0
    chat_rate_per_second: float = 1.0
    group_rate_per_minute: float = 20.0
    # Durable outbox for pushed messages.
    outbox_lease_seconds: float = 30.0
    outbox_poll_seconds: float = 1.0
    outbox_concurrency: int = 8
    outbox_max_attempts: int = 8
    # Retries of 5xx / network errors (exponential backoff from `retry_base_seconds`).
    server_error_attempts: int = 4
    retry_base_seconds: float = 0.5
    max_retry_after_seconds: float = 60.0
    request_timeout_seconds: int = 30
    redis_url: str | None = None  # optional fast pre-filter for duplicate updates
    default_lang: str = "zh"
    # A turn's last text reply rides in the webhook response instead of a request of its own.
    webhook_replies: bool = True

    @property
    def webhook_url(self) -> str | None:
        if not self.public_base_url:
            return None
        return self.public_base_url.rstrip("/") + self.webhook_path

    @property
    def payments_enabled(self) -> bool:
        return bool(self.provider_token)
