"""Both catalogs have the same keys and fields, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogs.i18n import MissingMessage, load_catalog, placeholders, t

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = [ROOT / "dialogs", ROOT / "bot" / "webchat", ROOT / "bot" / "terminal"]
_LITERAL = re.compile(r"[\"']([a-z][a-z_]*(?:\.[a-z0-9_]+)+)[\"']")
# Keys built at run time from a fixed set of values.
DYNAMIC = {
    "checkout.ask_": ["name", "phone", "region", "detail"],
    "checkout.invalid_": ["name", "phone", "region", "detail", "address_line"],
    "aftersales.kind_": ["return", "exchange", "refund"],
}


# MongoDB field paths that look like catalog keys.
NOT_MESSAGES = {"handoff.agent_id", "handoff.since", "handoff.status"}


def _sections() -> set[str]:
    return {key.split(".", 1)[0] for key in load_catalog("en")}


def used_keys() -> set[str]:
    sections = _sections()
    keys: set[str] = set()
    for folder in CODE_DIRS:
        for path in folder.rglob("*.py"):
            for match in _LITERAL.finditer(path.read_text(encoding="utf-8")):
                key = match.group(1)
                if key.split(".", 1)[0] in sections and key not in NOT_MESSAGES and not key.endswith(".yml"):
                    keys.add(key)
    for prefix, values in DYNAMIC.items():
        keys.update(prefix + value for value in values)
    return keys


def test_catalogs_have_the_same_keys() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    assert set(zh) == set(en), sorted(set(zh) ^ set(en))


def test_catalogs_use_the_same_placeholders() -> None:
    zh, en = load_catalog("zh"), load_catalog("en")
    for key, value in zh.items():
        other = en[key]
        assert type(value) is type(other), key
        if isinstance(value, str):
            assert placeholders(value) == placeholders(str(other)), key


def test_no_yaml_boolean_keys() -> None:
    """`yes:` unquoted in YAML becomes True; such a key could never be found."""
    assert not [key for key in load_catalog("en") if ".True" in key or ".False" in key]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_key_used_in_code_exists(lang: str) -> None:
    catalog = load_catalog(lang)
    keys = used_keys()
    assert len(keys) > 150  # the scan really found the code's keys
    missing = sorted(key for key in keys if key not in catalog)
    assert not missing


def test_missing_key_raises() -> None:
    with pytest.raises(MissingMessage):
        t("no.such_key", "en")


def test_formatting_fills_fields() -> None:
    assert t("cart.bad_quantity", "en", max=99) == "Please choose a quantity between 1 and 99."
    assert "99" in t("cart.bad_quantity", "zh", max=99)
