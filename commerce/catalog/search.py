"""Catalog search: one aggregation (filters, keyword ranking, in-stock lookup, $facet paging).

Database commands per search: at most 2 — one `find` on catalog_meta to learn whether the typo
vocabulary is stale (skipped while it was checked less than `refresh_seconds` ago), and one
`aggregate` on products. Stock is read live inside that aggregation with a `$lookup` into the
inventory collection (`{_id: sku, available}`), so no in-stock flag has to be kept in sync.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from commerce.money import Money
from commerce.mongo import Document

from .keywords import QueryTerm, query_terms, stem
from .model import ProductStatus, ProductSummary
from .repository import SUMMARY_FIELDS, CatalogRepository
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
        return {"items": [item.to_dict() for item in self.items], "total": self.total, "page": self.page,
                "limit": self.limit, "next_page": self.next_page, "corrections": self.corrections}  # fmt: skip


class KeywordVocabulary:
    """The typo vocabulary of this process, refreshed when the catalog version moves on."""

    def __init__(self, repository: CatalogRepository, refresh_seconds: float = 2.0) -> None:
        self._repository = repository
        self._refresh_seconds = refresh_seconds
        self._checked_at = float("-inf")
        self.version = -1
        self.corrector = TypoCorrector()

    async def refresh_if_stale(self) -> None:
        if time.monotonic() - self._checked_at < self._refresh_seconds:
            return
        changed = await self._repository.vocabulary_if_changed(self.version)
        self._checked_at = time.monotonic()
        if changed is not None:
            self.version, words = changed
            self.corrector.replace(words)

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


def _sort_spec(sort: SearchSort, has_terms: bool) -> dict[str, int]:
    if sort is SearchSort.PRICE_ASC:
        return {"price_min": 1, "_id": 1}
    if sort is SearchSort.PRICE_DESC:
        return {"price_min": -1, "_id": 1}
    if sort is SearchSort.SALES:
        return {"sales": -1, "_id": 1}
    if sort is SearchSort.NEWEST:
        return {"created_at": -1, "_id": 1}
    relevance = {"score": -1, "title_score": -1} if has_terms else {}
    return {**relevance, "sales": -1, "created_at": -1, "_id": 1}


def _terms_matched(field_path: str, terms: list[QueryTerm]) -> Document:
    """How many terms have at least one variant in the array at `field_path`.

    `$in` per variant is the cheapest form measured on SecantusDB (cheaper than
    `$setIntersection` of whole keyword arrays); variants are few, keyword arrays are not.
    """
    array = {"$ifNull": [field_path, []]}
    hits = [{"$cond": [{"$or": [{"$in": [v, array]} for v in sorted(t.variants)]}, 1, 0]} for t in terms]
    return hits[0] if len(hits) == 1 else {"$add": hits}


def stock_lookup(inventory_collection: str) -> list[Document]:
    """`in_stock` = some SKU of the product has `available > 0` in the inventory collection."""
    return [
        {"$lookup": {"from": inventory_collection, "localField": "sku_codes", "foreignField": "_id",
                     "pipeline": [{"$match": {"available": {"$gt": 0}}}, {"$limit": 1}, {"$project": {"_id": 1}}],
                     "as": "_stock"}},
        {"$addFields": {"in_stock": {"$gt": [{"$size": "$_stock"}, 0]}}},
    ]  # fmt: skip


def _filters(query: SearchQuery, terms: list[QueryTerm]) -> list[Document]:
    """Filter conditions, most selective (indexed) first."""
    statuses = [s.value for s in query.statuses]
    conditions: list[Document] = []
    if terms:
        conditions.append({"keywords": {"$in": sorted({v for term in terms for v in term.variants})}})
    if query.category:
        conditions.append({"category_path": query.category})
    if query.tag:
        conditions.append({"tags": query.tag})
    conditions.append({"status": statuses[0] if len(statuses) == 1 else {"$in": statuses}})
    if query.brand:
        conditions.append({"brand": {"$regex": f"^{re.escape(query.brand)}$", "$options": "i"}})
    price = query.min_price or query.max_price
    if price is not None:
        # A product qualifies when some SKU price falls in the range: ranges overlap.
        condition: Document = {"currency": price.currency}
        if query.min_price is not None:
            condition["price_max"] = {"$gte": query.min_price.amount}
        if query.max_price is not None:
            condition["price_min"] = {"$lte": query.max_price.amount}
        conditions.append(condition)
    return conditions


def build_pipeline(query: SearchQuery, terms: list[QueryTerm], inventory_collection: str) -> list[Document]:
    first, *rest = _filters(query, terms)
    # The leading, indexed condition gets a $match of its own: SecantusDB plans a combined
    # $match poorly, and MongoDB coalesces consecutive $match stages anyway.
    pipeline: list[Document] = [{"$match": first}]
    if rest:
        pipeline.append({"$match": {key: value for condition in rest for key, value in condition.items()}})
    if len(terms) > 1:
        # Score = number of query terms matched; keep only the best-matching tier so
        # "black headphones" does not list every black product below the headphones.
        # (With one term every candidate matches it: no scoring needed.)
        pipeline += [
            {"$project": {name: 1 for name in (*SUMMARY_FIELDS, "keywords", "title_keywords")}},
            {"$addFields": {"score": _terms_matched("$keywords", terms)}},
            {"$project": {"keywords": 0}},
            {"$group": {"_id": None, "best": {"$max": "$score"}, "docs": {"$push": "$$ROOT"}}},
            {"$unwind": "$docs"},
            {"$match": {"$expr": {"$eq": ["$docs.score", "$best"]}}},
            {"$replaceRoot": {"newRoot": "$docs"}},
        ]  # fmt: skip
    elif terms:
        pipeline.append({"$addFields": {"score": 1}})
    if terms and query.sort is SearchSort.RELEVANCE:
        # Title (and brand) hits rank above description/category hits.
        pipeline.append({"$addFields": {"title_score": _terms_matched("$title_keywords", terms)}})
    if query.in_stock:
        pipeline += [*stock_lookup(inventory_collection), {"$match": {"in_stock": True}}]
    projection = {name: 1 for name in (*SUMMARY_FIELDS, "score", "in_stock")}
    items: list[Document] = [
        {"$sort": _sort_spec(query.sort, bool(terms))},
        {"$skip": (query.page - 1) * query.limit},
        {"$limit": query.limit},
    ]
    if not query.in_stock:
        items += stock_lookup(inventory_collection)
    items.append({"$project": projection})
    pipeline.append({"$facet": {"items": items, "total": [{"$count": "n"}]}})
    return pipeline


def page_from_result(query: SearchQuery, result: list[Document], corrections: dict[str, list[str]]) -> SearchPage:
    facet = result[0] if result else {"items": [], "total": []}
    total = int(facet["total"][0]["n"]) if facet.get("total") else 0
    items = [ProductSummary.from_doc(doc) for doc in facet.get("items") or ()]
    has_more = query.page * query.limit < total
    return SearchPage(items=items, total=total, page=query.page, limit=query.limit,
                      next_page=query.page + 1 if has_more else None, corrections=corrections)  # fmt: skip


async def run_search(
    query: SearchQuery, repository: CatalogRepository, vocabulary: KeywordVocabulary, inventory_collection: str
) -> SearchPage:
    terms = query_terms(query.text) if query.text else []
    corrections: dict[str, list[str]] = {}
    if terms and query.typo_tolerance:
        await vocabulary.refresh_if_stale()
        terms, corrections = correct_terms(terms, vocabulary.corrector)
    if query.text and not terms:
        # Only stopwords ("我想买"): nothing to match on, say so rather than list everything.
        return SearchPage(items=[], total=0, page=query.page, limit=query.limit, next_page=None)
    result = await repository.aggregate(build_pipeline(query, terms, inventory_collection))
    return page_from_result(query, result, corrections)
