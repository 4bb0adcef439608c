"""Catalog import/export in the JSON exchange format (see import_schema.py).

Import validates EVERYTHING first (shape, money, duplicates, SKU ownership, categories, parent
cycles) and reports every bad row with its JSON path; only a fully valid file is written, inside
one transaction together with the stock levels (the injected `set_stock` receives the session).
Products are upserted by code and never deleted by an import; moving a SKU to another product
is refused (remove it from its product first).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import OperationFailure

from commerce.localized import LocalizedText
from commerce.money import CURRENCY_EXPONENTS, Money, MoneyError, exponent_of
from core.atomic import run_transaction
from core.json_limits import loads_bounded
from core.logging_setup import get_logger
from core.mongo import Document, utcnow

from .import_schema import CategoryIn, ProductIn, SkuIn
from .indexing import index_product, latin_vocabulary
from .model import Category, Product, ProductStatus, Sku
from .repository import CatalogRepository
from .tree import compute_paths, find_cycle

log = get_logger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)

MAX_ISSUES = 1000  # enough to fix a file; a wholly wrong file would otherwise flood the report


class StockWriter(Protocol):
    """Sets absolute available levels; joins the import transaction through `session`."""

    async def __call__(
        self, levels: dict[str, int], reason: str, *, session: AsyncClientSession | None = None
    ) -> None: ...


class _HasAvailable(Protocol):
    @property
    def available(self) -> int: ...


# Returns available units per SKU, as ints or as objects with `.available` (InventoryService.get_levels).
StockReader = Callable[[list[str]], Awaitable[Mapping[str, int | _HasAvailable]]]


@dataclass(frozen=True, slots=True)
class ImportIssue:
    path: str  # e.g. "products[3].skus[0].price"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    categories_created: int = 0
    categories_updated: int = 0
    reindexed: int = 0  # products outside the file whose category names/paths changed
    stock_levels: int = 0
    dry_run: bool = False
    errors: list[ImportIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __str__(self) -> str:
        if self.errors:
            return f"{len(self.errors)} problem(s), nothing imported"
        prefix = "dry run: " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, {self.unchanged} unchanged products; "
            f"{self.categories_created} new and {self.categories_updated} changed categories; "
            f"{self.stock_levels} stock levels"
        )

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "errors"}
        return {**data, "ok": self.ok, "errors": [e.to_dict() for e in self.errors]}


def parse_catalog_json(raw: str | bytes) -> Any:
    """JSON with exact decimals (a price written as 19.9 stays Decimal("19.9"), never a float)."""
    return loads_bounded(raw, parse_float=Decimal)


def _codes(rows: Any) -> set[str]:
    if not isinstance(rows, list):
        return set()
    return {row["code"] for row in rows if isinstance(row, Mapping) and isinstance(row.get("code"), str)}


def _loc_path(prefix: str, loc: Sequence[int | str]) -> str:
    path = prefix
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _pydantic_issues(prefix: str, error: ValidationError) -> list[ImportIssue]:
    issues = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if p not in ("function-before[_plain_string()]",)]
        message = str(item["msg"]).removeprefix("Value error, ")
        issues.append(ImportIssue(_loc_path(prefix, loc), message))
    return issues


def _validate_rows(rows: Any, name: str, model: type[ModelT], issues: list[ImportIssue]) -> list[tuple[int, ModelT]]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        issues.append(ImportIssue(name, "must be a list"))
        return []
    valid: list[tuple[int, ModelT]] = []
    for index, row in enumerate(rows):
        try:
            valid.append((index, model.model_validate(row)))
        except ValidationError as exc:
            issues += _pydantic_issues(f"{name}[{index}]", exc)
    return valid


@dataclass(slots=True)
class _Plan:
    """The validated file, turned into domain objects and ready to write."""

    categories: list[Category] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    reindexed: list[Product] = field(default_factory=list)
    stock: dict[str, int] = field(default_factory=dict)
    new_codes: set[str] = field(default_factory=set)  # products that did not exist when planned
    report: ImportReport = field(default_factory=ImportReport)


class CatalogImporter:
    def __init__(
        self,
        repository: CatalogRepository,
        *,
        default_currency: str = "CNY",
        set_stock: StockWriter | None = None,
        get_stock: StockReader | None = None,
    ) -> None:
        self.repository = repository
        self.default_currency = default_currency
        self.set_stock = set_stock
        self.get_stock = get_stock

    # --- import -------------------------------------------------------------------------------
    async def import_data(self, data: Any, *, dry_run: bool = False) -> ImportReport:
        plan = await self._plan(data)
        plan.report.dry_run = dry_run
        if plan.report.errors or dry_run:
            if plan.report.errors:
                plan.report.created = plan.report.updated = plan.report.unchanged = 0
            return plan.report
        await self._write(plan)
        log.info("catalog_imported", **{k: v for k, v in plan.report.to_dict().items() if k != "errors"})
        return plan.report

    async def _plan(self, data: Any) -> _Plan:
        plan = _Plan()
        issues = plan.report.errors
        if not isinstance(data, Mapping):
            issues.append(ImportIssue("$", "the file must be a JSON object with 'categories' and 'products'"))
            return plan
        categories_in = _validate_rows(data.get("categories"), "categories", CategoryIn, issues)
        products_in = _validate_rows(data.get("products"), "products", ProductIn, issues)
        # Codes of category rows that failed validation: already reported, so rows that refer
        # to them are not reported a second time as "unknown category".
        broken = _codes(data.get("categories")) - {row.code for _, row in categories_in}

        existing_categories = {c.code: c for c in await self.repository.categories_list()}
        categories = self._plan_categories(categories_in, existing_categories, plan, broken)

        existing_docs = await self.repository.product_docs(p.code for _, p in products_in)
        # SKU codes are unique across products (unique index): a SKU listed by an existing
        # product of the file has no other owner, so only the remaining ones are looked up
        # (a re-import then reads each product once, not twice).
        owners = {sku: code for code, doc in existing_docs.items() for sku in doc.get("sku_codes") or ()}
        unknown = [s.sku for _, p in products_in for s in p.skus if s.sku not in owners]
        if unknown:
            owners |= await self.repository.sku_owners(unknown)
        seen_codes: dict[str, int] = {}
        seen_skus: dict[str, str] = {}
        now = utcnow()
        for index, row in products_in:
            prefix = f"products[{index}]"
            errors_before = len(issues)
            if row.code in seen_codes:
                issues.append(
                    ImportIssue(
                        f"{prefix}.code", f"duplicate product code {row.code!r} (also products[{seen_codes[row.code]}])"
                    )
                )
            seen_codes.setdefault(row.code, index)
            if row.category not in categories and row.category not in broken:
                issues.append(ImportIssue(f"{prefix}.category", f"unknown category {row.category!r}"))
            skus = self._plan_skus(row, prefix, seen_skus, owners, issues)
            if len(issues) > errors_before or skus is None:
                continue
            existing = existing_docs.get(row.code)
            product = self._product(row, skus, existing, now, categories)
            plan.stock.update({s.sku: s.stock for s in row.skus if s.stock is not None})
            if existing is None:
                plan.report.created += 1
                plan.new_codes.add(product.code)
            elif _content(product.to_doc()) == _content(existing):
                plan.report.unchanged += 1
                continue
            else:
                plan.report.updated += 1
            plan.products.append(product)
        if len(issues) > MAX_ISSUES:
            del issues[MAX_ISSUES:]
            issues.append(ImportIssue("$", f"more than {MAX_ISSUES} problems; fix these and try again"))
        if not issues:
            await self._plan_reindex(plan, categories, existing_categories, {p.code for _, p in products_in})
        plan.report.stock_levels = len(plan.stock)
        return plan

    def _plan_categories(
        self, rows: list[tuple[int, CategoryIn]], existing: dict[str, Category], plan: _Plan, broken: set[str]
    ) -> dict[str, Category]:
        """Validate categories against file + database; returns the merged tree with paths."""
        issues = plan.report.errors
        parents: dict[str, str | None] = {code: c.parent for code, c in existing.items()}
        first_row: dict[str, int] = {}
        for index, row in rows:
            if row.code in first_row:
                issues.append(
                    ImportIssue(
                        f"categories[{index}].code",
                        f"duplicate category code {row.code!r} (also categories[{first_row[row.code]}])",
                    )
                )
                continue
            first_row[row.code] = index
            parents[row.code] = row.parent
        for code, index in first_row.items():
            parent = parents[code]
            if parent is not None and parent in broken:
                continue
            if parent is not None and parent not in parents:
                issues.append(ImportIssue(f"categories[{index}].parent", f"unknown parent category {parent!r}"))
            elif (cycle := find_cycle(code, parents)) is not None:
                issues.append(ImportIssue(f"categories[{index}].parent", "parent cycle: " + " -> ".join(cycle)))
        paths = compute_paths(parents)
        merged: dict[str, Category] = {}
        for code, known in existing.items():
            merged[code] = dataclasses.replace(known, path=paths.get(code, known.path))
        for index, row in rows:
            if first_row.get(row.code) != index:
                continue
            category = Category(
                code=row.code,
                name=LocalizedText(row.name.zh, row.name.en),
                parent=row.parent,
                sort=row.sort,
                path=paths.get(row.code, (row.code,)),
            )
            merged[row.code] = category
        for code, category in merged.items():
            stored = existing.get(code)
            if stored is None:
                plan.report.categories_created += 1
            elif stored.to_doc() == category.to_doc():
                continue
            else:
                plan.report.categories_updated += 1
            plan.categories.append(category)
        return merged

    def _plan_skus(
        self, row: ProductIn, prefix: str, seen: dict[str, str], owners: dict[str, str], issues: list[ImportIssue]
    ) -> tuple[Sku, ...] | None:
        skus: list[Sku] = []
        currencies: set[str] = set()
        for j, sku_in in enumerate(row.skus):
            path = f"{prefix}.skus[{j}]"
            if sku_in.sku in seen:
                issues.append(ImportIssue(f"{path}.sku", f"duplicate SKU {sku_in.sku!r} (also {seen[sku_in.sku]})"))
                continue
            seen[sku_in.sku] = f"{path}.sku"
            owner = owners.get(sku_in.sku)
            if owner is not None and owner != row.code:
                issues.append(ImportIssue(f"{path}.sku", f"SKU {sku_in.sku!r} already belongs to product {owner!r}"))
            sku = self._sku(sku_in, path, issues)
            if sku is None:
                continue
            if currencies and sku.price.currency not in currencies:
                issues.append(ImportIssue(f"{path}.currency", "all SKUs of a product must use one currency"))
            currencies.add(sku.price.currency)
            skus.append(sku)
        return tuple(skus) if len(skus) == len(row.skus) else None

    def _sku(self, row: SkuIn, path: str, issues: list[ImportIssue]) -> Sku | None:
        currency = row.currency or self.default_currency
        if currency not in CURRENCY_EXPONENTS:
            issues.append(ImportIssue(f"{path}.currency", f"unsupported currency {currency!r}"))
            return None
        before = len(issues)

        def money(value: str, where: str) -> Money | None:
            try:
                amount = Money.parse(value, currency)
            except MoneyError as exc:
                issues.append(ImportIssue(f"{path}.{where}", _money_message(exc, value, currency)))
                return None
            if amount.amount < 0:
                issues.append(ImportIssue(f"{path}.{where}", "must not be negative"))
                return None
            return amount

        price = money(row.price, "price")
        compare_at = money(row.compare_at_price, "compare_at_price") if row.compare_at_price else None
        tiers = {tier: money(value, f"tier_prices.{tier}") for tier, value in row.tier_prices.items()}
        if price is not None and compare_at is not None and compare_at < price:
            issues.append(ImportIssue(f"{path}.compare_at_price", "must not be lower than price"))
        if len(issues) > before or price is None:
            return None
        return Sku(
            sku=row.sku,
            price=price,
            specs=dict(row.specs),
            compare_at_price=compare_at,
            weight_g=row.weight_g,
            barcode=row.barcode,
            tier_prices={t: m for t, m in tiers.items() if m is not None},
        )

    def _product(
        self,
        row: ProductIn,
        skus: tuple[Sku, ...],
        existing: Document | None,
        now: Any,
        categories: Mapping[str, Category],
    ) -> Product:
        status = row.status or (ProductStatus(existing["status"]) if existing else ProductStatus.ON_SALE)
        product = Product(
            code=row.code,
            category=row.category,
            title=LocalizedText(row.title.zh, row.title.en),
            skus=skus,
            brand=row.brand,
            description=LocalizedText(row.description.zh, row.description.en),
            tags=tuple(row.tags),
            images=tuple(row.images),
            videos=tuple(row.videos),
            status=status,
            sales=int(existing.get("sales") or 0) if existing else 0,
            created_at=existing["created_at"] if existing else now,
            updated_at=now,
        )
        return index_product(product, categories)

    async def _plan_reindex(
        self, plan: _Plan, categories: dict[str, Category], existing: dict[str, Category], in_file: set[str]
    ) -> None:
        """Products not in the file whose category was renamed or moved get fresh keywords/paths."""
        changed = {c.code for c in plan.categories if c.code in existing}
        if not changed:
            return
        affected = {code for code, c in categories.items() if changed & set(c.path)}
        now = utcnow()
        for product in await self.repository.products_in_categories(affected):
            if product.code in in_file:
                continue
            fresh = index_product(product, categories)
            if (fresh.keywords, fresh.category_path) != (product.keywords, product.category_path):
                plan.reindexed.append(dataclasses.replace(fresh, updated_at=now))
        plan.report.reindexed = len(plan.reindexed)

    async def _write(self, plan: _Plan) -> None:
        products = [*plan.products, *plan.reindexed]

        async def write(session: AsyncClientSession | None) -> None:
            if plan.categories or products:
                # Version first: the products are stamped with it (search indexes refresh by rev),
                # and concurrent imports serialise on this document, so commit order is rev order.
                vocabulary = await self.repository.stored_vocabulary(session=session)
                rev = await self.repository.bump_version(vocabulary | latin_vocabulary(products), session=session)
                await self.repository.upsert_categories(plan.categories, session=session)
                await self.repository.upsert_products(products, rev=rev, new_codes=plan.new_codes, session=session)
            if plan.stock and self.set_stock is not None:
                await self.set_stock(plan.stock, "catalog import", session=session)

        try:
            await run_transaction(self.repository.db.client, write)
            return
        except OperationFailure as exc:
            if not _transactions_unsupported(exc):
                raise
        log.warning("catalog_import_without_transaction", reason="server does not support transactions")
        await write(None)

    # --- export -------------------------------------------------------------------------------
    async def export_data(self) -> dict[str, Any]:
        categories = await self.repository.categories_list()
        categories.sort(key=lambda c: (len(c.path), c.sort, c.code))  # parents before children
        products = [p async for p in self.repository.iter_products()]
        skus = [s.sku for p in products for s in p.skus]
        levels = await self.get_stock(skus) if self.get_stock is not None and skus else {}
        stock = {sku: v if isinstance(v, int) else v.available for sku, v in levels.items()}
        return {
            "categories": [
                {"code": c.code, "name": c.name.to_doc(), "parent": c.parent, "sort": c.sort} for c in categories
            ],
            "products": [export_product(p, stock) for p in products],
        }


def export_product(product: Product, stock: Mapping[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": product.code,
        "category": product.category,
        "brand": product.brand,
        "title": product.title.to_doc(),
        "description": product.description.to_doc(),
        "tags": list(product.tags),
        "images": list(product.images),
        "status": product.status.value,
    }
    if product.videos:
        out["videos"] = list(product.videos)
    out["skus"] = [export_sku(s, stock.get(s.sku)) for s in product.skus]
    return out


def export_sku(sku: Sku, stock: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sku": sku.sku,
        "specs": dict(sku.specs),
        "price": sku.price.to_decimal_string(),
        "currency": sku.price.currency,
    }
    if sku.compare_at_price is not None:
        out["compare_at_price"] = sku.compare_at_price.to_decimal_string()
    if stock is not None:
        out["stock"] = stock
    if sku.weight_g is not None:
        out["weight_g"] = sku.weight_g
    if sku.barcode:
        out["barcode"] = sku.barcode
    if sku.tier_prices:
        out["tier_prices"] = {tier: price.to_decimal_string() for tier, price in sku.tier_prices.items()}
    return out


_VOLATILE = ("created_at", "updated_at", "sales", "in_stock", "rev")  # not part of the imported content


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in _VOLATILE}


def _money_message(exc: MoneyError, value: str, currency: str) -> str:
    text = str(exc)
    if "decimal places" in text:
        places = exponent_of(currency)
        return f"more than {places} decimal places" if places else f"{currency} has no decimal places"
    if "out of range" in text or "too long" in text:
        return "amount is too large"
    return f"not a valid amount: {value!r}"


def _transactions_unsupported(exc: OperationFailure) -> bool:
    # Standalone mongod: "Transaction numbers are only allowed on a replica set member or mongos" (20).
    return exc.code == 20 or "Transaction numbers" in str(exc)
