"""Derived product fields (category path, search keywords), recomputed on every write."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from commerce.localized import LocalizedText

from .keywords import product_keywords, title_keywords
from .model import Category, Product


def index_product(product: Product, categories: Mapping[str, Category]) -> Product:
    category = categories.get(product.category)
    path = category.path if category and category.path else (product.category,)
    names: list[LocalizedText] = [categories[code].name for code in path if code in categories]
    return dataclasses.replace(
        product,
        category_path=tuple(path),
        keywords=product_keywords(product, names),
        title_keywords=title_keywords(product),
    )


def latin_vocabulary(products: list[Product]) -> set[str]:
    """Keywords the typo corrector may suggest (ASCII words, stems, pinyin)."""
    return {k for p in products for k in p.keywords if k.isascii() and k.isalnum()}
