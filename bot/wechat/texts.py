"""The WeChat channel's own message catalog (`texts.yml`), Chinese and English side by side."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.messages import Lang

CATALOG = Path(__file__).with_name("texts.yml")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = str(value)
    return flat


@cache
def catalog(lang: Lang) -> dict[str, str]:
    with CATALOG.open(encoding="utf-8") as handle:
        tree = yaml.safe_load(handle) or {}
    return _flatten(tree.get(lang) or {})


def wt(key: str, lang: Lang, **params: Any) -> str:
    """The WeChat-channel text `key` in `lang`; a missing key raises (caught by the tests)."""
    template = catalog(lang).get(key)
    if template is None:
        raise KeyError(f"WeChat text {key!r} missing for {lang}")
    return template.format(**params) if params else template
