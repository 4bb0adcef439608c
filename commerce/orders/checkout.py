"""Checkout: price a cart (or explicit lines) and turn it into an order.

Round trips for a checkout from the cart with a coupon and an Idempotency-Key (at most 5, three
waits in a row):
  1. one aggregate: the customer (tier, addresses) + cart + existing order for the key + coupon
  2. the catalog snapshots of the SKUs (for the prices),
  3. one batch: claim the Idempotency-Key (inserted first, ordered: a key another request is
     placing with stops the batch), reserve every line (guarded `available >= q`) and redeem the
     coupon (guarded), and
  4. the day's order-number counter, all three in flight together (a reservation the prices
     then refuse is given back)
  5. one ordered batch: insert the order, the stock-ledger lines, the day's order figures,
     drop the bought cart lines, the `order.created` event
If a guard in 3 fails, the lines/coupon that succeeded are given back before OutOfStock (or
the coupon rejection) is raised, so nothing leaks. A repeated Idempotency-Key returns the
order created the first time - also when two identical requests race (unique index).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError, OperationFailure

from commerce.carts.catalog_port import SkuCatalog
from commerce.carts.model import CartItem, CartLine, price_lines
from commerce.carts.service import CARTS, CartService
from commerce.catalog.model import SkuSnapshot
from commerce.customers.model import Address, AddressIn, Customer, Tier
from commerce.customers.pricing import TierPricing
from commerce.customers.service import CUSTOMERS
from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.events import OrderPlaced
from commerce.inventory.model import normalize_lines
from commerce.inventory.service import InventoryService, applied_lines, out_of_stock
from commerce.money import Money
from commerce.orders.events import EventBus
from commerce.orders.model import (
    ORDERS,
    HistoryEntry,
    Order,
    OrderLine,
    OrderStatus,
    PriceBreakdown,
    Shipment,
    check_channel,
)
from commerce.orders.numbers import OrderNumbers
from commerce.orders.stats import OrderStats
from commerce.promotions.model import Coupon, CouponRejected, Discount, RejectionReason, customer_field, normalize_code
from commerce.promotions.service import COUPONS, PromotionService
from commerce.shipping.model import ShippingMethod
from commerce.shipping.service import ShippingBasis, ShippingService
from core.batch import WriteBatch
from core.mongo import Database, Document, utcnow

# One document per Idempotency-Key being checked out ({_id: "<customer>:<key>"}), claimed BEFORE
# any stock is reserved: concurrent retries of one key wait for the first one's order instead of
# competing with it for the stock (issue 17). A failed attempt deletes its claim (the key may be
# used again); a saved order marks it `done`, so a later claim of the key fails and finds the order.
IDEMPOTENCY_CLAIMS = "idempotency_claims"
CLAIM_LEASE = timedelta(seconds=60)  # a claim left by a crashed process is taken over after this
CLAIM_WAIT_SECONDS = 15.0
MAX_ORDER_LINES = 50
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")  # printable ASCII, no spaces


@dataclass(frozen=True)
class CheckoutRequest:
    customer_id: str
    shipping_method: str
    address_id: str | None = None  # one of the customer's saved addresses...
    address: AddressIn | None = None  # ...or a new one; neither: the default address
    coupon_code: str | None = None
    lines: Mapping[str, int] | None = None  # explicit lines; None buys the cart
    idempotency_key: str | None = None
    note: str = ""
    actor: str | None = None  # who placed it (an agent on behalf of the customer); default the customer
    channel: str | None = None  # where it was placed (orders.model.SALES_CHANNELS)


@dataclass(frozen=True)
class OrderQuote:
    """What the customer would pay if they confirmed now."""

    customer_id: str
    tier: Tier
    lines: tuple[OrderLine, ...]
    pricing: PriceBreakdown
    address: Address
    shipping: ShippingMethod
    discount: Discount | None = None
    coupon_error: CouponRejected | None = None
    unavailable: tuple[CartLine, ...] = ()  # lines that cannot be bought (not on sale / unknown)

    @property
    def total(self) -> Money:
        return self.pricing.total

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "lines": [line.to_dict() for line in self.lines],
            "pricing": self.pricing.to_dict(),
            "address": self.address.to_dict(),
            "shipping_method": self.shipping.code,
            "coupon": self.discount.to_dict() if self.discount else None,
            "coupon_error": {"code": self.coupon_error.code, "message": self.coupon_error.text(lang)}
            if self.coupon_error
            else None,
            "unavailable": [line.sku for line in self.unavailable],
        }


@dataclass
class _Context:
    customer: Customer
    items: list[CartItem]
    from_cart: bool
    existing: Order | None = None
    coupon_doc: Document | None = None


class Checkout:
    def __init__(
        self,
        db: Database,
        catalog: SkuCatalog,
        inventory: InventoryService,
        shipping: ShippingService,
        promotions: PromotionService,
        events: EventBus,
        numbers: OrderNumbers,
        *,
        pricing: TierPricing | None = None,
        currency: str = "CNY",
        unpaid_timeout: timedelta = timedelta(minutes=30),
        stats: OrderStats | None = None,
    ) -> None:
        self._db = db
        self.catalog = catalog
        self.inventory = inventory
        self.shipping = shipping
        self.promotions = promotions
        self.events = events
        self.numbers = numbers
        self.pricing = pricing or TierPricing()
        self.currency = currency
        self.unpaid_timeout = unpaid_timeout
        self.stats = stats or OrderStats(db, timezone=str(numbers.zone))

    # --- public ------------------------------------------------------------------------------
    async def quote(self, request: CheckoutRequest) -> OrderQuote:
        """Price without writing anything. Coupon problems are reported, not raised."""
        context = await self._gather(request)
        return await self._price(request, context, strict=False)

    async def place(self, request: CheckoutRequest) -> Order:
        key = _check_idempotency_key(request.idempotency_key)
        check_channel(request.channel)
        context = await self._gather(request)
        if context.existing is not None:
            return context.existing
        if key is None:
            unkeyed = await self._place(request, context, None)
            assert unkeyed is not None  # only a claim to take can stop a placement
            return unkeyed
        claim = f"{context.customer.id}:{key}"
        # Usually nobody else is placing with this key: the claim rides in the stock
        # reservation's round trip, written before the reservation and stopping it if taken.
        placed = await self._place(request, context, claim, take_claim=True)
        if placed is not None:
            return placed
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLAIM_WAIT_SECONDS
        while not await self._claim(claim):
            # Another request with this key is checking out: its order is ours too. If it failed
            # instead, its claim is gone and this request tries itself.
            existing = await self._db[ORDERS].find_one({"customer_id": context.customer.id, "idempotency_key": key})
            if existing is not None:
                return Order.from_doc(existing)
            if loop.time() > deadline:
                raise Conflict(
                    "an order with this Idempotency-Key is still being placed, please retry",
                    code="idempotency_key_in_use",
                )
            await asyncio.sleep(0.05)
        try:
            placed = await self._place(request, context, claim)
        except BaseException:
            await asyncio.shield(self._db[IDEMPOTENCY_CLAIMS].delete_one({"_id": claim}))
            raise
        assert placed is not None  # the claim was taken above
        return placed

    async def _claim(self, claim: str) -> bool:
        """Take the key for this request; an unfinished claim whose lease ran out (its process
        died) is taken over."""
        now = utcnow()
        try:
            await self._db[IDEMPOTENCY_CLAIMS].insert_one(_claim_doc(claim, now))
            return True
        except DuplicateKeyError:
            taken = await self._db[IDEMPOTENCY_CLAIMS].update_one(
                {"_id": claim, "done": {"$ne": True}, "lease_until": {"$lt": now}},
                {"$set": {"lease_until": now + CLAIM_LEASE}},
            )
            return taken.modified_count == 1

    async def _place(
        self, request: CheckoutRequest, context: _Context, claim: str | None, *, take_claim: bool = False
    ) -> Order | None:
        """The order, placed. With `take_claim`, `claim` is taken with the reservation and given
        up with it if the order is not placed; None when another request holds it (nothing done)."""
        key = request.idempotency_key
        items = self._items(context)
        order_id = str(ObjectId())
        wanted = {item.sku: item.quantity for item in items}
        # The coupon is redeemed with the reservation; pricing (below) rejects what it must not cover.
        coupon = (
            Coupon.from_doc({**context.coupon_doc, "_id": normalize_code(request.coupon_code)})
            if request.coupon_code and context.coupon_doc
            else None
        )
        ours = claim if take_claim else None  # a claim this call gives back when it fails
        # What the stock reservation needs is known from the cart alone, so the products' snapshots
        # (pricing's one read), the reservation and the order number are in flight together: one
        # wait instead of three in a row. Whatever then fails hands the reservation back; a
        # placement that fails leaves a gap in the day's numbers (as a failed save always did),
        # never a duplicate.
        snapshots, reserved, number = await asyncio.gather(
            self.catalog.get_sku_snapshots(list(wanted), cached=False),
            self._reserve(order_id, context.customer.id, wanted, coupon, ours),
            self.numbers.next(),
            return_exceptions=True,
        )
        try:
            if isinstance(snapshots, BaseException):
                raise snapshots
            quote = self._priced(request, context, items, snapshots, strict=True)
        except BaseException:
            if reserved is True:  # pricing refuses the order: nothing it reserved is kept
                await asyncio.shield(self._give_back(order_id, context.customer.id, wanted, coupon, ours))
            raise
        if isinstance(reserved, _CouponNotRedeemed):  # the stock was given back already
            raise await self.promotions.why_not(
                reserved.code, context.customer.id, quote.pricing.items_subtotal - quote.pricing.tier_discount
            )
        if isinstance(reserved, BaseException):
            raise reserved  # out of stock...: nothing is held
        if not reserved:
            return None
        try:
            if isinstance(number, BaseException):
                raise number
            order = self._build(order_id, number, request, context, quote, key)
            batch = WriteBatch(self._db)
            insert_at = batch.insert(ORDERS, order.to_doc())
            self.inventory.add_ledger(
                batch, self.inventory.movements("reserve", wanted, order_id, f"order {number}", order.history[0].actor)
            )
            self.stats.add_created(batch, order.created_at)
            if context.from_cart:
                CartService.add_remove_skus(batch, context.customer.id, wanted)
            self.events.add(
                batch,
                OrderPlaced(customer_id=order.customer_id, order_id=order.id, number=number, total=order.total),
                event_id=f"{OrderPlaced.TYPE}:{order.id}",
            )
            if claim is not None:  # the order now answers for the key
                batch.update_one(IDEMPOTENCY_CLAIMS, {"_id": claim}, {"$set": {"done": True, "order_id": order_id}})
            result = await batch.execute(ordered=True)
        except BaseException:
            # Shielded: a cancelled request must still hand the reserved stock back.
            await asyncio.shield(self._give_back(order_id, context.customer.id, wanted, coupon, ours))
            raise
        if not result[insert_at].ok:
            await self._give_back(order_id, context.customer.id, wanted, coupon, ours)
            if result[insert_at].duplicate and key is not None:
                existing = await self._db[ORDERS].find_one({"customer_id": context.customer.id, "idempotency_key": key})
                if existing is not None:
                    return Order.from_doc(existing)
            raise ValidationFailed("the order could not be saved, please retry", code="order_not_saved")
        self.inventory.notify_changed(wanted)
        return order

    # --- steps -------------------------------------------------------------------------------
    async def _gather(self, request: CheckoutRequest, *, follow_merge: bool = True) -> _Context:
        """Round trip 1: customer, cart, earlier order for the key, and coupon in one aggregate."""
        from_cart = request.lines is None
        pipeline: list[Document] = [
            {"$match": {"_id": request.customer_id}},
            {
                "$project": {
                    "tier": 1,
                    "addresses": 1,
                    "default_address_id": 1,
                    "merged_into": 1,
                    "language": 1,
                    "created_at": 1,
                }
            },
        ]
        if from_cart:
            pipeline.append({"$lookup": {"from": CARTS, "localField": "_id", "foreignField": "_id", "as": "cart"}})
        if request.idempotency_key:
            pipeline.append(
                {
                    "$lookup": {
                        "from": ORDERS,
                        "as": "existing",
                        "pipeline": [
                            {
                                "$match": {
                                    "customer_id": request.customer_id,
                                    "idempotency_key": request.idempotency_key,
                                }
                            },
                            {"$limit": 1},
                        ],
                    }
                }
            )
        if request.coupon_code:
            code = normalize_code(request.coupon_code)
            who = customer_field(request.customer_id)
            fields = [
                "kind",
                "value",
                "currency",
                "min_subtotal",
                "starts_at",
                "ends_at",
                "usage_limit",
                "per_customer_limit",
                "used",
                "active",
                "description",
                f"used_by.{who}",
            ]
            pipeline.append(
                {
                    "$lookup": {
                        "from": COUPONS,
                        "as": "coupon",
                        "pipeline": [{"$match": {"_id": code}}, {"$project": dict.fromkeys(fields, 1)}],
                    }
                }
            )
        docs = await (await self._db[CUSTOMERS].aggregate(pipeline)).to_list(1)
        if not docs:
            raise NotFound("customer not found", details={"customer_id": request.customer_id})
        doc = docs[0]
        if doc.get("merged_into") and follow_merge:
            merged = CheckoutRequest(**{**request.__dict__, "customer_id": str(doc["merged_into"])})
            return await self._gather(merged, follow_merge=False)
        cart_docs = doc.get("cart") or []
        if from_cart:
            items = [CartItem.from_doc(x) for x in (cart_docs[0].get("lines") if cart_docs else None) or []]
        else:
            items = [CartItem(sku, qty) for sku, qty in normalize_lines(request.lines or {}).items()]
        existing = doc.get("existing") or []
        coupons = doc.get("coupon") or []
        return _Context(
            customer=Customer.from_doc(doc),
            items=[i for i in items if i.quantity > 0],
            from_cart=from_cart,
            existing=Order.from_doc(existing[0]) if existing else None,
            coupon_doc=coupons[0] if coupons else None,
        )

    async def _price(self, request: CheckoutRequest, context: _Context, *, strict: bool) -> OrderQuote:
        """Round trip 2 (snapshots); the rest is arithmetic."""
        items = self._items(context)
        # A quote only shows prices: products read before and unchanged since are not read
        # again. Placing the order reads them afresh.
        snapshots = await self.catalog.get_sku_snapshots([item.sku for item in items], cached=not strict)
        return self._priced(request, context, items, snapshots, strict=strict)

    @staticmethod
    def _items(context: _Context) -> list[CartItem]:
        """The lines to price, one per SKU."""
        if not context.items:
            raise ValidationFailed("the cart is empty", code="cart_empty")
        if len(context.items) > MAX_ORDER_LINES:
            raise ValidationFailed(f"an order can have at most {MAX_ORDER_LINES} lines", code="too_many_lines")
        merged = normalize_lines({i.sku: i.quantity for i in context.items})
        return [CartItem(sku, qty) for sku, qty in merged.items()]

    def _priced(
        self,
        request: CheckoutRequest,
        context: _Context,
        items: list[CartItem],
        snapshots: Mapping[str, SkuSnapshot],
        *,
        strict: bool,
    ) -> OrderQuote:
        tier = context.customer.tier
        priced = price_lines(items, snapshots, tier, self.pricing, self.currency)
        unavailable = tuple(line for line in priced if not line.priced)
        if unavailable and strict:
            raise ValidationFailed(
                "some items cannot be bought",
                code="not_purchasable",
                details={
                    "skus": [line.sku for line in unavailable],
                    "reasons": {line.sku: [w.value for w in line.warnings] for line in unavailable},
                },
            )
        buyable = [line for line in priced if line.priced]
        if not buyable:
            raise ValidationFailed(
                "none of the items can be bought",
                code="not_purchasable",
                details={"skus": [line.sku for line in unavailable]},
            )
        zero = Money.zero(self.currency)
        items_subtotal = Money.sum([line.list_line_total for line in buyable], self.currency)
        subtotal = Money.sum([line.line_total for line in buyable], self.currency)
        discount, coupon_error = self._coupon(request, context, subtotal, strict)
        coupon_amount = discount.amount if discount else zero
        lines = order_lines(buyable, coupon_amount)
        address = self._address(request, context.customer)
        method = self.shipping.method(request.shipping_method)
        weight = sum(line.weight_g * line.quantity for line in lines)
        fee = self.shipping.quote(method.code, ShippingBasis(subtotal - coupon_amount, weight), address)
        pricing = PriceBreakdown(items_subtotal, items_subtotal - subtotal, coupon_amount, fee)
        return OrderQuote(
            context.customer.id, tier, lines, pricing, address, method, discount, coupon_error, unavailable
        )

    def _coupon(
        self, request: CheckoutRequest, context: _Context, subtotal: Money, strict: bool
    ) -> tuple[Discount | None, CouponRejected | None]:
        if not request.coupon_code:
            return None, None
        code = normalize_code(request.coupon_code)
        try:
            if context.coupon_doc is None:
                raise CouponRejected(RejectionReason.UNKNOWN, code)
            coupon = Coupon.from_doc({**context.coupon_doc, "_id": code})
            return coupon.check(context.customer.id, subtotal), None
        except CouponRejected as rejected:
            if strict:
                raise
            return None, rejected

    def _address(self, request: CheckoutRequest, customer: Customer) -> Address:
        if request.address is not None:
            return Address.from_input(str(ObjectId()), request.address)
        if request.address_id:
            found = customer.address(request.address_id)
            if found is None:
                raise NotFound("address not found", details={"address_id": request.address_id})
            return found
        if customer.default_address is None:
            raise ValidationFailed("a delivery address is required", code="address_required")
        return customer.default_address

    async def _reserve(
        self,
        order_id: str,
        customer_id: str,
        wanted: dict[str, int],
        coupon: Coupon | None,
        claim: str | None = None,
    ) -> bool:
        """Round trip 3: every stock line and the coupon, all-or-nothing by compensation. With
        `claim`, the Idempotency-Key's claim is inserted first in the same ordered batch: False
        when another request holds it (a failed insert stops an ordered batch: nothing reserved).
        Raises OutOfStock, or _CouponNotRedeemed for the caller to explain, with nothing held."""
        batch = WriteBatch(self._db)
        claim_at = batch.insert(IDEMPOTENCY_CLAIMS, _claim_doc(claim, utcnow())) if claim is not None else None
        indexes = self.inventory.add_reserve(batch, wanted, order_id)
        coupon_at = PromotionService.add_redeem(batch, coupon, customer_id) if coupon else None
        result = await batch.execute(ordered=claim is not None)
        reserved = applied_lines(result, indexes, wanted)
        coupon_ok = coupon_at is None or result[coupon_at].applied
        if claim_at is not None and not result[claim_at].ok:
            # Nothing after the claim ran; should anything have, it is handed back all the same.
            await self._give_back(
                order_id, customer_id, reserved, coupon if coupon_at is not None and coupon_ok else None
            )
            if result[claim_at].duplicate:
                return False
            raise OperationFailure(
                result[claim_at].error_message or "the claim was not saved", result[claim_at].error_code
            )
        if len(reserved) == len(wanted) and coupon_ok:
            return True
        await self._give_back(
            order_id, customer_id, reserved, coupon if coupon_at is not None and coupon_ok else None, claim
        )
        if len(reserved) < len(wanted):
            shortages = await self.inventory.shortages({s: q for s, q in wanted.items() if s not in reserved})
            raise out_of_stock(shortages)
        assert coupon is not None
        raise _CouponNotRedeemed(coupon.code)

    async def _give_back(
        self,
        order_id: str,
        customer_id: str,
        reserved: Mapping[str, int],
        coupon: Coupon | None,
        claim: str | None = None,
    ) -> None:
        """Hand back what an order that was not placed took: its stock, its coupon use and, when
        it took one, the Idempotency-Key's claim (the key may be used again)."""
        batch = WriteBatch(self._db)
        if reserved:
            self.inventory.add_release(batch, reserved, order_id)
        if coupon is not None:
            PromotionService.add_give_back(batch, coupon.code, customer_id)
        if claim is not None:
            batch.delete_one(IDEMPOTENCY_CLAIMS, {"_id": claim})
        await batch.execute()

    def _build(
        self,
        order_id: str,
        number: str,
        request: CheckoutRequest,
        context: _Context,
        quote: OrderQuote,
        key: str | None,
    ) -> Order:
        now = utcnow()
        actor = request.actor or f"customer:{context.customer.id}"
        return Order(
            id=order_id,
            number=number,
            customer_id=context.customer.id,
            status=OrderStatus.PENDING_PAYMENT,
            lines=quote.lines,
            pricing=quote.pricing,
            address=quote.address,
            shipment=Shipment(method=quote.shipping.code),
            coupon_code=quote.discount.code if quote.discount else None,
            history=(HistoryEntry(None, OrderStatus.PENDING_PAYMENT, actor, "order placed", now),),
            created_at=now,
            updated_at=now,
            expires_at=now + self.unpaid_timeout,
            idempotency_key=key,
            note=" ".join(request.note.split())[:500],
            channel=request.channel,
        )


