"""Admin message catalogs: every label of the admin UI lives in `admin_web/locales/<lang>.yml`.

Keys are dotted paths ("orders.title"); values are `str.format` templates with named fields.
Templates call `t("key", name=value)`. The UI language comes from the `chatcart_admin_lang`
cookie (set by the language switch), else from the browser's Accept-Language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from dialogs.i18n import flatten_texts

AdminLang = Literal["zh", "en"]
LANGS: tuple[AdminLang, ...] = ("zh", "en")
LANG_COOKIE = "chatcart_admin_lang"
LOCALE_DIR = Path(__file__).parent / "locales"


class MissingMessage(KeyError):
    """A key that is not in the catalog (a programming error; the catalog tests catch it)."""


@cache
def catalog(lang: AdminLang) -> dict[str, str]:
    with (LOCALE_DIR / f"{lang}.yml").open(encoding="utf-8") as handle:
        return flatten_texts(yaml.safe_load(handle) or {})


def _lang(lang: str) -> AdminLang:
    return "en" if lang == "en" else "zh"


def translate(lang: str, key: str, **fields: Any) -> str:
    try:
        template = catalog(_lang(lang))[key]
    except KeyError:
        raise MissingMessage(key) from None
    return template.format(**fields) if fields else template


def translate_or(lang: str, key: str, default: str, **fields: Any) -> str:
    """For keys built from data (status codes): fall back to the raw value instead of failing."""
    return translate(lang, key, **fields) if key in catalog(_lang(lang)) else default


def pick_language(cookie: str | None, accept_language: str | None) -> AdminLang:
    if cookie in LANGS:
        return _lang(str(cookie))
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "zh"


class Translator:
    """Bound to one request's language; passed to templates as `t`."""

    def __init__(self, lang: AdminLang) -> None:
        self.lang = lang

    def __call__(self, key: str, **fields: Any) -> str:
        return translate(self.lang, key, **fields)

    def opt(self, key: str, default: str = "", **fields: Any) -> str:
        return translate_or(self.lang, key, default, **fields)
