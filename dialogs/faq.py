"""Shop information answers (shipping times, returns, invoices, payment methods).

Kept in the `faq` collection so staff can edit them; seeded from `dialogs/faq.yml` on first
start. Entries are cached briefly in memory: they change rarely and are read on many turns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pymongo import ASCENDING, IndexModel

from commerce.localized import LocalizedText
from core.mongo import CollectionIndexes, Database, Document

COLLECTION = "faq"
SEED_FILE = Path(__file__).parent / "faq.yml"
INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(COLLECTION, [IndexModel([("intents", ASCENDING)], name="intents")])
]


@dataclass(frozen=True)
class FaqEntry:
    key: str
    question: LocalizedText
    answer: LocalizedText
    keywords: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    sort: int = 0

    def to_doc(self) -> Document:
        return {
            "_id": self.key,
            "question": self.question.to_doc(),
            "answer": self.answer.to_doc(),
            "keywords": list(self.keywords),
            "intents": list(self.intents),
            "sort": self.sort,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FaqEntry:
        return cls(
            key=str(doc["_id"]),
            question=LocalizedText.from_doc(doc.get("question")),
            answer=LocalizedText.from_doc(doc.get("answer")),
            keywords=tuple(str(k).lower() for k in doc.get("keywords") or ()),
            intents=tuple(doc.get("intents") or ()),
            sort=int(doc.get("sort") or 0),
        )


def load_seed(path: Path = SEED_FILE) -> list[FaqEntry]:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    return [FaqEntry.from_doc({"_id": key, **value}) for key, value in raw.items()]


class FaqService:
    def __init__(self, db: Database, *, cache_seconds: float = 30.0) -> None:
        self.collection = db[COLLECTION]
        self.cache_seconds = cache_seconds
        self._cache: list[FaqEntry] | None = None
        self._loaded_at = 0.0

    async def ensure_seeded(self) -> int:
        """Insert the bundled entries that do not exist yet (never overwrites staff edits)."""
        inserted = 0
        for entry in load_seed():
            result = await self.collection.update_one({"_id": entry.key}, {"$setOnInsert": entry.to_doc()}, upsert=True)
            inserted += 1 if result.upserted_id is not None else 0
        self._cache = None
        return inserted

    async def entries(self) -> list[FaqEntry]:
        if self._cache is None or time.monotonic() - self._loaded_at > self.cache_seconds:
            docs = [doc async for doc in self.collection.find({}).sort("sort", ASCENDING)]
            if not docs:
                await self.ensure_seeded()
                docs = [doc async for doc in self.collection.find({}).sort("sort", ASCENDING)]
            self._cache = [FaqEntry.from_doc(doc) for doc in docs]
            self._loaded_at = time.monotonic()
        return self._cache

    async def get(self, key: str) -> FaqEntry | None:
        return next((e for e in await self.entries() if e.key == key), None)

    async def for_intent(self, intent: str) -> FaqEntry | None:
        return next((e for e in await self.entries() if intent in e.intents), None)

    async def match(self, text: str) -> FaqEntry | None:
        """The entry whose keywords cover most of the text (at least one keyword).

        Coverage is the length of the matched keywords, a keyword inside a longer one matched in
        the same text not counted: "cash on delivery" speaks of paying, not of the "delivery" (and
        "deliver") in it that the shipping entry lists."""
        lowered = text.lower()
        entries = await self.entries()
        found = [(entry, keyword) for entry in entries for keyword in entry.keywords if keyword and keyword in lowered]
        matched = {keyword for _, keyword in found}
        best, covered = None, 0
        for entry in entries:
            mine = {keyword for owner, keyword in found if owner is entry}
            own = sum(len(k) for k in mine if not any(k != other and k in other for other in matched))
            if own > covered:
                best, covered = entry, own
        return best

    async def upsert(self, entry: FaqEntry) -> None:
        await self.collection.replace_one({"_id": entry.key}, entry.to_doc(), upsert=True)
        self._cache = None
