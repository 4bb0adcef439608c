"""One cart per customer (`carts`: {_id: customer_id, lines: [{sku, qty, added_at}]}).

`add` is at most three round trips: the catalog snapshot (is it on sale?), ONE pipeline update
that increments an existing line or appends a new one while enforcing the per-line and
per-cart limits atomically, and the stock level for a warning (`add_and_view` skips the first
and the last when the same request has just read them: the chat shows a product, then adds
it). A view re-prices everything: the cart with the member tier in one aggregate, the SKUs'
snapshots with their stock joined in a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.carts.catalog_port import SkuCatalog
from commerce.carts.model import CartAddResult, CartItem, CartView, LineWarning, price_lines
from commerce.catalog.model import SkuSnapshot
from commerce.customers.model import Address, Customer, Tier
from commerce.customers.pricing import TierPricing
from commerce.customers.service import CUSTOMERS, saved_addresses
from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.inventory.model import StockLevel
from commerce.inventory.service import InventoryService
from core.atomic import find_one_and_update
from core.batch import WriteBatch
from core.mongo import CollectionIndexes, Database, Document, utcnow

CARTS = "carts"
INDEXES = [CollectionIndexes(CARTS, [])]  # keyed by customer id; no secondary index needed


class CartService:
    def __init__(
        self,
        db: Database,
        catalog: SkuCatalog,
        inventory: InventoryService,
        *,
        pricing: TierPricing | None = None,
        currency: str = "CNY",
        max_line_quantity: int = 99,
        max_lines: int = 50,
    ) -> None:
        self._db = db
        self._carts = db[CARTS]
        self.catalog = catalog
        self.inventory = inventory
        self.pricing = pricing or TierPricing()
        self.currency = currency
        self.max_line_quantity = max_line_quantity
        self.max_lines = max_lines

    # --- changes -----------------------------------------------------------------------------
    async def add(self, customer_id: str, sku: str, quantity: int = 1) -> CartAddResult:
        return (await self._add(customer_id, sku, quantity, whole_cart=False)).result

    async def add_and_view(
        self,
        customer_id: str,
        sku: str,
        quantity: int = 1,
        *,
        before: CartView | None = None,
        seen: Mapping[str, tuple[SkuSnapshot, int]] | None = None,
    ) -> tuple[CartAddResult, CartView]:
        """`add`, then the cart priced as `view` prices it, from the document the add returned
        instead of reading the cart again: the add's one stock read covers every line, and only
        the other lines' snapshots and the member tier are read (two commands fewer than `add`
        and `view`). `before`: a view of this cart taken moments ago in the same request (the
        chat looks at the cart before adding); its tier and its lines' snapshots are used
        instead of reading them again (three commands fewer). `seen`: SKUs' snapshots and units
        available as the same request read them moments ago (the product page the customer
        picked from); the added SKU's snapshot and stock are not read again when they are there,
        nor the other lines' stock when `before` has it."""
        # The other lines' stock as `before` saw it; the added SKU's own only as `seen` has it.
        others = [line for line in before.lines if line.sku != sku] if before is not None else []
        known_stock = {line.sku: line.available for line in others if line.available is not None}
        known_stock.update({code: units for code, (_, units) in (seen or {}).items()})
        known = {code: snapshot for code, (snapshot, _) in (seen or {}).items()}
        added = await self._add(customer_id, sku, quantity, whole_cart=True, known=known, known_stock=known_stock)
        items = _items(added.doc)
        snapshots = {line.sku: line.snapshot for line in before.lines if line.snapshot} if before else {}
        snapshots[sku] = added.snapshot
        unknown = [item.sku for item in items if item.sku not in snapshots]
        if unknown:
            snapshots.update(await self.catalog.get_sku_snapshots(unknown))
        tier = before.tier if before is not None else await self._tier(customer_id)
        lines = price_lines(items, snapshots, tier, self.pricing, self.currency, added.levels)
        return added.result, CartView(customer_id, tier, self.currency, lines)

    async def _add(
        self,
        customer_id: str,
        sku: str,
        quantity: int,
        *,
        whole_cart: bool,
        known: Mapping[str, SkuSnapshot] | None = None,
        known_stock: Mapping[str, int] | None = None,
    ) -> _Added:
        """Check, write and report an add; `whole_cart` reads the stock of every line (for a view).
        `known` / `known_stock`: snapshots and units available this request has already read."""
        self._check_quantity(quantity, allow_zero=False)
        snapshot = (known or {}).get(sku) or (await self.catalog.get_sku_snapshots([sku])).get(sku)
        if snapshot is None:
            raise NotFound("no such product", details={"sku": sku}, code="sku_not_found")
        if not snapshot.purchasable:
            raise ValidationFailed("this product is not on sale", details={"sku": sku}, code="not_on_sale")
        doc = await self._upsert_line(customer_id, sku, quantity)
        items = _items(doc)
        line = next((item for item in items if item.sku == sku), None)
        if line is None:
            raise ValidationFailed(
                f"a cart can hold at most {self.max_lines} different items",
                details={"max_lines": self.max_lines},
                code="cart_full",
            )
        needed = list(dict.fromkeys([sku, *(item.sku for item in items)] if whole_cart else [sku]))
        stock = known_stock or {}
        levels = {code: StockLevel(code, stock[code]) for code in needed if code in stock}
        if len(levels) < len(needed):  # a line added elsewhere meanwhile, or nothing read before
            levels.update(await self.inventory.get_levels([code for code in needed if code not in levels]))
        available = levels[sku].available
        warnings: tuple[LineWarning, ...] = ()
        if available <= 0:
            warnings = (LineWarning.OUT_OF_STOCK,)
        elif line.quantity > available:
            warnings = (LineWarning.INSUFFICIENT_STOCK,)
        result = CartAddResult(
            sku=sku,
            quantity=line.quantity,
            requested=quantity,
            capped=line.quantity == self.max_line_quantity and quantity > 0,
            available=available,
            warnings=warnings,
        )
        return _Added(result, doc, snapshot, levels)

    async def _tier(self, customer_id: str) -> Tier:
        customer = await self._db[CUSTOMERS].find_one({"_id": customer_id}, {"tier": 1})
        return _tier({"customer": [customer]} if customer else None)

    async def _upsert_line(self, customer_id: str, sku: str, quantity: int) -> Document | None:
        pipeline = _add_pipeline(sku, quantity, self.max_line_quantity, self.max_lines)
        for _ in range(3):
            try:
                doc = await find_one_and_update(
                    self._carts,
                    {"_id": customer_id},
                    pipeline,
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                    exact=False,  # the cart as it is now is what the caller shows
                )
            except DuplicateKeyError:  # two first adds raced to create the cart: apply ours to theirs
                continue
            return doc
        raise Conflict("the cart is busy, please retry", code="cart_busy")

    async def set_quantity(self, customer_id: str, sku: str, quantity: int) -> None:
        self._check_quantity(quantity, allow_zero=True)
        if quantity == 0:
            await self.remove(customer_id, sku)
            return
        result = await self._carts.update_one(
            {"_id": customer_id, "lines.sku": sku}, {"$set": {"lines.$.qty": quantity, "updated_at": utcnow()}}
        )
        if result.matched_count == 0:
            raise NotFound("this item is not in the cart", details={"sku": sku}, code="not_in_cart")

    async def remove(self, customer_id: str, sku: str) -> None:
        result = await self._carts.update_one(
            {"_id": customer_id, "lines.sku": sku}, {"$pull": {"lines": {"sku": sku}}, "$set": {"updated_at": utcnow()}}
        )
        if result.matched_count == 0:
            raise NotFound("this item is not in the cart", details={"sku": sku}, code="not_in_cart")

    async def clear(self, customer_id: str) -> None:
        await self._carts.update_one({"_id": customer_id}, {"$set": {"lines": [], "updated_at": utcnow()}})

    @staticmethod
    def add_remove_skus(batch: WriteBatch, customer_id: str, skus: Iterable[str]) -> int:
        """Drop bought lines from the cart in the checkout's final round trip."""
        return batch.update_one(
            CARTS,
            {"_id": customer_id},
            {"$pull": {"lines": {"sku": {"$in": list(skus)}}}, "$set": {"updated_at": utcnow()}},
        )

    async def merge_customers(self, absorbed_id: str, survivor_id: str) -> None:
        """Merge hook: quantities of the same SKU add up (capped); the absorbed cart goes away."""
        absorbed = await self._carts.find_one({"_id": absorbed_id})
        for item in _items(absorbed):
            await self._upsert_line(survivor_id, item.sku, item.quantity)
        if absorbed is not None:
            await self._carts.delete_one({"_id": absorbed_id})

    # --- reads -------------------------------------------------------------------------------
    async def items(self, customer_id: str) -> list[CartItem]:
        return _items(await self._carts.find_one({"_id": customer_id}))

    async def view(self, customer_id: str) -> CartView:
        """The cart priced now: one aggregate (cart + tier), one for the snapshots with their stock."""
        return (await self._view(customer_id, {"tier": 1}))[0]

    async def view_and_addresses(self, customer_id: str) -> tuple[CartView, list[Address] | None]:
        """`view`, and the customer's saved addresses (default first) read with the tier in the
        same command (a checkout looks at both); None for them when there is no cart to read."""
        view, doc = await self._view(customer_id, {"tier": 1, "addresses": 1, "default_address_id": 1})
        customers = (doc or {}).get("customer") or []
        return view, saved_addresses(Customer.from_doc(customers[0])) if customers else None

    async def _view(self, customer_id: str, customer_fields: Document) -> tuple[CartView, Document | None]:
        cursor = await self._carts.aggregate(
            [
                {"$match": {"_id": customer_id}},
                {
                    "$lookup": {
                        "from": CUSTOMERS,
                        "localField": "_id",
                        "foreignField": "_id",
                        "as": "customer",
                        "pipeline": [{"$project": customer_fields}],
                    }
                },
            ]
        )
        docs = await cursor.to_list(1)
        doc = docs[0] if docs else None
        return await self._priced_view(customer_id, doc), doc

    async def _priced_view(self, customer_id: str, doc: Document | None) -> CartView:
        items = _items(doc)
        tier = _tier(doc)
        if not items:
            return CartView(customer_id, tier, self.currency, ())
        skus = [item.sku for item in items]
        snapshots, available = await self.catalog.get_sku_snapshots_and_stock(skus)
        levels = {sku: StockLevel(sku, available[sku]) for sku in skus if sku in available}
        if len(levels) < len(skus):  # a SKU whose product is gone: its stock as the inventory has it
            levels.update(await self.inventory.get_levels([sku for sku in skus if sku not in levels]))
        return CartView(
            customer_id, tier, self.currency, price_lines(items, snapshots, tier, self.pricing, self.currency, levels)
        )

    def _check_quantity(self, quantity: int, *, allow_zero: bool) -> None:
        low = 0 if allow_zero else 1
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= self.max_line_quantity:
            raise ValidationFailed(
                f"quantity must be between {low} and {self.max_line_quantity}",
                details={"quantity": quantity, "max": self.max_line_quantity},
                code="invalid_quantity",
            )


