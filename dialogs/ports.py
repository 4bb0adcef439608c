"""What the conversation engine needs from the shop, in the engine's own terms.

Flows speak only to `ShopPort`; `dialogs.shop_adapter.CommerceShop` implements it over the
real `commerce.services.Commerce`. Keeping this seam narrow means a change in a commerce
service touches one adapter, and the gaps (methods commerce does not offer yet) are visible.
All money crosses the seam as `Money`; all texts are already in the customer's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from commerce.money import Money
from dialogs.messages import Lang


@dataclass(frozen=True)
class VariantView:
    sku: str
    attributes: dict[str, str]  # {"color": "黑色", "size": "XL"} in the customer's language
    price: Money
    stock: int  # sellable units (0 = out of stock)


@dataclass(frozen=True)
class ProductView:
    product_id: str
    title: str
    description: str
    brand: str
    category: str
    image_url: str | None
    price_from: Money
    price_to: Money
    variants: list[VariantView]
    # spec dimension -> values in display order, e.g. {"color": ["黑色", "白色"]}
    options: dict[str, list[str]] = field(default_factory=dict)
    # Search/list results carry no variants; only whether anything is in stock.
    summary_in_stock: bool | None = None
    # The title in every language the catalog gives ("Two-Person Tent", "双人帐篷"): what a
    # customer may call it, whatever language the conversation is in.
    names: tuple[str, ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return self.names or (self.title,)

    @property
    def is_summary(self) -> bool:
        return not self.variants

    @property
    def in_stock(self) -> bool:
        if not self.variants:
            return bool(self.summary_in_stock)
        return any(v.stock > 0 for v in self.variants)

    def variant(self, sku: str) -> VariantView | None:
        return next((v for v in self.variants if v.sku == sku), None)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category: str | None = None
    brand: str | None = None
    color: str | None = None
    price_min: str | None = None  # decimal strings in major units, as the NLU extracts them
    price_max: str | None = None


@dataclass(frozen=True)
class SearchPage:
    items: list[ProductView]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class CartLineView:
    sku: str
    product_id: str
    title: str
    attributes: dict[str, str]
    quantity: int
    unit_price: Money
    line_total: Money


@dataclass(frozen=True)
class CartView:
    lines: list[CartLineView]
    subtotal: Money

    @property
    def empty(self) -> bool:
        return not self.lines


@dataclass(frozen=True)
class AddressView:
    address_id: str | None
    name: str
    phone: str
    region: str  # province/city/district as one line: "上海市浦东新区"
    detail: str  # street and number

    def one_line(self) -> str:
        if self.region.isascii() and self.detail.isascii():
            return f"{self.name}, {self.phone}, {self.detail}, {self.region}"
        return f"{self.name} {self.phone} {self.region}{self.detail}"


@dataclass(frozen=True)
class ShippingOption:
    code: str
    name: str
    fee: Money
    eta: str  # "1-3 days" / "1-3天"
    pickup_address: str = ""  # pickup in store: the store's address and opening hours
    pickup_hours: str = ""


@dataclass(frozen=True)
class QuoteView:
    """What the customer will pay if they confirm now."""

    lines: list[CartLineView]
    subtotal: Money
    shipping_fee: Money
    discount: Money
    total: Money
    coupon_code: str | None
    coupon_error: str | None = None  # why a coupon does not apply (already localised)


@dataclass(frozen=True)
class OrderLineView:
    sku: str
    title: str
    quantity: int
    unit_price: Money


@dataclass(frozen=True)
class OrderView:
    number: str
    status: str  # commerce status code: pending_payment, paid, shipped, delivered, cancelled, ...
    lines: list[OrderLineView]
    total: Money
    created_at: str
    address: AddressView | None = None
    tracking_no: str | None = None
    carrier: str | None = None
    can_cancel: bool = False
    can_change_address: bool = False
    can_return: bool = False
    # Cancelled by the shop because the payment did not arrive in time (not by anyone's choice):
    # "pay again" for it places it again.
    closed_unpaid: bool = False


@dataclass(frozen=True)
class TrackingEvent:
    at: str
    text: str


@dataclass(frozen=True)
class TrackingView:
    order_number: str
    carrier: str | None
    tracking_no: str | None
    status: str
    events: list[TrackingEvent]


@dataclass(frozen=True)
class PaymentView:
    payment_id: str
    order_number: str
    url: str
    amount: Money
    status: str


@dataclass(frozen=True)
class AfterSaleView:
    request_id: str
    order_number: str
    kind: str  # return | exchange | refund
    status: str
    reason: str


@dataclass(frozen=True)
class CouponCheck:
    ok: bool
    code: str
    discount: Money | None = None
    message: str = ""  # localised reason when not ok


class ShopPort(Protocol):
    """The shop as the dialogs see it; every call is on behalf of one customer."""

    # customers
    async def identify(
        self, channel: str, channel_user_id: str, lang: Lang, display_name: str = "", *, likely_new: bool = False
    ) -> str: ...
    async def link_identity(self, customer_id: str, kind: str, value: str) -> str: ...
    async def identity_owner(self, kind: str, value: str) -> str | None: ...
    async def addresses(self, customer_id: str) -> list[AddressView]: ...
    async def save_address(self, customer_id: str, address: AddressView) -> AddressView: ...
    async def set_language(self, customer_id: str, lang: Lang) -> None: ...

    # catalog
    async def search(self, query: SearchQuery, lang: Lang, page: int, page_size: int) -> SearchPage: ...
    async def product(self, product_id: str, lang: Lang) -> ProductView | None: ...
    async def product_by_sku(self, sku: str, lang: Lang) -> ProductView | None: ...
    async def similar(self, product_id: str, lang: Lang, limit: int) -> list[ProductView]: ...
    async def popular(self, lang: Lang, limit: int) -> list[ProductView]: ...

    # cart
    async def cart(self, customer_id: str, lang: Lang) -> CartView: ...
    async def add_to_cart(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView: ...
    async def set_quantity(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView: ...
    async def remove_from_cart(self, customer_id: str, sku: str, lang: Lang) -> CartView: ...
    async def clear_cart(self, customer_id: str) -> None: ...

    # checkout
    async def shipping_options(self, customer_id: str, address: AddressView, lang: Lang) -> list[ShippingOption]: ...
    async def check_coupon(self, customer_id: str, code: str, lang: Lang) -> CouponCheck: ...
    async def coupon_codes_among(self, words: Sequence[str]) -> set[str]: ...
    async def quote(
        self, customer_id: str, address: AddressView, shipping: str, coupon: str | None, lang: Lang
    ) -> QuoteView: ...
    async def place_order(
        self,
        customer_id: str,
        address: AddressView,
        shipping: str,
        coupon: str | None,
        lang: Lang,
        idempotency_key: str,
        channel: str | None = None,
    ) -> OrderView: ...
    async def start_payment(
        self, customer_id: str, order_number: str, provider: str | None = None, channel: str | None = None
    ) -> PaymentView:
        """A payment link with `provider` (one of `payment_providers()`), else the default.
        `channel` is where the customer is (WeChat Pay inside WeChat pays in place: JSAPI)."""
        ...

    def payment_providers(self) -> list[str]:
        """The providers offered to customers, the default first (sandbox, wechatpay, alipay)."""
        ...

    # orders
    async def orders(self, customer_id: str, lang: Lang, limit: int) -> list[OrderView]: ...
    async def order(self, customer_id: str, number: str, lang: Lang) -> OrderView | None: ...
    async def order_by_id(self, order_id: str, lang: Lang) -> OrderView | None: ...
    async def cancel_order(self, customer_id: str, number: str, lang: Lang) -> OrderView: ...
    async def change_address(self, customer_id: str, number: str, address: AddressView, lang: Lang) -> OrderView: ...
    async def tracking(self, customer_id: str, number: str, lang: Lang) -> TrackingView | None: ...

    # after-sales
    async def request_after_sale(
        self, customer_id: str, number: str, kind: str, reason: str, photos: list[str], lang: Lang
    ) -> AfterSaleView: ...
    async def after_sales(self, customer_id: str, lang: Lang) -> list[AfterSaleView]: ...
    async def notify_when_back(self, customer_id: str, product_id: str, skus: list[str], lang: Lang) -> bool:
        """Tell the customer when one of these SKUs is back in stock; False: asked already."""
        ...

    async def add_after_sale_details(
        self, customer_id: str, request_id: str, note: str, photos: list[str], lang: Lang
    ) -> AfterSaleView: ...


class SandboxPort(Protocol):
    """Shop-side actions the script mode (`!pay`, `!ship`, ...) and the e2e tests drive."""

    async def settle_latest_payment(self, customer_id: str, succeed: bool) -> PaymentView | None: ...
    async def ship_latest(self, customer_id: str) -> OrderView | None: ...
    async def deliver_latest(self, customer_id: str) -> OrderView | None: ...
