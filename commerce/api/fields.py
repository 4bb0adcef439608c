"""Bounded field types shared by the API input models.

Every number a caller sends has limits in the model, so the OpenAPI document states them and no
value can overflow the 64-bit integers the database stores (issue 17: `1e20` as a quantity or a
usage limit answered 500).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_QUANTITY = 100_000  # units of one SKU in one request
MAX_LINES = 50  # SKUs in one request (an order's limit as well)

SkuCode = Annotated[str, Field(min_length=1, max_length=100)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
QuantityLines = Annotated[dict[SkuCode, Quantity], Field(max_length=MAX_LINES)]
