"""HTTP routes of the catalog: public reads and the admin import/export.

GET  /api/v1/products                   search (q, category, brand, tag, price range, in_stock, sort, page)
GET  /api/v1/products/{code}            product page with live availability per SKU
GET  /api/v1/categories                 the category tree
POST /api/v1/admin/catalog/import       catalog JSON body; ?dry_run=true validates only (catalog_manager/owner)
GET  /api/v1/admin/catalog/export       the whole catalog in the import format (catalog_manager/owner)
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter, json_response
from commerce.api.principal import Auth, Role
from commerce.errors import ValidationFailed
from commerce.localized import LocalizedText
from commerce.money import Money, MoneyError

from .import_schema import CatalogFileIn
from .importer import parse_catalog_json
from .model import CategoryNode, ProductDetail, ProductSummary
from .search import SearchPage, SearchQuery, SearchSort
from .service import CatalogService

router = ApiRouter(tag="catalog")
CATALOG_ADMINS = (Role.CATALOG_MANAGER, Role.OWNER)
DECIMAL_PATTERN = r"^\d{1,12}(\.\d{1,4})?$"


# --- request models ----------------------------------------------------------------------------
class ProductsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field(default="", max_length=200, description="Words in Chinese, English or pinyin")
    category: str | None = Field(default=None, max_length=64, description="Includes sub-categories")
    brand: str | None = Field(default=None, max_length=100)
    tag: str | None = Field(default=None, max_length=40)
    min_price: str | None = Field(default=None, pattern=DECIMAL_PATTERN, description="Major units, e.g. 99.00")
    max_price: str | None = Field(default=None, pattern=DECIMAL_PATTERN)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="Default: the shop currency")
    in_stock: bool = False
    # A Literal (inline enum) keeps the query parameter's schema self-contained in OpenAPI.
    sort: Literal["relevance", "price_asc", "price_desc", "sales", "newest"] = "relevance"
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=100)


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dry_run: bool = False


# --- response models ----------------------------------------------------------------------------
class TextOut(BaseModel):
    zh: str
    en: str

    @classmethod
    def of(cls, text: LocalizedText) -> TextOut:
        return cls(zh=text.zh, en=text.en)


class ProductCardOut(BaseModel):
    code: str
    title: TextOut
    brand: str
    category: str
    tags: list[str]
    image: str | None
    price_min: str
    price_max: str
    currency: str
    in_stock: bool
    sales: int

    @classmethod
    def of(cls, item: ProductSummary) -> ProductCardOut:
        return cls(
            code=item.code,
            title=TextOut.of(item.title),
            brand=item.brand,
            category=item.category,
            tags=list(item.tags),
            image=item.image,
            price_min=item.price_min.to_decimal_string(),
            price_max=item.price_max.to_decimal_string(),
            currency=item.price_min.currency,
            in_stock=item.in_stock,
            sales=item.sales,
        )


class ProductPageOut(BaseModel):
    items: list[ProductCardOut]
    total: int
    page: int
    limit: int
    next_page: int | None
    corrections: dict[str, list[str]] = Field(description="Typo corrections applied, e.g. headphnes -> headphones")

    @classmethod
    def of(cls, page: SearchPage) -> ProductPageOut:
        return cls(
            items=[ProductCardOut.of(i) for i in page.items],
            total=page.total,
            page=page.page,
            limit=page.limit,
            next_page=page.next_page,
            corrections=page.corrections,
        )


class SpecOut(BaseModel):
    key: str
    value: str
    label: TextOut = Field(description="Display label of the key, e.g. 颜色 / Color")
    value_label: TextOut


class SkuOut(BaseModel):
    sku: str
    specs: dict[str, str]
    spec_labels: list[SpecOut]
    price: str
    compare_at_price: str | None
    currency: str
    weight_g: int | None
    available: int


class ProductOut(BaseModel):
    code: str
    category: str
    category_path: list[str]
    brand: str
    title: TextOut
    description: TextOut
    tags: list[str]
    images: list[str]
    videos: list[str]
    status: str
    price_min: str
    price_max: str
    currency: str
    in_stock: bool
    sales: int
    skus: list[SkuOut]

    @classmethod
    def of(cls, detail: ProductDetail) -> ProductOut:
        p = detail.product
        skus = [
            SkuOut(
                sku=s.sku,
                specs=dict(s.specs),
                price=s.price.to_decimal_string(),
                currency=s.price.currency,
                compare_at_price=s.compare_at_price.to_decimal_string() if s.compare_at_price else None,
                weight_g=s.weight_g,
                available=detail.available.get(s.sku, 0),
                spec_labels=[
                    SpecOut(
                        key=lb.key,
                        value=lb.value,
                        label=TextOut.of(lb.key_label),
                        value_label=TextOut.of(lb.value_label),
                    )
                    for lb in s.spec_labels
                ],
            )
            for s in p.skus
        ]
        return cls(
            code=p.code,
            category=p.category,
            category_path=list(p.category_path),
            brand=p.brand,
            title=TextOut.of(p.title),
            description=TextOut.of(p.description),
            tags=list(p.tags),
            images=list(p.images),
            videos=list(p.videos),
            status=p.status.value,
            price_min=p.price_min.to_decimal_string(),
            price_max=p.price_max.to_decimal_string(),
            currency=p.currency,
            in_stock=detail.in_stock,
            sales=p.sales,
            skus=skus,
        )


class CategoryNodeOut(BaseModel):
    code: str
    name: TextOut
    parent: str | None
    sort: int
    children: list[CategoryNodeOut]

    @classmethod
    def of(cls, node: CategoryNode) -> CategoryNodeOut:
        c = node.category
        return cls(
            code=c.code,
            name=TextOut.of(c.name),
            parent=c.parent,
            sort=c.sort,
            children=[cls.of(child) for child in node.children],
        )


class CategoriesOut(BaseModel):
    items: list[CategoryNodeOut]


class ImportIssueOut(BaseModel):
    path: str
    message: str


class ImportReportOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    categories_created: int
    categories_updated: int
    reindexed: int
    stock_levels: int
    dry_run: bool
    ok: bool
    errors: list[ImportIssueOut]


# --- handlers -------------------------------------------------------------------------------------
def _catalog(ctx: ApiContext) -> CatalogService:
    service: CatalogService = ctx.services.catalog
    return service


def _money(value: str | None, currency: str, name: str) -> Money | None:
    if value is None:
        return None
    try:
        return Money.parse(value, currency)
    except MoneyError as exc:
        raise ValidationFailed(
            f"invalid {name}", details={"location": "query", "field": name, "reason": str(exc)}
        ) from None


def search_query(params: ProductsQuery, default_currency: str) -> SearchQuery:
    currency = params.currency or default_currency
    low = _money(params.min_price, currency, "min_price")
    high = _money(params.max_price, currency, "max_price")
    if low is not None and high is not None and low > high:
        raise ValidationFailed("min_price must not exceed max_price", details={"location": "query"})
    return SearchQuery(
        text=params.q,
        category=params.category,
        brand=params.brand,
        tag=params.tag,
        min_price=low,
        max_price=high,
        in_stock=params.in_stock,
        sort=SearchSort(params.sort),
        page=params.page,
        limit=params.limit,
    )


@router.get("/products", auth=Auth.PUBLIC, query=ProductsQuery, response=ProductPageOut)
async def search_products(ctx: ApiContext) -> ProductPageOut:
    """Search products on sale (Chinese, English, pinyin; typo tolerant)."""
    catalog = _catalog(ctx)
    page = await catalog.search(search_query(ctx.query_as(ProductsQuery), catalog.default_currency))
    return ProductPageOut.of(page)


@router.get("/products/{code}", auth=Auth.PUBLIC, response=ProductOut)
async def get_product(ctx: ApiContext) -> ProductOut:
    """One product on sale, with its SKUs and available units."""
    code = ctx.path["code"]
    if len(code) > 64:
        raise ValidationFailed("product code is too long", details={"location": "path"})
    return ProductOut.of(await _catalog(ctx).get_product_detail(code, public_only=True))


@router.get("/categories", auth=Auth.PUBLIC, response=CategoriesOut)
async def list_categories(ctx: ApiContext) -> CategoriesOut:
    """The category tree, sorted for menus."""
    return CategoriesOut(items=[CategoryNodeOut.of(node) for node in await _catalog(ctx).category_tree()])


@router.post(
    "/admin/catalog/import",
    auth=Auth.STAFF,
    roles=CATALOG_ADMINS,
    body=CatalogFileIn,
    query=ImportQuery,
    response=ImportReportOut,
    raw_body=True,
)
async def import_catalog(ctx: ApiContext) -> Any:
    """Import a catalog file: all or nothing; 422 lists every invalid row with its JSON path."""
    try:
        data = parse_catalog_json(await ctx.request.read())
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("the request body is not valid JSON", details={"location": "body"}) from None
    report = await _catalog(ctx).import_catalog(data, dry_run=ctx.query_as(ImportQuery).dry_run)
    if not report.ok:
        raise ValidationFailed(
            "the catalog file is invalid; nothing was imported",
            details={"errors": [e.to_dict() for e in report.errors]},
            code="catalog_invalid",
        )
    return ImportReportOut.model_validate(report.to_dict())


@router.get("/admin/catalog/export", auth=Auth.STAFF, roles=CATALOG_ADMINS, response=CatalogFileIn)
async def export_catalog(ctx: ApiContext) -> web.StreamResponse:
    """The whole catalog (with stock) in the import format."""
    return json_response(await _catalog(ctx).export_catalog())
