"""The in-process search index: every product's search fields, kept in memory.

Why in memory: SecantusDB (the default database) evaluates a query by decoding every candidate
document in Python, so any database-side search costs O(matching products) — about 0.2 ms per
product, i.e. seconds for a broad query over 10,000 products — however the pipeline is written
(measured: see benchmarks/catalog_bench.py). Keyword matching, filters, ranking, sorting and the
total over a few thousand small in-memory entries take a few milliseconds instead, and the
database is then asked only for the page's documents (with live stock).

This module is pure (no I/O). Entries come from product documents projected to ENTRY_FIELDS;
`search.SearchIndexSync` keeps them fresh from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .keywords import QueryTerm

# Product fields an entry is built from (the projection used to load the index).
ENTRY_FIELDS = (
    "category",
    "keywords",
    "title_keywords",
    "category_path",
    "status",
    "brand",
    "tags",
    "currency",
    "price_min",
    "price_max",
    "sales",
    "created_at",
    "sku_codes",
    "rev",
)


@dataclass(slots=True)
class SearchEntry:
    code: str
    category: str
    keywords: frozenset[str]
    title_keywords: frozenset[str]
    category_path: frozenset[str]
    status: str
    brand: str  # casefolded: the brand filter is case-insensitive
    tags: frozenset[str]
    currency: str
    price_min: int
    price_max: int
    sales: int
    created: float  # POSIX timestamp of created_at
    sku_codes: tuple[str, ...]
    rev: int

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> SearchEntry:
        created = doc.get("created_at")
        return cls(
            code=str(doc["_id"]),
            category=str(doc.get("category") or ""),
            keywords=frozenset(doc.get("keywords") or ()),
            title_keywords=frozenset(doc.get("title_keywords") or ()),
            category_path=frozenset(doc.get("category_path") or ()),
            status=str(doc.get("status") or ""),
            brand=str(doc.get("brand") or "").casefold(),
            tags=frozenset(doc.get("tags") or ()),
            currency=str(doc.get("currency") or ""),
            price_min=int(doc.get("price_min") or 0),
            price_max=int(doc.get("price_max") or 0),
            sales=int(doc.get("sales") or 0),
            created=created.timestamp() if isinstance(created, datetime) else 0.0,
            sku_codes=tuple(doc.get("sku_codes") or ()),
            rev=int(doc.get("rev") or 0),
        )


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """The non-keyword conditions of a search (values already validated at the edge)."""

    statuses: frozenset[str]
    category: str | None = None
    brand: str | None = None
    tag: str | None = None
    currency: str | None = None  # set together with a price bound
    min_price: int | None = None
    max_price: int | None = None

    def accepts(self, entry: SearchEntry) -> bool:
        if entry.status not in self.statuses:
            return False
        if self.category is not None and self.category not in entry.category_path:
            return False
        if self.tag is not None and self.tag not in entry.tags:
            return False
        if self.brand is not None and entry.brand != self.brand.casefold():
            return False
        if self.currency is not None:
            # A product qualifies when some SKU price falls in the range: the ranges overlap.
            if entry.currency != self.currency:
                return False
            if self.min_price is not None and entry.price_max < self.min_price:
                return False
            if self.max_price is not None and entry.price_min > self.max_price:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Ranked:
    entry: SearchEntry
    score: int = 0  # query terms matched
    title_score: int = 0  # query terms matched by the title or brand


class SearchIndex:
    def __init__(self) -> None:
        self._entries: dict[str, SearchEntry] = {}
        self._postings: dict[str, set[str]] = {}  # keyword -> product codes
        self._owners: dict[str, str] = {}  # SKU code -> product code
        self.max_rev = -1
        self.generation = 0  # bumped on every change of keywords (the typo vocabulary follows it)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def replace_all(self, docs: Iterable[Mapping[str, Any]]) -> None:
        self._entries.clear()
        self._postings.clear()
        self._owners.clear()
        self.max_rev = -1
        self.upsert(docs)

    def upsert(self, docs: Iterable[Mapping[str, Any]]) -> None:
        changed = False
        for doc in docs:
            entry = SearchEntry.from_doc(doc)
            old = self._entries.get(entry.code)
            if old is not None:
                for word in old.keywords - entry.keywords:
                    codes = self._postings.get(word)
                    if codes is not None:
                        codes.discard(entry.code)
                        if not codes:
                            del self._postings[word]
            for word in entry.keywords if old is None else entry.keywords - old.keywords:
                self._postings.setdefault(word, set()).add(entry.code)
            for sku in old.sku_codes if old is not None else ():
                if self._owners.get(sku) == entry.code:
                    del self._owners[sku]
            self._owners.update(dict.fromkeys(entry.sku_codes, entry.code))
            self._entries[entry.code] = entry
            self.max_rev = max(self.max_rev, entry.rev)
            changed = True
        if changed:
            self.generation += 1

    def add_sales(self, quantities: Mapping[str, int]) -> None:
        """Mirror a sales increment made by this process (other processes catch up on resync)."""
        wanted = {sku: qty for sku, qty in quantities.items() if qty}
        if not wanted:
            return
        for entry in self._entries.values():
            for sku in entry.sku_codes:
                if sku in wanted:
                    entry.sales += wanted[sku]

    def latin_words(self) -> set[str]:
        """Keywords the typo corrector may suggest (ASCII words, stems, pinyin)."""
        return {word for word in self._postings if word.isascii() and word.isalnum()}

    def entry(self, code: str) -> SearchEntry | None:
        return self._entries.get(code)

    def owner(self, sku: str) -> SearchEntry | None:
        """The entry of the product holding this SKU, as of the last refresh."""
        code = self._owners.get(sku)
        return self._entries.get(code) if code is not None else None

    def entries(self) -> Iterable[SearchEntry]:
        return self._entries.values()

    def select(self, terms: list[QueryTerm], where: SearchFilter, *, title_scores: bool) -> list[Ranked]:
        """Entries matching any term (all entries without terms) that pass `where`, unsorted.

        With several terms only the best-matching tier is kept, so "black headphones" does not
        list every black product below the headphones.
        """
        if not terms:
            return [Ranked(e) for e in self._entries.values() if where.accepts(e)]
        codes: set[str] = set()
        for term in terms:
            for variant in term.variants:
                codes |= self._postings.get(variant, set())
        candidates = [e for e in map(self._entries.__getitem__, codes) if where.accepts(e)]
        if len(terms) == 1:
            scored = [(e, 1) for e in candidates]
        else:
            scored = [(e, sum(1 for t in terms if not t.variants.isdisjoint(e.keywords))) for e in candidates]
            best = max((score for _, score in scored), default=0)
            scored = [(e, score) for e, score in scored if score == best]
        if not title_scores:
            return [Ranked(e, score) for e, score in scored]
        ranked = [
            Ranked(e, score, sum(1 for t in terms if not t.variants.isdisjoint(e.title_keywords)))
            for e, score in scored
        ]
        if len(terms) > 1 and any(r.title_score for r in ranked):
            # As many words found in one product's own name as in others' descriptions or option
            # values: the named product ("lipstick in the classic red" is the lipstick, not every
            # product that comes in red).
            ranked = [r for r in ranked if r.title_score]
        return ranked
