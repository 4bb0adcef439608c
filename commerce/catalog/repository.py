"""MongoDB adapter for the catalog: products, categories and the catalog meta document.

Documents:
  products    {_id: code, ..., skus: [...], sku_codes: [...], price_min/price_max (minor units),
               category_path: [...], keywords: [...]}        (see Product.to_doc)
  categories  {_id: code, name, parent, sort, path: [root, ..., code]}
  catalog_meta {_id: "catalog", version: int, vocabulary: [latin keywords]}
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from commerce.mongo import CollectionIndexes, Database, Document, utcnow

from .model import Category, Product, ProductStatus

PRODUCTS = "products"
CATEGORIES = "categories"
META = "catalog_meta"
META_ID = "catalog"

# Fields a search result card needs; keeps keyword arrays and SKU lists off the wire.
SUMMARY_FIELDS = ("title", "brand", "category", "tags", "images", "price_min", "price_max", "currency",
                  "status", "sales", "sku_codes", "created_at")  # fmt: skip

INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(
        PRODUCTS,
        [
            IndexModel([("keywords", ASCENDING)], name="keywords"),
            IndexModel([("sku_codes", ASCENDING)], name="sku_codes_unique", unique=True),
            IndexModel([("category_path", ASCENDING), ("status", ASCENDING)], name="category_path_status"),
            IndexModel([("status", ASCENDING), ("sales", DESCENDING)], name="status_sales"),
            IndexModel([("status", ASCENDING), ("created_at", DESCENDING)], name="status_created"),
            IndexModel([("status", ASCENDING), ("price_min", ASCENDING)], name="status_price"),
            IndexModel([("tags", ASCENDING)], name="tags"),
            IndexModel([("brand", ASCENDING)], name="brand"),
        ],
    ),
    CollectionIndexes(
        CATEGORIES,
        [
            IndexModel([("parent", ASCENDING), ("sort", ASCENDING)], name="parent_sort"),
            IndexModel([("path", ASCENDING)], name="path"),
        ],
    ),
]


class CatalogRepository:
    INDEXES = INDEXES

    def __init__(self, db: Database) -> None:
        self.db = db
        self.products = db[PRODUCTS]
        self.categories = db[CATEGORIES]
        self.meta = db[META]

    # --- reads --------------------------------------------------------------------------------
    async def get_product(self, code: str, session: AsyncClientSession | None = None) -> Product | None:
        doc = await self.products.find_one({"_id": code}, session=session)
        return Product.from_doc(doc) if doc else None

    async def product_docs(
        self, codes: Iterable[str], session: AsyncClientSession | None = None
    ) -> dict[str, Document]:
        found: dict[str, Document] = {}
        for chunk in _chunks(list(codes)):
            async for doc in self.products.find({"_id": {"$in": chunk}}, session=session):
                found[doc["_id"]] = doc
        return found

    async def products_with_skus(self, skus: Sequence[str]) -> list[Product]:
        """Every product owning one of `skus`, in one round trip."""
        docs = await self.products.find(
            {"sku_codes": {"$in": list(skus)}}, {"keywords": 0, "title_keywords": 0}
        ).to_list()
        return [Product.from_doc(doc) for doc in docs]

    async def sku_owners(self, skus: Sequence[str], session: AsyncClientSession | None = None) -> dict[str, str]:
        owners: dict[str, str] = {}
        for chunk in _chunks(list(skus)):
            async for doc in self.products.find({"sku_codes": {"$in": chunk}}, {"sku_codes": 1}, session=session):
                for sku in doc.get("sku_codes") or ():
                    owners[sku] = doc["_id"]
        return owners

    async def iter_products(self, session: AsyncClientSession | None = None) -> AsyncIterator[Product]:
        async for doc in self.products.find({}, {"keywords": 0, "title_keywords": 0}, session=session).sort(
            "_id", ASCENDING
        ):
            yield Product.from_doc(doc)

    async def products_in_categories(
        self, codes: Iterable[str], session: AsyncClientSession | None = None
    ) -> list[Product]:
        docs = await self.products.find({"category": {"$in": list(codes)}}, session=session).to_list()
        return [Product.from_doc(doc) for doc in docs]

    async def categories_list(self, session: AsyncClientSession | None = None) -> list[Category]:
        docs = await self.categories.find({}, session=session).sort([("sort", ASCENDING), ("_id", ASCENDING)]).to_list()
        return [Category.from_doc(doc) for doc in docs]

    async def summaries(self, query: Document, sort: list[tuple[str, int]], limit: int) -> list[Document]:
        projection = dict.fromkeys(SUMMARY_FIELDS, 1)
        return await self.products.find(query, projection).sort(sort).limit(limit).to_list()

    async def aggregate(self, pipeline: list[Document]) -> list[Document]:
        return await (await self.products.aggregate(pipeline)).to_list()

    async def count_products(self) -> int:
        return await self.products.count_documents({})

    # --- writes -------------------------------------------------------------------------------
    async def upsert_products(self, products: Sequence[Product], session: AsyncClientSession | None = None) -> None:
        # $set rather than replace: fields owned by others (inventory's `in_stock` flag) survive.
        # Sent in slices: each statement keeps a long import transaction alive (servers reap
        # transactions idle for 60 s, and one huge statement on a slow server can exceed that).
        for start in range(0, len(products), WRITE_CHUNK):
            ops = [UpdateOne({"_id": p.code}, {"$set": _without_id(p.to_doc())}, upsert=True)
                   for p in products[start : start + WRITE_CHUNK]]  # fmt: skip
            await self.products.bulk_write(ops, ordered=False, session=session)

    async def upsert_categories(
        self, categories: Sequence[Category], session: AsyncClientSession | None = None
    ) -> None:
        if categories:
            ops = [ReplaceOne({"_id": c.code}, c.to_doc(), upsert=True) for c in categories]
            await self.categories.bulk_write(ops, ordered=False, session=session)

    async def increment_sales(self, quantities: dict[str, int]) -> None:
        """One bulk command; each SKU's quantity goes to the product that owns it."""
        ops = [UpdateOne({"sku_codes": sku}, {"$inc": {"sales": qty}}) for sku, qty in quantities.items() if qty]
        if ops:
            await self.products.bulk_write(ops, ordered=False)

    async def set_status(self, code: str, status: ProductStatus) -> Product | None:
        doc = await self.products.find_one_and_update(
            {"_id": code}, {"$set": {"status": status.value, "updated_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
        )  # fmt: skip
        return Product.from_doc(doc) if doc else None

    # --- meta: version + typo vocabulary ---------------------------------------------------------
    async def version(self) -> int:
        doc = await self.meta.find_one({"_id": META_ID}, {"version": 1})
        return int(doc["version"]) if doc else 0

    async def vocabulary_if_changed(self, known_version: int) -> tuple[int, list[str]] | None:
        """One command: the vocabulary only when the catalog version moved on."""
        doc = await self.meta.find_one({"_id": META_ID, "version": {"$ne": known_version}})
        if doc is None:
            return None
        return int(doc.get("version") or 0), list(doc.get("vocabulary") or ())

    async def stored_vocabulary(self, session: AsyncClientSession | None = None) -> set[str]:
        doc = await self.meta.find_one({"_id": META_ID}, {"vocabulary": 1}, session=session)
        return set(doc.get("vocabulary") or ()) if doc else set()

    async def bump_version(
        self, vocabulary: Iterable[str] | None = None, session: AsyncClientSession | None = None
    ) -> int:
        """Increment the catalog version (NLU and typo vocabularies refresh on it)."""
        update: dict[str, Any] = {"$inc": {"version": 1}, "$set": {"updated_at": utcnow()}}
        if vocabulary is not None:
            update["$set"]["vocabulary"] = sorted(vocabulary)
        doc = await self.meta.find_one_and_update(
            {"_id": META_ID}, update, upsert=True, return_document=ReturnDocument.AFTER, session=session
        )
        return int(doc["version"]) if doc else 0

    async def all_latin_keywords(self) -> set[str]:
        words = await self.products.distinct("keywords")
        return {w for w in words if isinstance(w, str) and w.isascii() and w.isalnum()}


def _without_id(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if k != "_id"}


# Bulk imports look up thousands of codes; huge $in lists are slow on some servers (SecantusDB's
# cost grows faster than linearly), so they are sent in slices. Hot paths stay one round trip.
IN_CHUNK = 250
WRITE_CHUNK = 500


def _chunks(values: list[str], size: int = IN_CHUNK) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
