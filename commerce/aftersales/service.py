"""After-sales requests (`after_sales`): eligibility, guarded steps, refunds and restocking.

One open request per order and kind is enforced by a unique sparse index on `open_key`, which
only open requests carry. Each step is one update guarded by the status it leaves. A refund is
first claimed on the request (`refund_claimed_at`) so two clicks cannot pay twice; the payment
service additionally never refunds more than was paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.aftersales.model import (
    ELIGIBLE,
    AfterSaleEntry,
    AfterSaleKind,
    AfterSaleLine,
    AfterSaleRequest,
    AfterSaleStatus,
    check_step,
)
from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.events import AfterSaleChanged
from commerce.inventory.service import InventoryService
from commerce.money import Money
from commerce.orders.events import EventBus
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrderService
from commerce.payments.service import PaymentService
from core.atomic import find_one_and_update
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow

AFTER_SALES = "after_sales"
MAX_PHOTOS = 9

INDEXES = [
    CollectionIndexes(
        AFTER_SALES,
        [
            IndexModel([("open_key", ASCENDING)], unique=True, sparse=True),
            IndexModel([("customer_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("order_id", ASCENDING)]),
        ],
    )
]

log = get_logger("commerce.aftersales")


class AfterSalesService:
    def __init__(
        self,
        db: Database,
        orders: OrderService,
        payments: PaymentService,
        inventory: InventoryService,
        events: EventBus,
        *,
        window_days: int = 7,
    ) -> None:
        self._requests = db[AFTER_SALES]
        self.orders = orders
        self.payments = payments
        self.inventory = inventory
        self.events = events
        self.window = timedelta(days=window_days)

    # --- customer side -----------------------------------------------------------------------
    async def request(
        self,
        customer_id: str,
        order_ref: str,
        kind: AfterSaleKind | str,
        reason: str,
        *,
        photos: Sequence[str] = (),
        lines: dict[str, int] | None = None,
    ) -> AfterSaleRequest:
        order = await self.orders.find(order_ref, customer_id=customer_id)
        try:
            wanted_kind = AfterSaleKind(kind)
        except ValueError:
            raise ValidationFailed(
                "unknown after-sales kind",
                details={"kind": str(kind)[:20], "allowed": [k.value for k in AfterSaleKind]},
            ) from None
        self._check_eligible(order, wanted_kind)
        reason = " ".join(reason.split())
        if not 2 <= len(reason) <= 500:
            raise ValidationFailed("please describe the reason (2-500 characters)", code="reason_required")
        now = utcnow()
        request = AfterSaleRequest(
            id=str(ObjectId()),
            order_id=order.id,
            order_number=order.number,
            customer_id=order.customer_id,
            kind=wanted_kind,
            status=AfterSaleStatus.REQUESTED,
            reason=reason,
            photos=_check_photos(photos),
            lines=_check_lines(order, lines),
            history=(AfterSaleEntry(None, AfterSaleStatus.REQUESTED, f"customer:{customer_id}", reason, now),),
            created_at=now,
            updated_at=now,
        )
        try:
            await self._requests.insert_one(request.to_doc())
        except DuplicateKeyError:
            raise Conflict(
                f"there is already an open {wanted_kind.value} request for order {order.number}",
                details={"order": order.number, "kind": wanted_kind.value},
                code="aftersale_exists",
            ) from None
        await self._emit(request)
        return request

    async def add_details(
        self, request_id: str, customer_id: str, *, note: str = "", photos: Sequence[str] = ()
    ) -> AfterSaleRequest:
        """The customer adds words or photos to a request still waiting for the shop (filed from a
        message that said everything, then "it leaks when it rains" or a photo). The words join
        the reason; photos are kept up to MAX_PHOTOS. Guarded on the status and the reason read,
        so a concurrent step or addition is never overwritten."""
        request = await self.get(request_id, customer_id=customer_id)
        if request.status is not AfterSaleStatus.REQUESTED:
            raise Conflict(
                "the shop is handling this request already",
                details={"request_id": request.id, "status": request.status.value},
                code="aftersale_changed",
            )
        note = " ".join(note.split())
        reason = request.reason
        if note and note not in reason:
            reason = f"{reason} / {note}"[:500]
        added = _check_photos(photos)[: max(0, MAX_PHOTOS - len(request.photos))]
        update: Document = {"$set": {"reason": reason, "updated_at": utcnow()}}
        if added:
            update["$push"] = {"photos": {"$each": list(added)}}
        doc = await find_one_and_update(
            self._requests,
            {"_id": request.id, "status": AfterSaleStatus.REQUESTED.value, "reason": request.reason},
            update,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise Conflict("the request changed meanwhile, please retry", code="aftersale_changed")
        return AfterSaleRequest.from_doc(doc)

    async def withdraw(self, request_id: str, customer_id: str) -> AfterSaleRequest:
        request = await self.get(request_id, customer_id=customer_id)
        if request.status is not AfterSaleStatus.REQUESTED:
            check_step(request.id, request.kind, request.status, AfterSaleStatus.CLOSED)  # explains why not
        return await self._step(request, AfterSaleStatus.CLOSED, f"customer:{customer_id}", "withdrawn")

    # --- shop side ---------------------------------------------------------------------------
    async def approve(self, request_id: str, *, actor: str, note: str = "") -> AfterSaleRequest:
        return await self._step(await self.get(request_id), AfterSaleStatus.APPROVED, actor, note)

    async def reject(self, request_id: str, *, actor: str, note: str) -> AfterSaleRequest:
        if not note.strip():
            raise ValidationFailed("tell the customer why the request is rejected", code="reason_required")
        return await self._step(await self.get(request_id), AfterSaleStatus.REJECTED, actor, note)

    async def receive_goods(self, request_id: str, *, actor: str, note: str = "") -> AfterSaleRequest:
        return await self._step(await self.get(request_id), AfterSaleStatus.GOODS_RECEIVED, actor, note)

    async def exchange(self, request_id: str, *, actor: str, note: str = "") -> AfterSaleRequest:
        return await self._step(await self.get(request_id), AfterSaleStatus.EXCHANGED, actor, note)

    async def close(self, request_id: str, *, actor: str, note: str = "") -> AfterSaleRequest:
        return await self._step(await self.get(request_id), AfterSaleStatus.CLOSED, actor, note)

    async def refund(
        self, request_id: str, *, actor: str, amount: Money | None = None, note: str = ""
    ) -> AfterSaleRequest:
        """Pay the money back (at most what the lines cost after discounts), restock returned
        goods (and goods that never left the shop), and finish the request."""
        request = await self.get(request_id)
        check_step(request.id, request.kind, request.status, AfterSaleStatus.REFUNDED)
        order = await self.orders.get(request.order_id)
        maximum = refundable(order, request)
        to_refund = maximum if amount is None else amount
        if to_refund.currency != maximum.currency or not 0 < to_refund.amount <= maximum.amount:
            raise ValidationFailed(
                f"the refund must be between 0 and {maximum.to_decimal_string()}",
                details={"max": maximum.to_decimal_string()},
                code="invalid_refund",
            )
        claimed = await find_one_and_update(
            self._requests,
            {"_id": request.id, "status": request.status.value, "refund_claimed_at": None},
            {"$set": {"refund_claimed_at": utcnow(), "refund_amount": to_refund.to_doc()}},
        )
        if claimed is None:
            raise Conflict("this request is being refunded already", code="refund_in_progress")
        try:
            await self.payments.refund(order, to_refund, reason=f"after-sales {request.id}", actor=actor)
        except Exception:
            await self._requests.update_one({"_id": request.id}, {"$unset": {"refund_claimed_at": ""}})
            raise
        restock = request.kind is AfterSaleKind.RETURN or order.status is OrderStatus.PAID
        if restock:
            for line in request.lines:
                await self.inventory.adjust(
                    line.sku, line.quantity, f"after-sales {request.kind.value}", actor, ref=request.id
                )
        await self.orders.add_refund(order.id, to_refund, actor=actor, reason=f"after-sales {request.id}")
        return await self._step(
            request,
            AfterSaleStatus.REFUNDED,
            actor,
            note or f"refunded {to_refund.format()}",
            extra={"refund_amount": to_refund.to_doc()},
            customer_note=note,
        )

    # --- reads -------------------------------------------------------------------------------
    async def get(self, request_id: str, *, customer_id: str | None = None) -> AfterSaleRequest:
        query: Document = {"_id": request_id}
        if customer_id is not None:
            query["customer_id"] = customer_id
        doc = await self._requests.find_one(query)
        if doc is None:
            raise NotFound("after-sales request not found", details={"request_id": request_id[:40]})
        return AfterSaleRequest.from_doc(doc)

    async def list_for_customer(self, customer_id: str, *, limit: int = 20) -> list[AfterSaleRequest]:
        cursor = (
            self._requests.find({"customer_id": customer_id}).sort("_id", DESCENDING).limit(max(1, min(limit, 100)))
        )
        return [AfterSaleRequest.from_doc(doc) async for doc in cursor]

    async def list_for_order(self, order_id: str) -> list[AfterSaleRequest]:
        cursor = self._requests.find({"order_id": order_id}).sort("_id", ASCENDING)
        return [AfterSaleRequest.from_doc(doc) async for doc in cursor]

    async def list_requests(
        self, *, status: AfterSaleStatus | None = None, after: str | None = None, limit: int = 50
    ) -> tuple[list[AfterSaleRequest], str | None]:
        query: Document = {}
        if status is not None:
            query["status"] = status.value
        if after:
            query["_id"] = {"$lt": after}
        limit = max(1, min(limit, 100))
        docs = [doc async for doc in self._requests.find(query).sort("_id", DESCENDING).limit(limit + 1)]
        requests = [AfterSaleRequest.from_doc(doc) for doc in docs[:limit]]
        return requests, (requests[-1].id if len(docs) > limit else None)

    async def repoint_customer(self, absorbed_id: str, survivor_id: str) -> None:
        await self._requests.update_many({"customer_id": absorbed_id}, {"$set": {"customer_id": survivor_id}})

    # --- internals ---------------------------------------------------------------------------
    def _check_eligible(self, order: Order, kind: AfterSaleKind) -> None:
        allowed = ELIGIBLE.get(order.status, frozenset())
        if kind not in allowed:
            raise ValidationFailed(
                f"a {kind.value} cannot be requested for an order that is {order.status.value}",
                details={
                    "order": order.number,
                    "status": order.status.value,
                    "allowed": sorted(k.value for k in allowed),
                },
                code="aftersale_not_eligible",
            )
        delivered = order.shipment.delivered_at
        if delivered is not None and kind is not AfterSaleKind.REFUND and utcnow() - delivered > self.window:
            raise ValidationFailed(
                f"returns and exchanges are possible within {self.window.days} days of delivery",
                details={"order": order.number, "window_days": self.window.days},
                code="aftersale_window_passed",
            )

    async def _step(
        self,
        request: AfterSaleRequest,
        target: AfterSaleStatus,
        actor: str,
        note: str,
        *,
        extra: Document | None = None,
        customer_note: str | None = None,
    ) -> AfterSaleRequest:
        """`customer_note`: what the customer is told with the update; by default the note of a
        shop-side step (staff write it for the customer), never a customer's own."""
        check_step(request.id, request.kind, request.status, target)
        now = utcnow()
        entry = AfterSaleEntry(request.status, target, actor, " ".join(note.split())[:500], now)
        if customer_note is None:
            customer_note = "" if actor.startswith("customer:") else entry.note
        update: Document = {
            "$set": {"status": target.value, "updated_at": now, **(extra or {})},
            "$push": {"history": entry.to_doc()},
        }
        if not target.open:
            update["$unset"] = {"open_key": ""}
        doc = await find_one_and_update(
            self._requests,
            {"_id": request.id, "status": request.status.value},
            update,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            current = await self.get(request.id)
            check_step(current.id, current.kind, current.status, target)
            raise Conflict("the request changed meanwhile, please retry", code="aftersale_changed")
        updated = AfterSaleRequest.from_doc(doc)
        log.info("aftersale_step", request_id=request.id, source=request.status.value, target=target.value, actor=actor)
        await self._emit(updated, note=" ".join(customer_note.split())[:500])
        return updated

    async def _emit(self, request: AfterSaleRequest, *, note: str = "") -> None:
        await self.events.publish(
            AfterSaleChanged(
                customer_id=request.customer_id,
                order_id=request.order_id,
                request_id=request.id,
                number=request.order_number,
                kind=request.kind.value,
                status=request.status.value,
                note=note,
            ),
            event_id=f"aftersale.{request.status.value}:{request.id}",
        )


def refundable(order: Order, request: AfterSaleRequest) -> Money:
    """What the request's lines cost after discounts; the shipping fee too when the whole order
    is refunded before it left."""
    total = Money.sum(
        [line.refund_for(x.quantity) for x in request.lines if (line := order.line(x.sku))], order.currency
    )
    whole_order = {x.sku: x.quantity for x in request.lines} == order.quantities()
    if whole_order and order.status is OrderStatus.PAID:
        total = total + order.pricing.shipping_fee
    already = order.refunded or Money.zero(order.currency)
    remaining = order.total - already
    return total if total <= remaining else remaining


def _check_lines(order: Order, lines: dict[str, int] | None) -> tuple[AfterSaleLine, ...]:
    if not lines:
        return tuple(AfterSaleLine(line.sku, line.quantity) for line in order.lines)
    result: list[AfterSaleLine] = []
    for sku, quantity in lines.items():
        line = order.line(sku)
        if line is None:
            raise ValidationFailed(
                "this item is not part of the order", details={"sku": sku[:100]}, code="not_in_order"
            )
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= line.quantity:
            raise ValidationFailed(
                f"quantity for {sku} must be between 1 and {line.quantity}",
                details={"sku": sku, "max": line.quantity},
                code="invalid_quantity",
            )
        result.append(AfterSaleLine(sku, quantity))
    return tuple(result)


def _check_photos(photos: Sequence[str]) -> tuple[str, ...]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
    checked: list[str] = []
    for url in photos:
        parts = urlsplit(url)
        web_link = parts.scheme in ("http", "https") and bool(parts.netloc)
        uploaded = url.startswith("/media/") and ".." not in url
        if len(url) > 500 or not (web_link or uploaded):
            raise ValidationFailed(
                "photos must be http(s) links or uploaded /media/ paths",
                details={"photo": url[:100]},
                code="invalid_photo",
            )
        checked.append(url)
    return tuple(checked)