class _CouponNotRedeemed(Exception):
    """The coupon's guarded redemption did not apply (used up meanwhile); why is asked once the
    order is priced."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _claim_doc(claim: str, now: datetime) -> Document:
    return {"_id": claim, "lease_until": now + CLAIM_LEASE}


def coupon_shares(amount: Money, line_totals: Sequence[Money]) -> list[Money]:
    """Split a coupon discount over lines in proportion to their totals. Shares sum to the
    discount exactly and no line's share exceeds its total (free lines get nothing)."""
    zero = Money.zero(amount.currency)
    shares = [zero] * len(line_totals)
    paying = [i for i, total in enumerate(line_totals) if total.amount > 0]
    if not amount or not paying:
        return shares
    if amount > Money.sum([line_totals[i] for i in paying], amount.currency):
        raise ValueError("a coupon cannot exceed the goods it applies to")
    for index, share in zip(paying, amount.allocate([line_totals[i].amount for i in paying]), strict=True):
        shares[index] = share
    return shares


def order_lines(priced: Sequence[CartLine], coupon_amount: Money) -> tuple[OrderLine, ...]:
    """Freeze priced cart lines into order lines carrying their share of the coupon."""
    shares = coupon_shares(coupon_amount, [line.line_total for line in priced])
    lines: list[OrderLine] = []
    for line, share in zip(priced, shares, strict=True):
        snapshot = line.snapshot
        assert snapshot is not None  # priced lines always have one
        lines.append(
            OrderLine(
                sku=line.sku,
                product_code=snapshot.product_code,
                title=snapshot.title,
                specs=dict(snapshot.specs),
                image=snapshot.image,
                quantity=line.quantity,
                list_unit_price=line.list_unit_price,
                unit_price=line.unit_price,
                coupon_share=share,
                weight_g=snapshot.weight_g or 0,
            )
        )
    return tuple(lines)


def _check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            "Idempotency-Key must be 1-128 printable ASCII characters", code="invalid_idempotency_key"
        )
    return key
