"""What carts, orders and payments need from the catalog.

`commerce.catalog.service.CatalogService` satisfies this protocol; keeping the dependency this
narrow means the transactional domains never reach into how products are stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from commerce.catalog.model import SkuSnapshot


class SkuCatalog(Protocol):
    async def get_sku_snapshots(self, skus: Iterable[str], *, cached: bool = False) -> Mapping[str, SkuSnapshot]:
        """Current snapshots for the SKUs that exist (unknown SKUs are simply absent). One round trip;
        `cached`: none for products read before and unchanged since (for what is only shown)."""
        ...

    async def get_sku_snapshots_and_stock(
        self, skus: Iterable[str]
    ) -> tuple[Mapping[str, SkuSnapshot], Mapping[str, int]]:
        """The snapshots and the units available of the SKUs that exist. One round trip."""
        ...

    async def record_sales(self, quantities: dict[str, int]) -> None:
        """Add sold quantities to the products' sales counters (ranking)."""
        ...
