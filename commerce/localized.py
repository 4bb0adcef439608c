"""Bilingual (Chinese / English) text used by catalog entities and anything else shown to shoppers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh", "en")


def normalize_language(lang: str | None) -> str:
    """Map locale strings such as ``zh-CN``, ``zh_Hans`` or ``en-US`` to ``zh`` / ``en``.

    Unknown or empty values fall back to ``zh`` (the shop's primary audience).
    """
    if not lang:
        return "zh"
    primary = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in SUPPORTED_LANGUAGES else "zh"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A text in Chinese and English; either side may be empty."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str | None) -> str:
        """Text in ``lang``; falls back to the other language when that side is empty."""
        if normalize_language(lang) == "en":
            return self.en or self.zh
        return self.zh or self.en

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    def values(self) -> tuple[str, ...]:
        """The non-empty sides (useful for indexing both languages)."""
        return tuple(v for v in (self.zh, self.en) if v)

    def to_doc(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | str | None) -> LocalizedText:
        """Build from a stored/imported value. A plain string counts for both languages."""
        if doc is None:
            return cls()
        if isinstance(doc, str):
            return cls(zh=doc, en=doc)
        return cls(zh=str(doc.get("zh") or ""), en=str(doc.get("en") or ""))

    @classmethod
    def same(cls, text: str) -> LocalizedText:
        """The same text in both languages (brand names, codes)."""
        return cls(zh=text, en=text)
