"""Catalog search: keyword match, filters, ranking and paging over the in-process search index.

Database commands per search: at most 2 — one `find` on products for entries written since the
index was last refreshed (skipped while it was checked less than `refresh_seconds` ago), and one
`aggregate` that reads the page's documents with live stock (a `$lookup` into the inventory
collection `{_id: sku, available}`, so no in-stock flag has to be kept in sync). With `in_stock`
that aggregate checks stock for every candidate and pages over the ones in stock.
See search_index.py for why matching happens in memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commerce.money import Money

from .keywords import QueryTerm, query_terms, stem
from .model import ProductStatus, ProductSummary
from .repository import CatalogRepository
from .search_index import Ranked, SearchFilter, SearchIndex
from .typos import TypoCorrector


class SearchSort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    SALES = "sales"
    NEWEST = "newest"


class SearchQuery(BaseModel):
    """What a shopper (or admin) asked for. Customers only ever see on-sale products."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, extra="forbid")

    text: str = Field(default="", max_length=200)
    category: str | None = Field(default=None, max_length=64)  # includes every descendant category
    brand: str | None = Field(default=None, max_length=100)
    tag: str | None = Field(default=None, max_length=40)
    min_price: Money | None = None
    max_price: Money | None = None
    in_stock: bool = False
    statuses: tuple[ProductStatus, ...] = (ProductStatus.ON_SALE,)
    sort: SearchSort = SearchSort.RELEVANCE
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)
    typo_tolerance: bool = True

    @field_validator("text")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _price_range(self) -> SearchQuery:
        low, high = self.min_price, self.max_price
        if low and high and (low.currency != high.currency or low.amount > high.amount):
            raise ValueError("min_price must not exceed max_price (same currency)")
        if not self.statuses:
            raise ValueError("statuses must not be empty")
        return self


@dataclass(frozen=True, slots=True)
class SearchPage:
    items: list[ProductSummary]
    total: int
    page: int
    limit: int
    next_page: int | None
    corrections: dict[str, list[str]] = field(default_factory=dict)  # "headphnes" -> ["headphones"]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "items": [item.to_dict() for item in self.items],
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "next_page": self.next_page,
            "corrections": self.corrections,
        }


class SearchIndexSync:
    """This process's search index and typo vocabulary, kept fresh with one cheap command.

    Every product write stamps the product with `rev` = the catalog version it was written under
    (imports bump the version and write the products in one transaction, so commit order is rev
    order). A refresh fetches only `{rev: {$gt: newest rev known}}` through the `rev` index —
    usually nothing. It runs at most every `refresh_seconds`. Sales counters change without a
    rev (order payment must stay one command): this process mirrors its own increments, and a
    full reload every `resync_seconds` brings other processes' sales (used only for ordering;
    the numbers shown come live from the page fetch).
    """

    def __init__(
        self, repository: CatalogRepository, refresh_seconds: float = 2.0, resync_seconds: float = 300.0
    ) -> None:
        self._repository = repository
        self._refresh_seconds = refresh_seconds
        self._resync_seconds = resync_seconds
        self._checked_at = float("-inf")
        self._writes_seen = repository.product_writes
        self._loaded_at: float | None = None
        self.index = SearchIndex()
        self._corrector = TypoCorrector()
        self._corrector_generation = -1

    async def refresh_if_stale(self) -> None:
        now = time.monotonic()
        writes = self._repository.product_writes
        if now - self._checked_at < self._refresh_seconds and writes == self._writes_seen:
            return
        self._writes_seen = writes
        if self._loaded_at is None or now - self._loaded_at >= self._resync_seconds:
            self.index.replace_all(await self._repository.search_entries())
            self._loaded_at = now
        else:
            self.index.upsert(await self._repository.search_entries(after_rev=self.index.max_rev))
        self._checked_at = now

    @property
    def corrector(self) -> TypoCorrector:
        if self._corrector_generation != self.index.generation:
            self._corrector.replace(self.index.latin_words())
            self._corrector_generation = self.index.generation
        return self._corrector

    def invalidate(self) -> None:
        self._checked_at = float("-inf")


