"""Start-up validation of every setting: one line per bad setting naming it and what is expected.

`Settings` parses the types (pydantic); the rules here say what a value must look like to work
(a Telegram token's shape, a 43-character EncodingAESKey, a time zone that exists...). Without
them a bad value surfaced later as a raw traceback from deep inside a library (aiogram's
TokenValidationError, a ValueError from the WeChat crypto) - issue 17.

Rules are chosen by field name first, then by the name's ending (`_url`/`_base`, `_seconds`...),
so settings added later get sensible checks without a new rule. Payment provider credentials
(keys, certificates) are checked where the providers are built (commerce.payments), which reads
the files anyway and names the setting the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationError

from chatcart.settings import Settings
from commerce.money import CURRENCY_EXPONENTS

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Problem:
    setting: str  # the environment variable
    expected: str

    def line(self) -> str:
        return f"{self.setting}: expected {self.expected}"


def env_name(field: str) -> str:
    return "MONGODB_URI" if field == "mongodb_uri" else f"CHATCART_{field.upper()}"


def _matches(pattern: str) -> Check:
    compiled = re.compile(pattern)
    return lambda value: bool(compiled.fullmatch(str(value)))


def _url(*schemes: str) -> Check:
    def check(value: Any) -> bool:
        parts = urlsplit(str(value))
        return parts.scheme in schemes and bool(parts.netloc or parts.scheme == "unix")

    return check


def _between(low: float, high: float) -> Check:
    return lambda value: isinstance(value, int | float | Decimal) and math.isfinite(value) and low <= value <= high


def _zone(value: Any) -> bool:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _percents(value: Any) -> bool:
    return isinstance(value, dict) and all(0 < Decimal(v) <= 100 for v in value.values())


def _at_least(length: int) -> Check:
    return lambda value: len(str(value)) >= length


HTTP = _url("http", "https")
LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
# field -> (check, what is expected)
RULES: dict[str, tuple[Check, str]] = {
    "mongodb_uri": (_url("mongodb", "mongodb+srv"), "a MongoDB URI such as mongodb://host:27017"),
    "db_name": (_matches(r"[A-Za-z0-9_-]{1,63}"), "a database name (letters, digits, _ and -)"),
    "embedded_cache_size": (_matches(r"[0-9]+[KMG]"), "a size such as 256M or 1G"),
    "port": (_between(1, 65535), "a TCP port from 1 to 65535"),
    "max_request_bytes": (_between(1024, 1 << 30), "a byte count from 1024 to 1073741824"),
    "public_base_url": (HTTP, "an http(s) URL such as https://shop.example.com"),
    "redis_url": (_url("redis", "rediss", "unix"), "a Redis URL such as redis://127.0.0.1:6379/0"),
    "default_currency": (lambda v: str(v) in CURRENCY_EXPONENTS, f"one of {', '.join(sorted(CURRENCY_EXPONENTS))}"),
    "payment_sandbox_secret": (_at_least(16), "a secret of at least 16 characters"),
    "payment_reconcile_hour": (_between(0, 23), "an hour from 0 to 23"),
    "payment_providers": (lambda v: bool(v), 'a JSON list of at least one provider, e.g. ["sandbox"]'),
    "shop_timezone": (_zone, "an IANA time zone such as Asia/Shanghai"),
    "pricing_tier_percent": (_percents, 'a JSON object of percents above 0 and at most 100, e.g. {"vip": 95}'),
    "aftersales_window_days": (_between(0, 3650), "a number of days from 0 to 3650"),
    "nlu_threshold": (_between(0, 1), "a confidence from 0 to 1"),
    "telegram_token": (_matches(r"[0-9]{3,}:[A-Za-z0-9_-]{20,}"), "a bot token from @BotFather, like 123456:ABC-DEF…"),
    "telegram_webhook_secret": (_matches(r"[A-Za-z0-9_-]{1,256}"), "1-256 characters of A-Z, a-z, 0-9, _ and -"),
    "wechat_app_id": (_matches(r"wx[0-9A-Za-z]{4,30}"), "the official account's AppID (wx…)"),
    "wechat_token": (_matches(r"[A-Za-z0-9]{3,32}"), "the Token from the WeChat console (3-32 letters or digits)"),
    "wechat_encoding_aes_key": (
        _matches(r"[A-Za-z0-9]{43}"),
        "the 43-character EncodingAESKey from the WeChat console",
    ),
    "admin_secret": (_at_least(16), "a secret of at least 16 characters"),
    "webchat_otp_secret": (_at_least(16), "a secret of at least 16 characters"),
    "log_level": (
        lambda v: str(v).upper() in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"},
        "DEBUG, INFO, WARNING or ERROR",
    ),
    "dialog_page_size": (_between(1, 10), "a number from 1 to 10"),
    "shipping_methods_file": (lambda v: Path(v).is_file(), "an existing YAML file of shipping methods"),
}
# Checks by the ending of a field's name, for every field without its own rule.
SUFFIX_RULES: list[tuple[str, Check, str]] = [
    ("_url", HTTP, "an http(s) URL"),
    ("_base", HTTP, "an http(s) URL"),
    ("_gateway", HTTP, "an http(s) URL"),
    ("_seconds", _between(0.001, 7 * 24 * 3600), "a number of seconds above 0"),
    ("_minutes", _between(1, 7 * 24 * 60), "a whole number of minutes, at least 1"),
    ("_per_second", _between(0.001, 10_000), "a rate above 0"),
    ("_per_minute", _between(0.001, 100_000), "a rate above 0"),
    ("_concurrency", _between(1, 1000), "a number from 1 to 1000"),
    ("_quantity", _between(1, 100_000), "a number from 1 to 100000"),
    ("_lines", _between(1, 1000), "a number from 1 to 1000"),
    ("_threshold", _between(0, 1_000_000), "a number of at least 0"),
    ("_before_human", _between(1, 100), "a number from 1 to 100"),
]


def _rule(field: str) -> tuple[Check, str] | None:
    if field in RULES:
        return RULES[field]
    for suffix, check, expected in SUFFIX_RULES:
        if field.endswith(suffix):
            return check, expected
    return None


def check_settings(settings: Settings) -> list[Problem]:
    """Every setting that is set and does not look right."""
    problems: list[Problem] = []
    for field in type(settings).model_fields:
        value = getattr(settings, field)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value == "":
            continue  # set but empty means unset (docker-compose passes `${CHATCART_TELEGRAM_TOKEN:-}`)
        rule = _rule(field)
        if rule is None:
            continue
        check, expected = rule
        try:
            ok = check(value)
        except (ValueError, TypeError, ArithmeticError, OSError):
            ok = False
        if not ok:
            problems.append(Problem(env_name(field), expected))
    return problems


def parse_problems(error: ValidationError) -> list[Problem]:
    """pydantic's type errors as the same one-line problems (never echoing the value: secrets)."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        field = str(item["loc"][0]) if item["loc"] else "?"
        problems.append(Problem(env_name(field), item["msg"].lower()))
    return problems


def validated_settings(**values: Any) -> tuple[Settings | None, list[Problem]]:
    """The settings from the environment (and `values`), or the problems that stop start-up."""
    try:
        settings = Settings(**values)
    except ValidationError as exc:
        return None, parse_problems(exc)
    return settings, check_settings(settings)
