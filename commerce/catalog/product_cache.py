"""Products as this process last read them, served again while the catalog says they are unchanged.

Every product write stamps the product with `rev`, and the in-process search index learns each
product's current rev with its cheap refresh (`search.SearchIndexSync`: at most every
`refresh_seconds`, and before the next use after any product write through this process). A
product read earlier is reused while the index holds the rev it was read under; another rev, or
a product the index does not know, is read from the database. So a product written through this
process is never served stale, and one written by another process for at most `refresh_seconds`
(the staleness search results already have). Only catalog facts are kept: stock and sales are
always read live, and placing an order reads its snapshots afresh (`Checkout._price`).
"""

from __future__ import annotations

from collections import OrderedDict

from .model import Product


class ProductCache:
    def __init__(self, capacity: int = 4096) -> None:
        self._products: OrderedDict[str, tuple[int, Product]] = OrderedDict()
        self._capacity = capacity

    def get(self, code: str, rev: int) -> Product | None:
        """The product read under `rev`, or None (never read, evicted, or read under another rev)."""
        kept = self._products.get(code)
        if kept is None or kept[0] != rev:
            return None
        self._products.move_to_end(code)
        return kept[1]

    def put(self, product: Product, rev: int) -> None:
        self._products[product.code] = (rev, product)
        self._products.move_to_end(product.code)
        while len(self._products) > self._capacity:
            self._products.popitem(last=False)

    def __len__(self) -> int:
        return len(self._products)
