"""Issue 17, item 7: every setting is validated at start-up with one line naming it, and the
README's settings table lists every setting."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chatcart.settings import Settings
from chatcart.settings_checks import check_settings, env_name, validated_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _table_settings() -> set[str]:
    """The variables named in the first column of the README's settings table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names.update(re.findall(r"`((?:CHATCART_)?[A-Z][A-Z0-9_]+)`", first_column))
    return names


def test_the_readme_table_lists_every_setting_and_nothing_else() -> None:
    documented = _table_settings() - {"CHATCART_MONGODB_URI"}
    declared = {env_name(field) for field in Settings.model_fields}
    assert sorted(declared - documented) == [], "settings missing from the README table"
    assert sorted(documented - declared) == [], "README lists settings that do not exist"


def test_the_defaults_are_valid_and_empty_values_mean_unset() -> None:
    assert check_settings(Settings()) == []
    assert check_settings(Settings(telegram_token="", wechat_encoding_aes_key="", redis_url="")) == []


@pytest.mark.parametrize(
    ("values", "setting"),
    [
        ({"telegram_token": "not-a-token"}, "CHATCART_TELEGRAM_TOKEN"),
        ({"wechat_encoding_aes_key": "a" * 42}, "CHATCART_WECHAT_ENCODING_AES_KEY"),
        ({"shop_timezone": "Mars/Olympus"}, "CHATCART_SHOP_TIMEZONE"),
        ({"default_currency": "XYZ"}, "CHATCART_DEFAULT_CURRENCY"),
        ({"port": 70000}, "CHATCART_PORT"),
        ({"public_base_url": "shop.example.com"}, "CHATCART_PUBLIC_BASE_URL"),
        ({"redis_url": "localhost:6379"}, "CHATCART_REDIS_URL"),
        ({"rasa_timeout_seconds": 0}, "CHATCART_RASA_TIMEOUT_SECONDS"),
        ({"telegram_chat_rate_per_second": -1}, "CHATCART_TELEGRAM_CHAT_RATE_PER_SECOND"),
        ({"pricing_tier_percent": {"vip": 250}}, "CHATCART_PRICING_TIER_PERCENT"),
        ({"admin_secret": "short"}, "CHATCART_ADMIN_SECRET"),
        ({"mongodb_uri": "http://db"}, "MONGODB_URI"),
        ({"log_level": "LOUD"}, "CHATCART_LOG_LEVEL"),
    ],
)
def test_a_bad_value_is_named_with_what_is_expected(values: dict[str, object], setting: str) -> None:
    settings, problems = validated_settings(**values)
    assert settings is not None
    assert [p.setting for p in problems] == [setting]
    assert "expected" in problems[0].line()


def test_an_unparsable_value_is_named_too() -> None:
    settings, problems = validated_settings(port="eighty")
    assert settings is None
    assert [p.setting for p in problems] == ["CHATCART_PORT"]


def test_serve_with_bad_settings_prints_one_line_each_and_no_traceback(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHATCART_")},
        "CHATCART_DATA_DIR": str(tmp_path),
        "CHATCART_TELEGRAM_TOKEN": "123:bad",
        "CHATCART_WECHAT_ENCODING_AES_KEY": "k" * 42,
    }
    done = subprocess.run(
        [sys.executable, "-m", "chatcart", "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert [line.split(":", 2)[1].strip() for line in lines] == [
        "invalid setting CHATCART_TELEGRAM_TOKEN",
        "invalid setting CHATCART_WECHAT_ENCODING_AES_KEY",
    ]
    assert all(": expected " in line for line in lines)
