"""`GET /p/{code}`: a small public product page (title, price, picture, description) in zh/en.

WeChat news articles link here. No scripts, no CDN: one HTML document with inline CSS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import jinja2
from aiohttp import web

from bot.wechat.links import Links
from bot.wechat.texts import wt
from commerce.catalog.model import ProductDetail
from commerce.errors import NotFound
from core.security_headers import add_page_headers
from dialogs.messages import Lang, normalize_lang

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


class ProductSource(Protocol):
    async def get_product_detail(self, code: str, *, public_only: bool = True) -> ProductDetail: ...


def page_language(request: web.Request) -> Lang:
    explicit = normalize_lang(request.query.get("lang"))
    if explicit:
        return explicit
    accept = request.headers.get("Accept-Language", "")
    return normalize_lang(accept.split(",", 1)[0]) or "zh"


def render_product(detail: ProductDetail, lang: Lang, links: Links, code: str) -> str:
    product = detail.product
    title = product.title.get(lang)
    low, high = product.price_min, product.price_max
    price = low.format() if low == high else f"{low.format()} – {high.format()}"
    variants: list[dict[str, Any]] = []
    if len(product.skus) > 1:
        for sku in product.skus:
            available = detail.available.get(sku.sku, 0)
            variants.append(
                {
                    "specs": " / ".join(sku.specs.values()) or sku.sku,
                    "price": sku.price.format(),
                    "stock": wt("product_page.in_stock" if available > 0 else "product_page.out_of_stock", lang),
                }
            )
    other: Lang = "en" if lang == "zh" else "zh"
    return _TEMPLATES.get_template("product.html").render(
        html_lang="zh-CN" if lang == "zh" else "en",
        title=title,
        price=price,
        stock=wt("product_page.in_stock" if detail.in_stock else "product_page.out_of_stock", lang),
        image=links.absolute(product.image),
        description=product.description.get(lang),
        variants=variants,
        variants_label=wt("product_page.variants", lang),
        hint=wt("product_page.buy_hint", lang, title=title),
        other_lang_url=f"/p/{quote(code, safe='')}?lang={other}",
        other_lang_label=wt("product_page.other_language", lang),
    )


class ProductPage:
    def __init__(self, products: ProductSource, links: Links) -> None:
        self.products = products
        self.links = links

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/p/{code}", self.show)]

    async def show(self, request: web.Request) -> web.Response:
        response = await self._page(request)
        add_page_headers(response.headers)  # the admin's baseline: public pages are framed and sniffed too
        return response

    async def _page(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        lang = page_language(request)
        if not code or len(code) > 64 or not code.isprintable():
            return web.Response(status=404, text=wt("product_page.not_found", lang))
        try:
            detail = await self.products.get_product_detail(code, public_only=True)
        except NotFound:
            return web.Response(status=404, text=wt("product_page.not_found", lang))
        html = render_product(detail, lang, self.links, request.match_info["code"])
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "public, max-age=60"})
