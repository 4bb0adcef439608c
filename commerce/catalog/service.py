"""CatalogService: the catalog's use cases for chat dialogs, the HTTP API, carts and orders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from commerce.errors import NotFound, ValidationFailed
from commerce.inventory.service import INVENTORY
from core.mongo import Database, Document

from .importer import CatalogImporter, ImportReport, StockReader, StockWriter
from .keywords import synonym_groups
from .model import Category, CategoryNode, Product, ProductDetail, ProductStatus, ProductSummary, SkuSnapshot
from .product_cache import ProductCache
from .repository import CatalogRepository
from .search import SearchIndexSync, SearchPage, SearchQuery, run_search
from .search_index import SearchEntry
from .tree import build_tree


class CatalogService:
    def __init__(
        self,
        db: Database,
        *,
        default_currency: str = "CNY",
        set_stock: StockWriter | None = None,
        get_stock: StockReader | None = None,
        inventory_collection: str = INVENTORY,
        vocabulary_refresh_seconds: float = 2.0,
        search_resync_seconds: float = 300.0,
    ) -> None:
        self.repository = CatalogRepository(db, inventory_collection)
        self.importer = CatalogImporter(
            self.repository, default_currency=default_currency, set_stock=set_stock, get_stock=get_stock
        )
        self.inventory_collection = inventory_collection
        # The in-process search index (and typo vocabulary); see search_index.py.
        self._search = SearchIndexSync(
            self.repository, refresh_seconds=vocabulary_refresh_seconds, resync_seconds=search_resync_seconds
        )
        self._products = ProductCache()  # for snapshots to show (product_cache.py)

    # --- for carts / orders ---------------------------------------------------------------------
    async def get_sku_snapshots(self, skus: Iterable[str], *, cached: bool = False) -> dict[str, SkuSnapshot]:
        """Snapshots of the SKUs that exist (unknown ones are absent), in ONE database round trip.

        `cached`: for snapshots that are shown (a quote), not acted on: products read earlier and
        unchanged since, as far as the search index knows, are not read again (product_cache.py);
        then usually no round trip at all."""
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return {}
        owners: dict[str, Product] = {}
        if cached:
            await self._search.refresh_if_stale()
            for code in wanted:
                entry = self._search.index.owner(code)
                product = self._products.get(entry.code, entry.rev) if entry is not None else None
                if product is not None:
                    owners[code] = product
        missing = [code for code in wanted if code not in owners]
        if missing:
            for product, rev in await self.repository.products_with_skus_and_revs(missing):
                self._products.put(product, rev)
                owners.update(dict.fromkeys((sku.sku for sku in product.skus if sku.sku in missing), product))
        snapshots: dict[str, SkuSnapshot] = {}
        for code, product in owners.items():
            sku = next(s for s in product.skus if s.sku == code)
            snapshots[code] = SkuSnapshot.of(product, sku)
        return snapshots

    async def get_sku_snapshots_and_stock(self, skus: Iterable[str]) -> tuple[dict[str, SkuSnapshot], dict[str, int]]:
        """`get_sku_snapshots` and the units available of each SKU found, in ONE round trip: the
        stock is joined to the products as for a product page (a priced cart needs both)."""
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return {}, {}
        pipeline: list[Document] = [
            {"$match": {"sku_codes": {"$in": wanted}}},
            {"$project": {"keywords": 0, "title_keywords": 0}},
            {
                "$lookup": {
                    "from": self.inventory_collection,
                    "localField": "sku_codes",
                    "foreignField": "_id",
                    "as": "_stock",
                    "pipeline": [{"$project": {"available": 1}}],
                }
            },
        ]
        snapshots: dict[str, SkuSnapshot] = {}
        available: dict[str, int] = {}
        for doc in await self.repository.aggregate(pipeline):
            product = Product.from_doc(doc)
            self._products.put(product, int(doc.get("rev") or 0))
            stock = {str(d["_id"]): int(d.get("available") or 0) for d in doc.get("_stock") or ()}
            for sku in product.skus:
                if sku.sku in wanted:
                    snapshots[sku.sku] = SkuSnapshot.of(product, sku)
                    available[sku.sku] = stock.get(sku.sku, 0)
        return snapshots, available

    async def record_sales(self, quantities: dict[str, int]) -> None:
        """Add sold quantities (per SKU) to the owning products' sales counters; one command."""
        sold = {sku: int(q) for sku, q in quantities.items() if q > 0}
        await self.repository.increment_sales(sold)
        self._search.index.add_sales(sold)

    # --- shopping ----------------------------------------------------------------------------------
    async def warm_up(self) -> None:
        """Load the in-process search index now (the first search would otherwise pay ~2 s at 10k products)."""
        await self._search.refresh_if_stale()

    async def search(self, query: SearchQuery) -> SearchPage:
        return await run_search(query, self.repository, self._search)

    async def get_product(self, code: str, *, public_only: bool = False) -> Product:
        """The product, or NotFound. With public_only, drafts and off-shelf products are hidden."""
        product = await self.repository.get_product(code)
        if product is None or (public_only and not product.on_sale):
            raise NotFound("product not found", details={"code": code}, code="product_not_found")
        return product

    async def get_product_detail(self, code: str, *, public_only: bool = True) -> ProductDetail:
        """The product with available units per SKU, in one aggregation; NotFound when hidden."""
        pipeline: list[Document] = [
            {"$match": {"_id": code}},
            {"$project": {"keywords": 0, "title_keywords": 0}},
            {
                "$lookup": {
                    "from": self.inventory_collection,
                    "localField": "sku_codes",
                    "foreignField": "_id",
                    "as": "_stock",
                }
            },
        ]
        docs = await self.repository.aggregate(pipeline)
        product = Product.from_doc(docs[0]) if docs else None
        if product is not None:
            self._products.put(product, int(docs[0].get("rev") or 0))
        if product is None or (public_only and not product.on_sale):
            raise NotFound("product not found", details={"code": code}, code="product_not_found")
        levels = {str(d["_id"]): int(d.get("available") or 0) for d in docs[0].get("_stock") or ()}
        return ProductDetail(product, {s.sku: levels.get(s.sku, 0) for s in product.skus})

    @property
    def default_currency(self) -> str:
        return self.importer.default_currency

    async def list_categories(self) -> list[Category]:
        return await self.repository.categories_list()

    async def category_tree(self) -> list[CategoryNode]:
        return build_tree(await self.repository.categories_list())

    async def popular(self, limit: int = 10) -> list[ProductSummary]:
        """Best sellers on sale (in stock first), from the search index; two commands at most."""
        await self._search.refresh_if_stale()
        on_sale = [e for e in self._search.index.entries() if e.status == ProductStatus.ON_SALE.value]
        return await self._prefer_in_stock([(e, 0) for e in on_sale], _clamp(limit))

    async def recommend(self, similar_to: str | None = None, limit: int = 6) -> list[ProductSummary]:
        """Products like `similar_to` (same category, shared tags), else popular ones."""
        if similar_to is None:
            return await self.popular(limit)
        await self._search.refresh_if_stale()
        product = self._search.index.entry(similar_to)
        if product is None:
            raise NotFound("product not found", details={"code": similar_to}, code="product_not_found")
        scored = []
        for entry in self._search.index.entries():
            if entry.status != ProductStatus.ON_SALE.value or entry.code == product.code:
                continue
            same_category = entry.category == product.category
            shared_tags = len(entry.tags & product.tags)
            if same_category or shared_tags:
                scored.append((entry, (2 if same_category else 0) + shared_tags))
        return await self._prefer_in_stock(scored, _clamp(limit))

    async def _prefer_in_stock(self, scored: list[tuple[SearchEntry, int]], limit: int) -> list[ProductSummary]:
        """The best `limit` by (score, sales), in-stock ones first among 3x as many candidates."""
        scored.sort(key=lambda pair: (-pair[1], -pair[0].sales, pair[0].code))
        candidates = scored[: limit * 3]  # enough to prefer in-stock ones without checking everything
        scores = {entry.code: score for entry, score in candidates}
        docs = await self.repository.page_summaries(list(scores), [ProductStatus.ON_SALE.value])
        docs.sort(key=lambda d: (not d.get("in_stock"), -scores[d["_id"]], -int(d.get("sales") or 0), d["_id"]))
        return [ProductSummary.from_doc({**doc, "score": scores[doc["_id"]]}) for doc in docs[:limit]]

    # --- NLU support ---------------------------------------------------------------------------------
    async def version(self) -> int:
        """Monotonic catalog version; bumps on every import or status change."""
        return await self.repository.version()

    async def vocabulary(self) -> dict[str, Any]:
        """Names the NLU engine should recognise (entity lists), with the catalog version."""
        version = await self.repository.version()
        products = await self.repository.aggregate(
            [
                {"$match": {"status": ProductStatus.ON_SALE.value}},
                {"$project": {"title": 1, "brand": 1, "category": 1}},
                {"$sort": {"_id": 1}},
            ]
        )
        categories = await self.repository.categories_list()
        product_names = [
            {
                "code": d["_id"],
                "zh": d["title"].get("zh", ""),
                "en": d["title"].get("en", ""),
                "category": d["category"],
            }
            for d in products
        ]
        category_names = [{"code": c.code, "zh": c.name.zh, "en": c.name.en, "parent": c.parent} for c in categories]
        brands = sorted({d["brand"] for d in products if d.get("brand")})
        synonyms = [list(group) for group in synonym_groups()]
        return {
            "version": version,
            "products": product_names,
            "brands": brands,
            "categories": category_names,
            "synonyms": synonyms,
        }

    # --- administration ----------------------------------------------------------------------------
    async def import_catalog(self, data: Any, *, dry_run: bool = False) -> ImportReport:
        """Validate everything, then write it all in one transaction (or nothing)."""
        report = await self.importer.import_data(data, dry_run=dry_run)
        if report.ok and not dry_run:
            self._search.invalidate()
        return report

    async def export_catalog(self) -> dict[str, Any]:
        return await self.importer.export_data()

    async def set_product_status(self, code: str, status: ProductStatus | str) -> Product:
        try:
            wanted = ProductStatus(status)
        except ValueError:
            raise ValidationFailed("unknown product status", details={"status": str(status)}) from None
        # Version first, then the product stamped with it: search indexes refresh by rev.
        rev = await self.repository.bump_version()
        product = await self.repository.set_status(code, wanted, rev=rev)
        if product is None:
            raise NotFound("product not found", details={"code": code}, code="product_not_found")
        self._search.invalidate()
        return product

    async def rebuild_vocabulary(self) -> int:
        """Maintenance: recompute the typo vocabulary from all product keywords."""
        words = await self.repository.all_latin_keywords()
        version = await self.repository.bump_version(words)
        self._search.invalidate()
        return version

    async def is_empty(self) -> bool:
        return await self.repository.count_products() == 0


def _clamp(limit: int) -> int:
    return max(1, min(int(limit), 50))