def correct_terms(terms: list[QueryTerm], corrector: TypoCorrector) -> tuple[list[QueryTerm], dict[str, list[str]]]:
    """Add close known spellings to terms the vocabulary does not know (originals stay too)."""
    corrected: list[QueryTerm] = []
    corrections: dict[str, list[str]] = {}
    for term in terms:
        fixes = [] if any(v in corrector for v in term.variants) else corrector.corrections(term.token)
        if fixes:
            corrections[term.token] = fixes
            variants = set(term.variants) | set(fixes) | {stem(f) for f in fixes}
            corrected.append(QueryTerm(term.token, frozenset(variants), corrected=True))
        else:
            corrected.append(term)
    return corrected, corrections


def sort_ranked(ranked: list[Ranked], sort: SearchSort, has_terms: bool) -> list[Ranked]:
    """Order like the former `$sort` specs; the product code breaks ties (stable paging)."""
    if sort is SearchSort.PRICE_ASC:
        return sorted(ranked, key=lambda r: (r.entry.price_min, r.entry.code))
    if sort is SearchSort.PRICE_DESC:
        return sorted(ranked, key=lambda r: (-r.entry.price_min, r.entry.code))
    if sort is SearchSort.SALES:
        return sorted(ranked, key=lambda r: (-r.entry.sales, r.entry.code))
    if sort is SearchSort.NEWEST:
        return sorted(ranked, key=lambda r: (-r.entry.created, r.entry.code))
    if has_terms:
        return sorted(ranked, key=lambda r: (-r.score, -r.title_score, -r.entry.sales, -r.entry.created, r.entry.code))
    return sorted(ranked, key=lambda r: (-r.entry.sales, -r.entry.created, r.entry.code))


def search_filter(query: SearchQuery) -> SearchFilter:
    price = query.min_price or query.max_price
    return SearchFilter(
        statuses=frozenset(s.value for s in query.statuses),
        category=query.category,
        brand=query.brand,
        tag=query.tag,
        currency=price.currency if price is not None else None,
        min_price=query.min_price.amount if query.min_price is not None else None,
        max_price=query.max_price.amount if query.max_price is not None else None,
    )


async def run_search(query: SearchQuery, repository: CatalogRepository, sync: SearchIndexSync) -> SearchPage:
    """At most 2 commands: the index refresh `find` (when due) and one `aggregate` for the page."""
    terms = query_terms(query.text) if query.text else []
    if query.text and not terms:
        # Only stopwords ("我想买"): nothing to match on, say so rather than list everything.
        return SearchPage(items=[], total=0, page=query.page, limit=query.limit, next_page=None)
    await sync.refresh_if_stale()
    corrections: dict[str, list[str]] = {}
    if terms and query.typo_tolerance:
        terms, corrections = correct_terms(terms, sync.corrector)
    relevance = query.sort is SearchSort.RELEVANCE
    ranked = sync.index.select(terms, search_filter(query), title_scores=bool(terms) and relevance)
    ranked = sort_ranked(ranked, query.sort, bool(terms))
    skip = (query.page - 1) * query.limit
    statuses = [s.value for s in query.statuses]
    if query.in_stock:
        total, docs = await repository.in_stock_page(
            [(r.entry.code, r.entry.sku_codes) for r in ranked], skip, query.limit, statuses
        )
    else:
        total = len(ranked)
        docs = await repository.page_summaries([r.entry.code for r in ranked[skip : skip + query.limit]], statuses)
    scores = {r.entry.code: r.score for r in ranked}
    items = [ProductSummary.from_doc({**doc, "score": scores.get(doc["_id"], 0)}) for doc in docs]
    has_more = query.page * query.limit < total
    return SearchPage(
        items=items,
        total=total,
        page=query.page,
        limit=query.limit,
        next_page=query.page + 1 if has_more else None,
        corrections=corrections,
    )
