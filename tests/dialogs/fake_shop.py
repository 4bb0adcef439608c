"""An in-memory ShopPort/SandboxPort for fast engine tests (the conversation tests use the real shop)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from commerce.aftersales.model import ELIGIBLE, AfterSaleKind
from commerce.errors import Conflict, InvalidTransition, NotFound, OutOfStock, ValidationFailed
from commerce.money import Money
from commerce.orders.model import OrderStatus
from dialogs.messages import Lang
from dialogs.ports import (
    AddressView,
    AfterSaleView,
    CartLineView,
    CartView,
    CouponCheck,
    OrderLineView,
    OrderView,
    PaymentView,
    ProductView,
    QuoteView,
    SearchPage,
    SearchQuery,
    ShippingOption,
    TrackingView,
    VariantView,
)


def cny(value: str) -> Money:
    return Money.parse(value, "CNY")


# The fake shop's coupons: SAVE10 takes ¥10 off, WINTER has expired.
KNOWN_COUPONS = {"SAVE10", "WINTER"}


@dataclass(frozen=True)
class FakeProduct:
    pid: str
    title: dict[Lang, str]
    price: str
    variants: list[tuple[str, dict[str, str], int]]  # sku, attributes, stock
    brand: str = "Acme"
    category: str = "misc"


def _product(
    pid: str,
    zh: str,
    en: str,
    price: str,
    variants: list[tuple[str, dict[str, str], int]],
    brand: str = "Acme",
    category: str = "misc",
) -> FakeProduct:
    return FakeProduct(pid, {"zh": zh, "en": en}, price, variants, brand, category)


CATALOG = [
    _product(
        "P100",
        "无线蓝牙耳机",
        "Wireless Bluetooth Earbuds",
        "299.00",
        [("P100-BLK", {"color": "black"}, 10), ("P100-WHT", {"color": "white"}, 2)],
        category="audio",
    ),
    _product(
        "P200",
        "运动跑鞋",
        "Running Shoes",
        "499.00",
        [
            ("P200-BLK-42", {"color": "black", "size": "42"}, 5),
            ("P200-BLK-43", {"color": "black", "size": "43"}, 0),
            ("P200-RED-42", {"color": "red", "size": "42"}, 3),
        ],
        category="shoes",
    ),
    _product("P300", "保温杯", "Insulated Mug", "89.00", [("P300", {}, 50)], category="home"),
    _product("P400", "降噪耳机", "Noise Cancelling Headphones", "1299.00", [("P400", {}, 0)], category="audio"),
]
COLORS = {
    "black": {"zh": "黑色", "en": "Black"},
    "white": {"zh": "白色", "en": "White"},
    "red": {"zh": "红色", "en": "Red"},
}
DIMS = {"color": {"zh": "颜色", "en": "Color"}, "size": {"zh": "尺码", "en": "Size"}}


@dataclass
class FakeOrder:
    number: str
    customer: str
    lines: list[tuple[str, int, Money, str]]
    total: Money
    address: AddressView
    status: str = "pending_payment"
    tracking: str | None = None


@dataclass
class FakeShop:
    carts: dict[str, dict[str, int]] = field(default_factory=dict)
    addresses_by_customer: dict[str, list[AddressView]] = field(default_factory=dict)
    orders_list: list[FakeOrder] = field(default_factory=list)
    requests: list[tuple[str, AfterSaleView]] = field(default_factory=list)
    stock: dict[str, int] = field(default_factory=dict)
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    placed_keys: dict[str, str] = field(default_factory=dict)
    catalog: list[FakeProduct] = field(default_factory=lambda: CATALOG)
    providers: list[str] = field(default_factory=lambda: ["sandbox"])
    stock_notices: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        for p in self.catalog:
            for sku, _, qty in p.variants:
                self.stock.setdefault(sku, qty)

    # customers
    async def identify(
        self, channel: str, channel_user_id: str, lang: Lang, display_name: str = "", *, likely_new: bool = False
    ) -> str:
        return f"C-{channel}-{channel_user_id}"

    async def link_identity(self, customer_id: str, kind: str, value: str) -> str:
        return customer_id

    async def identity_owner(self, kind: str, value: str) -> str | None:
        return None

    async def addresses(self, customer_id: str) -> list[AddressView]:
        return list(self.addresses_by_customer.get(customer_id, []))

    async def save_address(self, customer_id: str, address: AddressView) -> AddressView:
        saved = replace(address, address_id=f"A{next(self.seq)}")
        self.addresses_by_customer.setdefault(customer_id, []).append(saved)
        return saved

    async def set_language(self, customer_id: str, lang: Lang) -> None:
        return None

    # catalog
    def _view(self, p: FakeProduct, lang: Lang) -> ProductView:
        variants = [
            VariantView(
                sku,
                {
                    DIMS.get(k, {"zh": k, "en": k})[lang]: COLORS.get(v, {"zh": v, "en": v})[lang]
                    for k, v in attrs.items()
                },
                cny(p.price),
                self.stock[sku],
            )
            for sku, attrs, _ in p.variants
        ]
        options: dict[str, list[str]] = {}
        for v in variants:
            for k, val in v.attributes.items():
                if val not in options.setdefault(k, []):
                    options[k].append(val)
        return ProductView(
            p.pid,
            p.title[lang],
            "",
            p.brand,
            p.category,
            None,
            cny(p.price),
            cny(p.price),
            variants,
            options,
        )

    async def search(self, query: SearchQuery, lang: Lang, page: int, page_size: int) -> SearchPage:
        words = [w for w in (query.text or "").lower().split() if w]
        hits = []
        for p in self.catalog:
            haystack = (p.title["zh"] + " " + p.title["en"] + " " + p.category).lower()
            if words and not any(w in haystack or haystack.find(w[:2]) >= 0 for w in words):
                continue
            if query.category and query.category.lower() not in haystack:
                continue
            hits.append(self._view(p, lang))
        pages = max(1, -(-len(hits) // page_size))
        start = (page - 1) * page_size
        return SearchPage(hits[start : start + page_size], len(hits), page, pages)

    async def product(self, product_id: str, lang: Lang) -> ProductView | None:
        return next((self._view(p, lang) for p in self.catalog if p.pid == product_id), None)

    async def product_by_sku(self, sku: str, lang: Lang) -> ProductView | None:
        for p in self.catalog:
            if any(v[0] == sku for v in p.variants):
                return self._view(p, lang)
        return None

    async def similar(self, product_id: str, lang: Lang, limit: int) -> list[ProductView]:
        return [self._view(p, lang) for p in self.catalog if p.pid != product_id][:limit]

    async def popular(self, lang: Lang, limit: int) -> list[ProductView]:
        return [self._view(p, lang) for p in self.catalog][:limit]

    # cart
    async def cart(self, customer_id: str, lang: Lang) -> CartView:
        lines = []
        for sku, qty in self.carts.get(customer_id, {}).items():
            product = await self.product_by_sku(sku, lang)
            assert product is not None
            variant = product.variant(sku)
            assert variant is not None
            lines.append(
                CartLineView(
                    sku, product.product_id, product.title, variant.attributes, qty, variant.price, variant.price * qty
                )
            )
        return CartView(lines, Money.sum([line.line_total for line in lines], "CNY"))

    async def add_to_cart(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView:
        cart = self.carts.setdefault(customer_id, {})
        if cart.get(sku, 0) + quantity > self.stock[sku]:
            raise OutOfStock("not enough stock")
        cart[sku] = cart.get(sku, 0) + quantity
        return await self.cart(customer_id, lang)

    async def set_quantity(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView:
        self.carts.setdefault(customer_id, {})[sku] = quantity
        return await self.cart(customer_id, lang)

    async def remove_from_cart(self, customer_id: str, sku: str, lang: Lang) -> CartView:
        self.carts.setdefault(customer_id, {}).pop(sku, None)
        return await self.cart(customer_id, lang)

    async def clear_cart(self, customer_id: str) -> None:
        self.carts[customer_id] = {}

    # checkout
    async def shipping_options(self, customer_id: str, address: AddressView, lang: Lang) -> list[ShippingOption]:
        return [
            ShippingOption("standard", "标准快递" if lang == "zh" else "Standard", cny("10.00"), "1-3"),
            ShippingOption("express", "顺丰" if lang == "zh" else "Express", cny("22.00"), "1"),
        ]

    async def check_coupon(self, customer_id: str, code: str, lang: Lang) -> CouponCheck:
        if code == "SAVE10":
            return CouponCheck(True, code, cny("10.00"))
        if code == "WINTER":
            return CouponCheck(False, code, None, "已过期" if lang == "zh" else "it has expired")
        return CouponCheck(False, code, None, "无效" if lang == "zh" else "unknown code")

    async def coupon_codes_among(self, words: Sequence[str]) -> set[str]:
        return {word.upper() for word in words} & KNOWN_COUPONS

    async def quote(
        self, customer_id: str, address: AddressView, shipping: str, coupon: str | None, lang: Lang
    ) -> QuoteView:
        cart = await self.cart(customer_id, lang)
        fee = cny("10.00") if shipping == "standard" else cny("22.00")
        discount = cny("10.00") if coupon == "SAVE10" else Money.zero("CNY")
        return QuoteView(cart.lines, cart.subtotal, fee, discount, cart.subtotal + fee - discount, coupon)

    async def place_order(
        self,
        customer_id: str,
        address: AddressView,
        shipping: str,
        coupon: str | None,
        lang: Lang,
        idempotency_key: str,
        channel: str | None = None,
    ) -> OrderView:
        if idempotency_key in self.placed_keys:
            found = await self.order(customer_id, self.placed_keys[idempotency_key], lang)
            assert found is not None
            return found
        quote = await self.quote(customer_id, address, shipping, coupon, lang)
        for line in quote.lines:
            if self.stock[line.sku] < line.quantity:
                raise OutOfStock("sold out")
        for line in quote.lines:
            self.stock[line.sku] -= line.quantity
        number = f"O{1000 + next(self.seq)}"
        self.orders_list.append(
            FakeOrder(
                number,
                customer_id,
                [(ln.sku, ln.quantity, ln.unit_price, ln.title) for ln in quote.lines],
                quote.total,
                address,
            )
        )
        self.carts[customer_id] = {}
        self.placed_keys[idempotency_key] = number
        found = await self.order(customer_id, number, lang)
        assert found is not None
        return found

    async def start_payment(
        self, customer_id: str, order_number: str, provider: str | None = None, channel: str | None = None
    ) -> PaymentView:
        order = self._order(customer_id, order_number)
        chosen = provider if provider in self.providers else self.providers[0]
        return PaymentView(
            f"PAY-{order.number}", order.number, f"http://pay.test/{chosen}/{order.number}", order.total, "pending"
        )

    def payment_providers(self) -> list[str]:
        return list(self.providers)

    # orders
    def _order(self, customer_id: str, number: str) -> FakeOrder:
        for order in self.orders_list:
            if order.number == number and order.customer == customer_id:
                return order
        raise NotFound("order not found")

    def _view_order(self, o: FakeOrder) -> OrderView:
        return OrderView(
            o.number,
            o.status,
            [OrderLineView(s, title, q, p) for s, q, p, title in o.lines],
            o.total,
            "2024-01-01",
            o.address,
            o.tracking,
            "SF" if o.tracking else None,
            can_cancel=o.status in ("pending_payment", "paid"),
            can_change_address=o.status in ("pending_payment", "paid"),
            can_return=o.status in ("delivered", "shipped"),
        )

    async def orders(self, customer_id: str, lang: Lang, limit: int) -> list[OrderView]:
        return [self._view_order(o) for o in reversed(self.orders_list) if o.customer == customer_id][:limit]

    async def order(self, customer_id: str, number: str, lang: Lang) -> OrderView | None:
        try:
            return self._view_order(self._order(customer_id, number))
        except NotFound:
            return None

    async def order_by_id(self, order_id: str, lang: Lang) -> OrderView | None:
        return next((self._view_order(o) for o in self.orders_list if o.number == order_id), None)

    async def cancel_order(self, customer_id: str, number: str, lang: Lang) -> OrderView:
        order = self._order(customer_id, number)
        if order.status not in ("pending_payment", "paid"):
            raise InvalidTransition("cannot cancel")
        order.status = "cancelled"
        return self._view_order(order)

    async def change_address(self, customer_id: str, number: str, address: AddressView, lang: Lang) -> OrderView:
        order = self._order(customer_id, number)
        order.address = address
        return self._view_order(order)

    async def tracking(self, customer_id: str, number: str, lang: Lang) -> TrackingView | None:
        order = self._order(customer_id, number)
        return TrackingView(number, "SF", order.tracking, order.status, []) if order.tracking else None

    async def request_after_sale(
        self, customer_id: str, number: str, kind: str, reason: str, photos: list[str], lang: Lang
    ) -> AfterSaleView:
        order = self._order(customer_id, number)
        if AfterSaleKind(kind) not in ELIGIBLE.get(OrderStatus(order.status), frozenset()):
            raise ValidationFailed(f"no {kind} for a {order.status} order", code="aftersale_not_eligible")
        if any(c == customer_id and v.order_number == number and v.status == "requested" for c, v in self.requests):
            raise Conflict("there is already an open request for this order", code="aftersale_exists")
        view = AfterSaleView(f"R{next(self.seq)}", number, kind, "requested", reason)
        self.requests.append((customer_id, view))
        return view

    async def after_sales(self, customer_id: str, lang: Lang) -> list[AfterSaleView]:
        return [v for c, v in self.requests if c == customer_id]

    async def notify_when_back(self, customer_id: str, product_id: str, skus: list[str], lang: Lang) -> bool:
        before = len(self.stock_notices)
        self.stock_notices |= {(customer_id, sku) for sku in skus}
        return len(self.stock_notices) > before

    async def add_after_sale_details(
        self, customer_id: str, request_id: str, note: str, photos: list[str], lang: Lang
    ) -> AfterSaleView:
        for index, (owner, view) in enumerate(self.requests):
            if owner == customer_id and view.request_id == request_id and view.status == "requested":
                updated = replace(view, reason=f"{view.reason} / {note}" if note else view.reason)
                self.requests[index] = (owner, updated)
                return updated
        raise Conflict("the shop is handling this request already", code="aftersale_changed")

    # sandbox
    async def settle_latest_payment(self, customer_id: str, succeed: bool) -> PaymentView | None:
        pending = [o for o in self.orders_list if o.customer == customer_id and o.status == "pending_payment"]
        if not pending:
            return None
        if succeed:
            pending[-1].status = "paid"
        return PaymentView("p", pending[-1].number, "", pending[-1].total, "paid" if succeed else "failed")

    async def ship_latest(self, customer_id: str) -> OrderView | None:
        paid = [o for o in self.orders_list if o.customer == customer_id and o.status == "paid"]
        if not paid:
            return None
        paid[-1].status, paid[-1].tracking = "shipped", "SF123"
        return self._view_order(paid[-1])

    async def deliver_latest(self, customer_id: str) -> OrderView | None:
        shipped = [o for o in self.orders_list if o.customer == customer_id and o.status == "shipped"]
        if not shipped:
            return None
        shipped[-1].status = "delivered"
        return self._view_order(shipped[-1])
