"""The Telegram channel's own small bilingual catalog, with dialogs' catalog preferred.

Customer-facing sentences shared with other channels ("error.generic") come from
`dialogs/locales`; only Telegram-specific ones (share-phone button, invoice lines, command
menu) live in `texts.yml` next to this module.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.i18n import MissingMessage, flatten_texts, t
from dialogs.messages import Lang, normalize_lang

CATALOG = Path(__file__).with_name("texts.yml")


@cache
def _catalog() -> dict[str, dict[str, str]]:
    with CATALOG.open(encoding="utf-8") as handle:
        tree = yaml.safe_load(handle) or {}
    return {lang: flatten_texts(tree.get(lang) or {}) for lang in ("zh", "en")}


def lang_of(value: str | None, default: Lang = "zh") -> Lang:
    return normalize_lang(value) or default


def text(key: str, lang: Lang, **params: Any) -> str:
    """A Telegram-only text; a missing key is a programming error (the tests check both languages)."""
    template = _catalog()[lang][key]
    return template.format(**params) if params else template


def shared_text(key: str, lang: Lang, **params: Any) -> str:
    """A text from the dialogs catalog when it has `key`, else from ours."""
    try:
        return t(key, lang, **params)
    except MissingMessage:
        return text(key, lang, **params)


def keys(lang: Lang) -> set[str]:
    return set(_catalog()[lang])
