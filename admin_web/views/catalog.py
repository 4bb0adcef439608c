"""Catalog administration: products and SKUs, images, categories, on/off shelf, import/export.

Creating and editing a product goes through the catalog importer with a one-product file, so
forms, files and the API share one validation and one write path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of
from admin_web.forms import (
    CategoryForm,
    ProductForm,
    StatusForm,
    format_specs,
    read_multipart,
)
from admin_web.media import MAX_UPLOAD_BYTES, thumbnail_url
from admin_web.views.common import audit, path_param, query_int, query_text
from admin_web.web import PREFIX, form_data, multipart_upload, parse_form, redirect, render, requires, safe_next
from commerce.catalog.importer import export_product, parse_catalog_json
from commerce.catalog.model import CategoryNode, ProductStatus
from commerce.catalog.search import SearchQuery, SearchSort
from commerce.catalog.service import CatalogService
from commerce.catalog.tree import build_tree
from commerce.errors import NotFound, ValidationFailed
from commerce.localized import LocalizedText

MAX_IMPORT_BYTES = 20 * 1024 * 1024
PAGE = 50


def _catalog(request: web.Request) -> CatalogService:
    return admin_of(request).commerce.catalog


@dataclass(frozen=True, slots=True)
class CategoryOption:
    code: str
    name: LocalizedText
    depth: int


async def category_options(catalog: Any) -> list[CategoryOption]:
    """The categories in tree order (each parent followed by its own children), for dropdowns:
    a flat list by depth would put every subcategory under the last top-level one."""
    options: list[CategoryOption] = []

    def walk(nodes: Iterable[CategoryNode], depth: int) -> None:
        for node in nodes:
            options.append(CategoryOption(node.category.code, node.category.name, depth))
            walk(node.children, depth + 1)

    categories = await catalog.list_categories()
    walk(build_tree(categories), 0)
    placed = {o.code for o in options}
    # A category whose parent is missing still has to be choosable.
    options.extend(CategoryOption(c.code, c.name, 0) for c in categories if c.code not in placed)
    return options


def _import_failed(report: Any) -> ValidationFailed:
    return ValidationFailed(
        "nothing was saved: the catalog importer found problems",
        details={"errors": [e.to_dict() for e in report.errors]},
        code="catalog_invalid",
    )


# --- products -------------------------------------------------------------------------------------
@requires(permissions.CATALOG_READ)
async def product_list(request: web.Request) -> web.StreamResponse:
    q = query_text(request, "q", 200)
    status = request.query.get("status", "")
    statuses = (ProductStatus(status),) if status in ProductStatus._value2member_map_ else tuple(ProductStatus)
    category = query_text(request, "category", 64) or None
    tag = query_text(request, "tag", 40) or None
    brand = query_text(request, "brand", 100) or None
    page = query_int(request, "page", 1, 1, 10_000)
    catalog = _catalog(request)
    result = await catalog.search(
        SearchQuery(
            text=q,
            category=category,
            brand=brand,
            tag=tag,
            statuses=statuses,
            page=page,
            limit=PAGE,
            sort=SearchSort.RELEVANCE if q else SearchSort.NEWEST,
            typo_tolerance=False,
        )
    )
    exact = None
    if q and page == 1 and not any(item.code == q for item in result.items):
        # Codes and SKU codes are looked up exactly: staff often paste them.
        found = await catalog.repository.products_with_skus([q])
        exact = found[0] if found else await catalog.repository.get_product(q)
    categories = await category_options(catalog)
    return render(
        request,
        "products.html",
        {
            "result": result,
            "exact": exact,
            "q": q,
            "status": status,
            "category": category or "",
            "tag": tag or "",
            "brand": brand or "",
            "categories": categories,
            "statuses": list(ProductStatus),
            "thumb": thumbnail_url,
        },
    )


@requires(permissions.CATALOG_READ)
async def product_new(request: web.Request) -> web.StreamResponse:
    categories = await category_options(_catalog(request))
    return render(
        request,
        "product_form.html",
        {
            "product": None,
            "categories": categories,
            "available": {},
            "statuses": list(ProductStatus),
            "format_specs": format_specs,
            "thumb": thumbnail_url,
        },
    )


@requires(permissions.CATALOG_READ)
async def product_edit(request: web.Request) -> web.StreamResponse:
    code = path_param(request, "code", 64)
    catalog = _catalog(request)
    detail = await catalog.get_product_detail(code, public_only=False)
    categories = await category_options(catalog)
    return render(
        request,
        "product_form.html",
        {
            "product": detail.product,
            "available": detail.available,
            "categories": categories,
            "statuses": list(ProductStatus),
            "format_specs": format_specs,
            "thumb": thumbnail_url,
        },
    )


async def _save_product(request: web.Request, form: ProductForm, *, creating: bool) -> web.StreamResponse:
    catalog = _catalog(request)
    existing = await catalog.repository.get_product(form.code)
    if creating and existing is not None:
        raise ValidationFailed(
            "a product with this code exists already", details={"field": "code"}, code="product_exists"
        )
    row = form.to_import(with_stock=creating)
    if existing is not None:
        row["videos"] = list(existing.videos)  # not on the form: keep them
    report = await catalog.import_catalog({"products": [row]})
    if not report.ok:
        raise _import_failed(report)
    await audit(
        request,
        "product.create" if creating else "product.update",
        "product",
        form.code,
        before=export_product(existing, {}) if existing else None,
        after=row,
    )
    return redirect(f"{PREFIX}/products/{form.code}?flash=saved", request)


@requires(permissions.CATALOG_WRITE)
async def product_create(request: web.Request) -> web.StreamResponse:
    form = parse_form(ProductForm, await form_data(request))
    return await _save_product(request, form, creating=True)


@requires(permissions.CATALOG_WRITE)
async def product_update(request: web.Request) -> web.StreamResponse:
    code = path_param(request, "code", 64)
    form = parse_form(ProductForm, {**await form_data(request), "code": code})
    if await _catalog(request).repository.get_product(code) is None:
        raise NotFound("product not found", details={"code": code})
    return await _save_product(request, form, creating=False)


@requires(permissions.CATALOG_WRITE)
async def product_status(request: web.Request) -> web.StreamResponse:
    code = path_param(request, "code", 64)
    data = await form_data(request)
    form = parse_form(StatusForm, data)
    catalog = _catalog(request)
    before = await catalog.get_product(code)
    after = await catalog.set_product_status(code, form.status)
    await audit(
        request,
        "product.status",
        "product",
        code,
        before={"status": before.status.value},
        after={"status": after.status.value},
    )
    back = safe_next(str(data.get("back") or f"{PREFIX}/products/{code}"))
    return redirect(back + ("&" if "?" in back else "?") + "flash=saved", request)


async def _replace_images(request: web.Request, code: str, images: list[str], action: str) -> None:
    catalog = _catalog(request)
    product = await catalog.get_product(code)
    row = export_product(product, {})
    before = list(row["images"])
    row["images"] = images
    report = await catalog.import_catalog({"products": [row]})
    if not report.ok:
        raise _import_failed(report)
    await audit(request, action, "product", code, before={"images": before}, after={"images": images})


@multipart_upload
@requires(permissions.CATALOG_WRITE)
async def image_upload(request: web.Request) -> web.StreamResponse:
    code = path_param(request, "code", 64)
    _, files = await read_multipart(request, max_bytes=MAX_UPLOAD_BYTES + 64 * 1024)
    data = files.get("image")
    if not data:
        raise ValidationFailed("choose an image file", details={"field": "image"})
    product = await _catalog(request).get_product(code)
    stored = await admin_of(request).media.save_product_image(code, data)
    await _replace_images(request, code, [*product.images, stored.url], "product.image_add")
    return redirect(f"{PREFIX}/products/{code}?flash=saved", request)


@requires(permissions.CATALOG_WRITE)
async def image_remove(request: web.Request) -> web.StreamResponse:
    code = path_param(request, "code", 64)
    url = str((await form_data(request)).get("url") or "")
    product = await _catalog(request).get_product(code)
    if url not in product.images:
        raise NotFound("image not found", details={"url": url[:200]})
    await _replace_images(request, code, [i for i in product.images if i != url], "product.image_remove")
    return redirect(f"{PREFIX}/products/{code}?flash=saved", request)


# --- categories -----------------------------------------------------------------------------------
@requires(permissions.CATALOG_READ)
async def category_tree(request: web.Request) -> web.StreamResponse:
    catalog = _catalog(request)
    tree = await catalog.category_tree()
    categories = await category_options(catalog)
    return render(request, "categories.html", {"tree": tree, "categories": categories})


@requires(permissions.CATALOG_WRITE)
async def category_save(request: web.Request) -> web.StreamResponse:
    form = parse_form(CategoryForm, await form_data(request))
    catalog = _catalog(request)
    before = next((c for c in await catalog.list_categories() if c.code == form.code), None)
    row = {
        "code": form.code,
        "name": {"zh": form.name_zh, "en": form.name_en},
        "parent": form.parent or None,
        "sort": form.sort,
    }
    report = await catalog.import_catalog({"categories": [row]})
    if not report.ok:
        raise _import_failed(report)
    await audit(request, "category.save", "category", form.code, before=before.to_doc() if before else None, after=row)
    return redirect(f"{PREFIX}/categories?flash=saved", request)


# --- import / export ------------------------------------------------------------------------------
@requires(permissions.CATALOG_WRITE)
async def export_catalog(request: web.Request) -> web.StreamResponse:
    data = await _catalog(request).export_catalog()
    await audit(request, "catalog.export", "catalog", "all", after={"products": len(data.get("products", []))})
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return web.Response(
        text=body,
        content_type="application/json",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="catalog.json"'},
    )


@requires(permissions.CATALOG_WRITE)
async def import_page(request: web.Request) -> web.StreamResponse:
    return render(request, "catalog_import.html", {"report": None})


@multipart_upload
@requires(permissions.CATALOG_WRITE)
async def import_catalog(request: web.Request) -> web.StreamResponse:
    fields, files = await read_multipart(request, max_bytes=MAX_IMPORT_BYTES)
    raw = files.get("file") or fields.get("json", "").encode()
    if not raw.strip():
        raise ValidationFailed("choose a catalog JSON file", details={"field": "file"})
    try:
        data = parse_catalog_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("the file is not valid JSON", details={"field": "file"}) from None
    dry_run = fields.get("dry_run") == "1"
    report = await _catalog(request).import_catalog(data, dry_run=dry_run)
    if report.ok and not dry_run:
        summary = {k: v for k, v in report.to_dict().items() if k != "errors"}
        await audit(request, "catalog.import", "catalog", "file", after=summary)
    return render(request, "catalog_import.html", {"report": report}, status=200 if report.ok else 422)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/products", product_list),
        web.get(f"{prefix}/products/new", product_new),
        web.post(f"{prefix}/products", product_create),
        web.get(f"{prefix}/products/{{code}}", product_edit),
        web.post(f"{prefix}/products/{{code}}", product_update),
        web.post(f"{prefix}/products/{{code}}/status", product_status),
        web.post(f"{prefix}/products/{{code}}/images", image_upload),
        web.post(f"{prefix}/products/{{code}}/images/remove", image_remove),
        web.get(f"{prefix}/categories", category_tree),
        web.post(f"{prefix}/categories", category_save),
        web.get(f"{prefix}/catalog/export", export_catalog),
        web.get(f"{prefix}/catalog/import", import_page),
        web.post(f"{prefix}/catalog/import", import_catalog),
    ]
