"""Catalog domain objects: categories, products, SKUs and the read-only SKU snapshot.

Plain dataclasses; `to_doc`/`from_doc` only translate to and from the stored document shape.
Stock is not part of a product: it lives in the inventory collection (owned by inventory).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from commerce.localized import LocalizedText
from commerce.money import Money
from core.mongo import Document, as_utc, utcnow

from .specs import SpecLabel, label_specs


class ProductStatus(StrEnum):
    DRAFT = "draft"
    ON_SALE = "on_sale"
    OFF_SHELF = "off_shelf"


# Tags with a meaning in the shop front; any other tag is a free tag.
KNOWN_TAGS: dict[str, LocalizedText] = {
    "new": LocalizedText("新品", "New"),
    "hot": LocalizedText("热销", "Hot"),
    "promotion": LocalizedText("促销", "On sale"),
}


def _money_or_none(doc: Mapping[str, Any] | None) -> Money | None:
    return Money.from_doc(dict(doc)) if doc else None


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    name: LocalizedText
    parent: str | None = None
    sort: int = 0
    path: tuple[str, ...] = ()  # codes from the root down to and including this one

    @property
    def ancestors(self) -> tuple[str, ...]:
        return self.path[:-1]

    @property
    def depth(self) -> int:
        return max(len(self.path) - 1, 0)

    def to_doc(self) -> Document:
        return {
            "_id": self.code,
            "name": self.name.to_doc(),
            "parent": self.parent,
            "sort": self.sort,
            "path": list(self.path or (self.code,)),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Category:
        return cls(
            code=str(doc["_id"]),
            name=LocalizedText.from_doc(doc.get("name")),
            parent=doc.get("parent"),
            sort=int(doc.get("sort") or 0),
            path=tuple(doc.get("path") or (doc["_id"],)),
        )


@dataclass(frozen=True, slots=True)
class CategoryNode:
    """A category with its children, for menus ("everything under 数码")."""

    category: Category
    children: tuple[CategoryNode, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.category.code,
            "name": self.category.name.to_doc(),
            "parent": self.category.parent,
            "sort": self.category.sort,
            "children": [c.to_dict() for c in self.children],
        }


@dataclass(frozen=True, slots=True)
class Sku:
    sku: str
    price: Money
    specs: dict[str, str] = field(default_factory=dict)
    compare_at_price: Money | None = None  # the crossed-out "list" price
    weight_g: int | None = None
    barcode: str | None = None
    tier_prices: dict[str, Money] = field(default_factory=dict)  # e.g. {"vip": ...}, by customer tier

    @property
    def spec_labels(self) -> tuple[SpecLabel, ...]:
        return label_specs(self.specs)

    def price_for(self, tier: str | None = None) -> Money:
        return self.tier_prices.get(tier, self.price) if tier else self.price

    def describe_specs(self, lang: str | None) -> str:
        return " / ".join(label.value_label.get(lang) for label in self.spec_labels)

    def to_doc(self) -> Document:
        return {
            "sku": self.sku,
            "specs": dict(self.specs),
            "spec_labels": [label.to_doc() for label in self.spec_labels],
            "price": self.price.to_doc(),
            "compare_at_price": self.compare_at_price.to_doc() if self.compare_at_price else None,
            "weight_g": self.weight_g,
            "barcode": self.barcode,
            "tier_prices": {tier: price.to_doc() for tier, price in self.tier_prices.items()},
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Sku:
        return cls(
            sku=str(doc["sku"]),
            price=Money.from_doc(doc["price"]),
            specs={str(k): str(v) for k, v in (doc.get("specs") or {}).items()},
            compare_at_price=_money_or_none(doc.get("compare_at_price")),
            weight_g=doc.get("weight_g"),
            barcode=doc.get("barcode"),
            tier_prices={str(t): Money.from_doc(p) for t, p in (doc.get("tier_prices") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    category: str
    title: LocalizedText
    skus: tuple[Sku, ...]
    brand: str = ""
    description: LocalizedText = field(default_factory=LocalizedText)
    tags: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    videos: tuple[str, ...] = ()
    status: ProductStatus = ProductStatus.ON_SALE
    sales: int = 0
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    # Derived at write time (see keywords.py / service): never edited directly.
    category_path: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    title_keywords: tuple[str, ...] = ()  # subset from title and brand, for ranking

    @property
    def currency(self) -> str:
        return self.skus[0].price.currency

    @property
    def price_min(self) -> Money:
        return min((s.price for s in self.skus), key=lambda m: m.amount)

    @property
    def price_max(self) -> Money:
        return max((s.price for s in self.skus), key=lambda m: m.amount)

    @property
    def image(self) -> str | None:
        return self.images[0] if self.images else None

    @property
    def on_sale(self) -> bool:
        return self.status is ProductStatus.ON_SALE

    def sku(self, code: str) -> Sku | None:
        return next((s for s in self.skus if s.sku == code), None)

    def to_doc(self) -> Document:
        return {
            "_id": self.code,
            "category": self.category,
            "category_path": list(self.category_path or (self.category,)),
            "brand": self.brand,
            "title": self.title.to_doc(),
            "description": self.description.to_doc(),
            "tags": list(self.tags),
            "images": list(self.images),
            "videos": list(self.videos),
            "status": self.status.value,
            "skus": [s.to_doc() for s in self.skus],
            # Top-level copies for indexes and cheap filtering/sorting in search.
            "sku_codes": [s.sku for s in self.skus],
            "currency": self.currency,
            "price_min": self.price_min.amount,
            "price_max": self.price_max.amount,
            "sales": self.sales,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "keywords": list(self.keywords),
            "title_keywords": list(self.title_keywords),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Product:
        return cls(
            code=str(doc["_id"]),
            category=str(doc["category"]),
            title=LocalizedText.from_doc(doc.get("title")),
            skus=tuple(Sku.from_doc(s) for s in doc.get("skus") or ()),
            brand=str(doc.get("brand") or ""),
            description=LocalizedText.from_doc(doc.get("description")),
            tags=tuple(doc.get("tags") or ()),
            images=tuple(doc.get("images") or ()),
            videos=tuple(doc.get("videos") or ()),
            status=ProductStatus(doc.get("status") or ProductStatus.ON_SALE),
            sales=int(doc.get("sales") or 0),
            created_at=as_utc(doc["created_at"]) if doc.get("created_at") else utcnow(),
            updated_at=as_utc(doc["updated_at"]) if doc.get("updated_at") else utcnow(),
            category_path=tuple(doc.get("category_path") or ()),
            keywords=tuple(doc.get("keywords") or ()),
            title_keywords=tuple(doc.get("title_keywords") or ()),
        )


@dataclass(frozen=True, slots=True)
class ProductDetail:
    """A product page: the product plus available units per SKU (read live from inventory)."""

    product: Product
    available: dict[str, int]

    @property
    def in_stock(self) -> bool:
        return any(n > 0 for n in self.available.values())


@dataclass(frozen=True, slots=True)
class SkuSnapshot:
    """What carts and orders need to know about one SKU, frozen at the time it was read."""

    sku: str
    product_code: str
    title: LocalizedText
    specs: dict[str, str]
    price: Money
    weight_g: int | None
    image: str | None
    status: ProductStatus
    category: str
    brand: str
    compare_at_price: Money | None = None
    tier_prices: dict[str, Money] = field(default_factory=dict)
    spec_labels: tuple[SpecLabel, ...] = ()

    @property
    def purchasable(self) -> bool:
        return self.status is ProductStatus.ON_SALE

    def price_for(self, tier: str | None = None) -> Money:
        return self.tier_prices.get(tier, self.price) if tier else self.price

    def describe_specs(self, lang: str | None) -> str:
        return " / ".join(label.value_label.get(lang) for label in self.spec_labels)

    @classmethod
    def of(cls, product: Product, sku: Sku) -> SkuSnapshot:
        return cls(
            sku=sku.sku,
            product_code=product.code,
            title=product.title,
            specs=dict(sku.specs),
            price=sku.price,
            weight_g=sku.weight_g,
            image=product.image,
            status=product.status,
            category=product.category,
            brand=product.brand,
            compare_at_price=sku.compare_at_price,
            tier_prices=dict(sku.tier_prices),
            spec_labels=sku.spec_labels,
        )


@dataclass(frozen=True, slots=True)
class ProductSummary:
    """One search/list result: enough to show a product card without loading SKUs."""

    code: str
    title: LocalizedText
    brand: str
    category: str
    tags: tuple[str, ...]
    image: str | None
    price_min: Money
    price_max: Money
    status: ProductStatus
    sales: int
    in_stock: bool
    sku_count: int
    created_at: datetime
    score: int = 0  # query tokens matched (0 without a query)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title.to_doc(),
            "brand": self.brand,
            "category": self.category,
            "tags": list(self.tags),
            "image": self.image,
            "price_min": self.price_min.to_decimal_string(),
            "price_max": self.price_max.to_decimal_string(),
            "currency": self.price_min.currency,
            "status": self.status.value,
            "sales": self.sales,
            "in_stock": self.in_stock,
            "sku_count": self.sku_count,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> ProductSummary:
        currency = str(doc.get("currency") or "CNY")
        images = doc.get("images") or ()
        return cls(
            code=str(doc["_id"]),
            title=LocalizedText.from_doc(doc.get("title")),
            brand=str(doc.get("brand") or ""),
            category=str(doc.get("category")),
            tags=tuple(doc.get("tags") or ()),
            image=images[0] if images else None,
            price_min=Money(int(doc.get("price_min") or 0), currency),
            price_max=Money(int(doc.get("price_max") or 0), currency),
            status=ProductStatus(doc.get("status") or ProductStatus.ON_SALE),
            sales=int(doc.get("sales") or 0),
            in_stock=bool(doc.get("in_stock")),
            sku_count=len(doc.get("sku_codes") or ()),
            created_at=as_utc(doc["created_at"]) if doc.get("created_at") else utcnow(),
            score=int(doc.get("score") or 0),
        )