@dataclass(frozen=True, slots=True)
class _Added:
    result: CartAddResult
    doc: Document | None  # the cart as the add left it
    snapshot: SkuSnapshot  # of the added SKU
    levels: dict[str, StockLevel]


def _items(doc: Document | None) -> list[CartItem]:
    return [CartItem.from_doc(line) for line in (doc or {}).get("lines") or [] if int(line.get("qty") or 0) > 0]


def _tier(doc: Document | None) -> Tier:
    customers = (doc or {}).get("customer") or []
    value = str(customers[0].get("tier")) if customers else ""
    return Tier(value) if value in Tier._value2member_map_ else Tier.REGULAR


def _add_pipeline(sku: str, quantity: int, max_quantity: int, max_lines: int) -> list[dict[str, Any]]:
    """Increment the SKU's line (capped at `max_quantity`) or append it if the cart has room.

    Literal values are wrapped in `$literal` so a SKU can never be read as a field path.
    """
    lines = {"$ifNull": ["$lines", []]}
    sku_value = {"$literal": sku}
    has_line = {"$in": [sku_value, {"$map": {"input": lines, "as": "l", "in": "$$l.sku"}}]}
    bumped = {
        "$map": {
            "input": lines,
            "as": "l",
            "in": {
                "$cond": [
                    {"$eq": ["$$l.sku", sku_value]},
                    {"$mergeObjects": ["$$l", {"qty": {"$min": [max_quantity, {"$add": ["$$l.qty", quantity]}]}}]},
                    "$$l",
                ]
            },
        }
    }
    appended = {
        "$cond": [
            {"$lt": [{"$size": lines}, max_lines]},
            {"$concatArrays": [lines, [{"sku": sku_value, "qty": min(quantity, max_quantity), "added_at": "$$NOW"}]]},
            lines,
        ]
    }
    return [{"$set": {"lines": {"$cond": [has_line, bumped, appended]}, "updated_at": "$$NOW"}}]
