"""MongoDB adapter for the catalog: products, categories and the catalog meta document.

Documents:
  products    {_id: code, ..., skus: [...], sku_codes: [...], price_min/price_max (minor units),
               category_path: [...], keywords: [...]}        (see Product.to_doc)
  categories  {_id: code, name, parent, sort, path: [root, ..., code]}
  catalog_meta {_id: "catalog", version: int, vocabulary: [latin keywords]}
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, InsertOne, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from commerce.inventory.service import INVENTORY
from core.atomic import find_one_and_update
from core.mongo import CollectionIndexes, Database, Document, utcnow

from .model import Category, Product, ProductStatus
from .search_index import ENTRY_FIELDS

PRODUCTS = "products"
CATEGORIES = "categories"
META = "catalog_meta"
META_ID = "catalog"

# Fields a search result card needs; keeps keyword arrays and SKU lists off the wire.
SUMMARY_FIELDS = (
    "title",
    "brand",
    "category",
    "tags",
    "images",
    "price_min",
    "price_max",
    "currency",
    "status",
    "sales",
    "sku_codes",
    "created_at",
)

# Search runs on the in-process index (search_index.py), so products need only the indexes of
# the remaining queries: `rev` for the index refresh, SKU ownership (unique), best sellers.
# Fewer indexes also make imports much cheaper (the former multikey `keywords` index alone
# wrote ~50 entries per product). Indexes left over from older versions are harmless.
INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(
        PRODUCTS,
        [
            IndexModel([("rev", ASCENDING)], name="rev"),
            IndexModel([("sku_codes", ASCENDING)], name="sku_codes_unique", unique=True),
            IndexModel([("status", ASCENDING), ("sales", DESCENDING)], name="status_sales"),
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


def stock_lookup(inventory_collection: str) -> list[Document]:
    """`in_stock` = some SKU of the product has `available > 0` in the inventory collection."""
    return [
        {
            "$lookup": {
                "from": inventory_collection,
                "localField": "sku_codes",
                "foreignField": "_id",
                "pipeline": [{"$match": {"available": {"$gt": 0}}}, {"$limit": 1}, {"$project": {"_id": 1}}],
                "as": "_stock",
            }
        },
        {"$addFields": {"in_stock": {"$gt": [{"$size": "$_stock"}, 0]}}},
    ]


class CatalogRepository:
    INDEXES = INDEXES

    def __init__(self, db: Database, inventory_collection: str = INVENTORY) -> None:
        self.db = db
        self.inventory_collection = inventory_collection
        self.products = db[PRODUCTS]
        # Product writes through this repository so far: in-process caches check their catalog
        # view again after any (search.SearchIndexSync).
        self.product_writes = 0
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
        return [product for product, _ in await self.products_with_skus_and_revs(skus)]

    async def products_with_skus_and_revs(self, skus: Sequence[str]) -> list[tuple[Product, int]]:
        """`products_with_skus`, each with the `rev` it was last written under."""
        docs = await self.products.find(
            {"sku_codes": {"$in": list(skus)}}, {"keywords": 0, "title_keywords": 0}
        ).to_list()
        return [(Product.from_doc(doc), int(doc.get("rev") or 0)) for doc in docs]

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

    # --- search -------------------------------------------------------------------------------
    async def search_entries(self, after_rev: int | None = None) -> list[Document]:
        """Search fields of every product, or of those written after `after_rev` (via the rev index)."""
        # `$gte rev + 1`, not `$gt rev`: revs are integers, and SecantusDB seeks to a `$gte` bound
        # but steps over every entry equal to a `$gt` bound (all 10,000 after a big import).
        query: Document = {} if after_rev is None else {"rev": {"$gte": after_rev + 1}}
        # One reply for the whole catalog where it fits (the server caps a batch at 16 MB).
        cursor = self.products.find(query, dict.fromkeys(ENTRY_FIELDS, 1), batch_size=100_000)
        return await cursor.to_list()

    async def page_summaries(self, codes: Sequence[str], statuses: Sequence[str]) -> list[Document]:
        """Summary documents with live `in_stock` for one page of codes, in the order given."""
        pipeline: list[Document] = [
            {"$match": {"_id": {"$in": list(codes)}, "status": {"$in": list(statuses)}}},
            {"$project": dict.fromkeys(SUMMARY_FIELDS, 1)},
            *stock_lookup(self.inventory_collection),
            {"$project": dict.fromkeys((*SUMMARY_FIELDS, "in_stock"), 1)},
        ]
        found = {doc["_id"]: doc for doc in await self.aggregate(pipeline)}
        return [found[code] for code in codes if code in found]

    async def in_stock_page(
        self, candidates: Sequence[tuple[str, Sequence[str]]], skip: int, limit: int, statuses: Sequence[str]
    ) -> tuple[int, list[Document]]:
        """Total and one page of the ranked `(code, sku_codes)` candidates that have stock.

        One database-level aggregate: the ranked list goes in as `$documents` (order kept), each
        candidate's stock is looked up through the inventory `_id` index, and the page's product
        documents are joined after the page is cut. Cost grows with the candidates, so only
        searches that ask for in-stock products take this path.
        """
        if not candidates:
            return 0, []
        ranked = [{"c": code, "s": list(skus)} for code, skus in candidates]
        pipeline: list[Document] = [
            {"$documents": ranked},  # codes cannot start with "$" (import_schema.CODE_PATTERN)
            {
                "$lookup": {
                    "from": self.inventory_collection,
                    "localField": "s",
                    "foreignField": "_id",
                    "pipeline": [{"$match": {"available": {"$gt": 0}}}, {"$limit": 1}, {"$project": {"_id": 1}}],
                    "as": "st",
                }
            },
            {"$match": {"st.0": {"$exists": True}}},
            {
                "$facet": {
                    "total": [{"$count": "n"}],
                    "items": [
                        {"$skip": skip},
                        {"$limit": limit},
                        {
                            "$lookup": {
                                "from": PRODUCTS,
                                "localField": "c",
                                "foreignField": "_id",
                                "pipeline": [
                                    {"$match": {"status": {"$in": list(statuses)}}},
                                    {"$project": dict.fromkeys(SUMMARY_FIELDS, 1)},
                                ],
                                "as": "p",
                            }
                        },
                        {"$unwind": "$p"},
                        {"$replaceRoot": {"newRoot": "$p"}},
                        {"$addFields": {"in_stock": True}},
                    ],
                }
            },
        ]
        result = await (await self.db.aggregate(pipeline)).to_list()
        facet = result[0] if result else {}
        total = int(facet["total"][0]["n"]) if facet.get("total") else 0
        return total, list(facet.get("items") or ())

    async def count_products(self) -> int:
        return await self.products.count_documents({})

    # --- writes -------------------------------------------------------------------------------
    async def upsert_products(
        self,
        products: Sequence[Product],
        *,
        rev: int | None = None,
        new_codes: Collection[str] = (),
        session: AsyncClientSession | None = None,
    ) -> None:
        """Write products stamped with `rev` (the catalog version they belong to; bumped when None).

        Products in `new_codes` did not exist when the import was planned: a plain insert is
        much cheaper than an upsert (no lookup first); should one appear meanwhile, the
        duplicate key fails the statement and with it the whole import transaction.
        Existing ones get $set rather than a replace: fields owned by others survive.
        Sent in slices: each statement keeps a long import transaction alive (servers reap
        transactions idle for 60 s, and one huge statement on a slow server can exceed that).
        """
        if rev is None:
            rev = await self.bump_version(session=session)
        for start in range(0, len(products), WRITE_CHUNK):
            ops: list[InsertOne[Document] | UpdateOne] = []
            for product in products[start : start + WRITE_CHUNK]:
                doc = {**product.to_doc(), "rev": rev}
                if product.code in new_codes:
                    ops.append(InsertOne(doc))
                else:
                    ops.append(UpdateOne({"_id": product.code}, {"$set": _without_id(doc)}, upsert=True))
            await self.products.bulk_write(ops, ordered=False, session=session)
        self.product_writes += 1

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

    async def set_status(self, code: str, status: ProductStatus, *, rev: int) -> Product | None:
        doc = await find_one_and_update(
            self.products,
            {"_id": code},
            {"$set": {"status": status.value, "updated_at": utcnow(), "rev": rev}},
            return_document=ReturnDocument.AFTER,
        )
        self.product_writes += 1
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
WRITE_CHUNK = 1000


def _chunks(values: list[str], size: int = IN_CHUNK) -> list[list[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]
