"""The WeChat channel's own message catalog (`texts.yml`), Chinese and English side by side."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.i18n import flatten_texts
from dialogs.messages import Lang

CATALOG = Path(__file__).with_name("texts.yml")


@cache
def catalog(lang: Lang) -> dict[str, str]:
    with CATALOG.open(encoding="utf-8") as handle:
        tree = yaml.safe_load(handle) or {}
    return flatten_texts(tree.get(lang) or {})


def wt(key: str, lang: Lang, **params: Any) -> str:
    """The WeChat-channel text `key` in `lang`; a missing key raises (caught by the tests)."""
    template = catalog(lang).get(key)
    if template is None:
        raise KeyError(f"WeChat text {key!r} missing for {lang}")
    return template.format(**params) if params else template
