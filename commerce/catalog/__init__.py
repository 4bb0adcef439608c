"""The catalog domain: categories, products and SKUs, bilingual keyword search, import/export."""

from .importer import ImportIssue, ImportReport
from .model import Category, CategoryNode, Product, ProductDetail, ProductStatus, ProductSummary, Sku, SkuSnapshot
from .repository import INDEXES
from .search import SearchPage, SearchQuery, SearchSort
from .service import CatalogService

__all__ = [
    "INDEXES",
    "CatalogService",
    "Category",
    "CategoryNode",
    "ImportIssue",
    "ImportReport",
    "Product",
    "ProductDetail",
    "ProductStatus",
    "ProductSummary",
    "SearchPage",
    "SearchQuery",
    "SearchSort",
    "Sku",
    "SkuSnapshot",
]
