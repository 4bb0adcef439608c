"""Form models of the admin: what each form may contain, validated before any service runs.

Product forms are turned into the catalog import format so create and edit go through the
catalog importer (one validation, one write path for files and forms alike).
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin_web.context import admin_of, current
from admin_web.csrf import CSRF_FIELD
from commerce.errors import Forbidden, ValidationFailed

DECIMAL = r"^\d{1,12}(\.\d{1,4})?$"


class _Form(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def parse_specs(text: str) -> dict[str, str]:
    """ "color=black; storage=128GB" -> {"color": "black", "storage": "128GB"}."""
    specs: dict[str, str] = {}
    for part in re.split(r"[;；\n]", text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValidationFailed(
                "write specs as name=value; name=value", details={"field": "sku_specs", "value": part[:80]}
            )
        specs[key.strip()] = value.strip()
    return specs


def format_specs(specs: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in specs.items())


class ProductForm(_Form):
    code: str = Field(min_length=1, max_length=64)
    category: str = Field(min_length=1, max_length=64)
    brand: str = Field(default="", max_length=100)
    title_zh: str = Field(default="", max_length=200)
    title_en: str = Field(default="", max_length=200)
    description_zh: str = Field(default="", max_length=5000)
    description_en: str = Field(default="", max_length=5000)
    tags: str = Field(default="", max_length=1000)
    images: str = Field(default="", max_length=20000)
    status: str = Field(default="draft", pattern=r"^(draft|on_sale|off_shelf)$")
    sku: list[str] = Field(default_factory=list)
    sku_specs: list[str] = Field(default_factory=list)
    sku_price: list[str] = Field(default_factory=list)
    sku_compare_at: list[str] = Field(default_factory=list)
    sku_stock: list[str] = Field(default_factory=list)
    sku_weight: list[str] = Field(default_factory=list)

    @field_validator("sku", "sku_specs", "sku_price", "sku_compare_at", "sku_stock", "sku_weight", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> list[str]:
        return [v.strip() for v in _as_list(value)]

    def to_import(self, *, with_stock: bool) -> dict[str, Any]:
        """One product in the catalog import format (rows with an empty SKU code are skipped)."""
        skus: list[dict[str, Any]] = []
        for index, code in enumerate(self.sku):
            if not code:
                continue

            def cell(values: list[str], i: int = index) -> str:
                return values[i] if i < len(values) else ""

            row: dict[str, Any] = {
                "sku": code,
                "specs": parse_specs(cell(self.sku_specs)),
                "price": cell(self.sku_price),
            }
            if cell(self.sku_compare_at):
                row["compare_at_price"] = cell(self.sku_compare_at)
            if with_stock and cell(self.sku_stock):
                row["stock"] = _whole(cell(self.sku_stock), "sku_stock")
            if cell(self.sku_weight):
                row["weight_g"] = _whole(cell(self.sku_weight), "sku_weight")
            skus.append(row)
        if not skus:
            raise ValidationFailed("a product needs at least one SKU", details={"field": "sku"})
        return {
            "code": self.code,
            "category": self.category,
            "brand": self.brand,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "description": {"zh": self.description_zh, "en": self.description_en},
            "tags": [t.strip() for t in re.split(r"[,，]", self.tags) if t.strip()],
            "images": [line.strip() for line in self.images.splitlines() if line.strip()],
            "status": self.status,
            "skus": skus,
        }


def _whole(text: str, field: str) -> int:
    if not text.isdigit():
        raise ValidationFailed("must be a whole number >= 0", details={"field": field, "value": text[:20]})
    return int(text)


class CategoryForm(_Form):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    name_zh: str = Field(default="", max_length=100)
    name_en: str = Field(default="", max_length=100)
    parent: str = Field(default="", max_length=64)
    sort: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class StatusForm(_Form):
    status: str = Field(pattern=r"^(draft|on_sale|off_shelf)$")


class AdjustForm(_Form):
    delta: int = Field(ge=-1_000_000, le=1_000_000)
    reason: str = Field(min_length=1, max_length=200)


class ShipForm(_Form):
    carrier: str = Field(min_length=1, max_length=60)
    tracking_no: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$")
    despite_refund: bool = False  # the staff member saw the open refund request and ships anyway


class ReasonForm(_Form):
    reason: str = Field(default="", max_length=500)


class NoteForm(_Form):
    text: str = Field(min_length=1, max_length=2000)


class RefundForm(_Form):
    amount: str = Field(default="", max_length=20)
    note: str = Field(default="", max_length=500)

    @field_validator("amount")
    @classmethod
    def _decimal(cls, value: str) -> str:
        if value and not re.match(DECIMAL, value):
            raise ValueError("write the amount like 99.00")
        return value


class TierForm(_Form):
    tier: str = Field(pattern=r"^(regular|vip|enterprise)$")


class AgentTextForm(_Form):
    text: str = Field(min_length=1, max_length=4000)


class AgentCardForm(_Form):
    product: str = Field(min_length=1, max_length=64)


class AgentCouponForm(_Form):
    code: str = Field(min_length=1, max_length=64)


class StaffForm(_Form):
    username: str = Field(min_length=3, max_length=64)
    display_name: str = Field(default="", max_length=100)
    password: str = Field(min_length=10, max_length=200)
    roles: list[str] = Field(min_length=1)

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> list[str]:
        return _as_list(value)


class RolesForm(_Form):
    roles: list[str] = Field(default_factory=list)
    active: str = Field(default="")

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> list[str]:
        return _as_list(value)


class ReviewLabelForm(_Form):
    """Label (or, with an empty intent, ignore) a group of similar unrecognised messages."""

    keys: list[str] = Field(min_length=1, max_length=50)
    intent: str = Field(default="", max_length=40, pattern=r"^[a-z_]*$")

    @field_validator("keys", mode="before")
    @classmethod
    def _keys(cls, value: Any) -> list[str]:
        keys = _as_list(value)
        if any(len(key) > 400 for key in keys):
            raise ValueError("group key too long")
        return keys


# --- multipart uploads ---------------------------------------------------------------------------
async def read_multipart(request: web.Request, *, max_bytes: int) -> tuple[dict[str, str], dict[str, bytes]]:
    """Stream a multipart form (files may exceed the app's body limit for JSON) and check its
    CSRF token: from the X-CSRF-Token header (htmx) or the `_csrf` part (plain forms)."""
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    total = 0
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(64 * 1024):
            total += len(chunk)
            if total > max_bytes:
                raise ValidationFailed(
                    f"the upload is larger than {max_bytes // (1024 * 1024)} MB", details={"field": part.name}
                )
            chunks.append(chunk)
        data = b"".join(chunks)
        if part.filename is not None:
            files[part.name] = data
        else:
            fields[part.name] = data.decode("utf-8", errors="replace")
    staff = current(request)
    token = request.headers.get("X-CSRF-Token") or fields.pop(CSRF_FIELD, "")
    if not admin_of(request).csrf.check_session_token(staff.session_token, token):
        raise Forbidden(
            "the form expired or did not come from this site; reload the page and try again", code="csrf_failed"
        )
    return fields, files
