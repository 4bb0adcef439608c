"""Message catalogs: every customer-facing sentence lives in `dialogs/locales/<lang>.yml`.

Keys are dotted paths into the YAML tree ("cart.empty"); values are `str.format` templates
with named fields. A missing key or field raises at once (tests scan the code for keys and
compare both catalogs) instead of showing a customer a raw key.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.messages import Lang

LOCALE_DIR = Path(__file__).parent / "locales"
CATALOG_FILES: dict[Lang, str] = {"zh": "zh_CN.yml", "en": "en.yml"}


class MissingMessage(KeyError):
    """A catalog key that does not exist (a programming error caught by the tests)."""


def flatten_messages(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str | list[str]]:
    """A nested YAML message tree as dotted keys ("cart.empty"). Every catalog in the project
    (dialogs, channels, admin) is loaded through this one function."""
    flat: dict[str, str | list[str]] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_messages(value, path + "."))
        elif isinstance(value, list):
            flat[path] = [str(item) for item in value]
        else:
            flat[path] = str(value)
    return flat


@cache
def load_catalog(lang: Lang) -> dict[str, str | list[str]]:
    with (LOCALE_DIR / CATALOG_FILES[lang]).open(encoding="utf-8") as handle:
        tree = yaml.safe_load(handle) or {}
    return flatten_messages(tree)


def flatten_texts(tree: Mapping[str, Any]) -> dict[str, str]:
    """Like `flatten_messages`, for catalogs that hold only plain strings."""
    return {key: value if isinstance(value, str) else "\n".join(value) for key, value in flatten_messages(tree).items()}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def t(key: str, lang: Lang, **params: Any) -> str:
    """The `lang` text for `key`, formatted with `params`."""
    value = load_catalog(lang).get(key)
    if value is None:
        raise MissingMessage(f"message key {key!r} missing in {CATALOG_FILES[lang]}")
    if isinstance(value, list):
        raise MissingMessage(f"message key {key!r} is a list; use t_list")
    return value.format(**params) if params or "{" in value else value


def t_list(key: str, lang: Lang) -> list[str]:
    """A list entry of the catalog (e.g. words that mean 'yes')."""
    value = load_catalog(lang).get(key)
    if not isinstance(value, list):
        raise MissingMessage(f"list key {key!r} missing in {CATALOG_FILES[lang]}")
    return value


def t_both(key: str) -> list[str]:
    """The same list key in every language: for recognising words whatever the UI language."""
    return [*t_list(key, "zh"), *t_list(key, "en")]


def t_or(key: str, lang: Lang, default: str, **params: Any) -> str:
    """For keys built from data (order status codes): fall back to `default` when absent."""
    try:
        return t(key, lang, **params)
    except MissingMessage:
        return default
