"""Pydantic models for the catalog JSON exchange format (import validates, export emits it).

{"categories": [{"code", "name": {"zh","en"} | "text", "parent", "sort"}],
 "products": [{"code", "category", "brand", "title", "description", "tags", "images", "videos",
               "status", "skus": [{"sku", "specs", "price": "2999.00", "currency", "compare_at_price",
                                    "stock", "weight_g", "barcode", "tier_prices": {"vip": "2799.00"}}]}]}
Prices are decimal strings in the currency's major unit; JSON numbers are accepted too but
are read exactly (the file is parsed with Decimal, never float).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .model import ProductStatus

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]


def _decimal_text(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError('give prices as decimal strings such as "2999.00"')
    if isinstance(value, int | Decimal):
        return str(value)
    return value


DecimalText = Annotated[str, BeforeValidator(_decimal_text), Field(min_length=1, max_length=24)]


def _text_or_number(value: Any) -> Any:
    return str(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value


SpecText = Annotated[str, BeforeValidator(_text_or_number), Field(min_length=1, max_length=100)]


class _Liberal(BaseModel):
    # Unknown fields from outside tools are ignored rather than rejected.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class TextIn(_Liberal):
    zh: str = Field(default="", max_length=5000)
    en: str = Field(default="", max_length=5000)

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: Any) -> Any:
        # A plain string counts for both languages.
        if isinstance(value, str):
            return {"zh": value, "en": value}
        if not isinstance(value, dict):
            raise ValueError('give a text, or {"zh": "...", "en": "..."}')
        return value


class RequiredTextIn(TextIn):
    @model_validator(mode="after")
    def _not_empty(self) -> RequiredTextIn:
        if not (self.zh or self.en):
            raise ValueError("give a text in Chinese (zh) or English (en)")
        return self


class CategoryIn(_Liberal):
    code: Code
    name: RequiredTextIn
    parent: Code | None = None
    sort: int = Field(default=0, ge=-1_000_000, le=1_000_000)


def _url(value: str) -> str:
    if not (value.startswith(("https://", "http://", "/")) and " " not in value):
        raise ValueError("must be an http(s) URL or a path starting with /")
    return value


Url = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_url)]


class SkuIn(_Liberal):
    sku: Code
    specs: dict[Annotated[str, Field(min_length=1, max_length=40)], SpecText] = Field(default_factory=dict)
    price: DecimalText
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    compare_at_price: DecimalText | None = None
    stock: int | None = Field(default=None, ge=0, le=10_000_000)
    weight_g: int | None = Field(default=None, ge=0, le=10_000_000)
    barcode: str | None = Field(default=None, pattern=r"^[0-9A-Za-z-]{4,32}$")
    tier_prices: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")], DecimalText] = Field(default_factory=dict)

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value


class ProductIn(_Liberal):
    code: Code
    category: Code
    brand: str = Field(default="", max_length=100)
    title: RequiredTextIn
    description: TextIn = Field(default_factory=TextIn)
    tags: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=30)
    images: list[Url] = Field(default_factory=list, max_length=30)
    videos: list[Url] = Field(default_factory=list, max_length=10)
    status: ProductStatus | None = None  # missing: keep the current status (new products go on sale)
    skus: list[SkuIn] = Field(min_length=1, max_length=500)

    @field_validator("brand", mode="before")
    @classmethod
    def _no_null_brand(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(t.casefold() for t in values))


class CatalogFileIn(_Liberal):
    """The whole file; documents the format (import validates row by row, see importer.py)."""

    categories: list[CategoryIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
