"""`ShopPort` and `SandboxPort` over the real commerce services (`commerce.services.Commerce`).

The only module of the dialogs that knows commerce's own types; it translates them into the
engine's views, in the customer's language, and commerce's validation into domain errors.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence

from pydantic import ValidationError

from commerce.aftersales.model import AfterSaleRequest
from commerce.carts.model import CartView as PricedCart
from commerce.catalog.model import ProductDetail, ProductSummary, SkuSnapshot
from commerce.catalog.search import SearchPage as CatalogPage
from commerce.catalog.search import SearchQuery as CatalogQuery
from commerce.catalog.specs import label_specs
from commerce.customers.model import Address, AddressIn, IdentityKind, RegionIn, display_phone
from commerce.errors import NotFound, ValidationFailed
from commerce.events import TIMEOUT_ACTOR
from commerce.money import Money
from commerce.orders.checkout import CheckoutRequest
from commerce.orders.model import SALES_CHANNELS, STATUS_LABELS, Order, OrderLine, OrderStatus
from commerce.payments.model import PaymentStatus, PayMethod, PayOptions
from commerce.promotions.model import CouponRejected
from commerce.services import Commerce
from commerce.shipping.service import ShippingBasis
from core.shop_time import ShopClock
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
    TrackingEvent,
    TrackingView,
    VariantView,
)
from dialogs.turn_cache import forget, memoized, recall, remember

# Channel -> the customer identity kind it proves.
IDENTITY_KINDS = {"telegram": "telegram", "wechat": "wechat_openid", "webchat": "web_session"}
RETURNABLE = {"paid", "shipped", "delivered", "completed"}
_REGION_ZH = re.compile(
    r"^(?P<province>[^省市]{2,7}?(?:省|自治区|特别行政区)|北京市|上海市|天津市|重庆市|北京|上海|天津|重庆)?"
    r"(?P<city>[^市]{1,9}?(?:市|自治州|地区|盟))?(?P<district>.{1,12}?(?:区|县|旗|市))?$"
)


def split_region(region: str) -> tuple[str, str, str]:
    """ "上海市浦东新区" -> (上海市, 上海市, 浦东新区); "Pudong, Shanghai" -> (Shanghai, Shanghai, Pudong)."""
    text = region.strip()
    match = _REGION_ZH.match(text.replace(" ", "")) if re.search(r"[\u4e00-\u9fff]", text) else None
    if match and (match.group("province") or match.group("city")):
        province = match.group("province") or match.group("city") or ""
        city = match.group("city") or province
        return province, city, match.group("district") or ""
    parts = [p.strip() for p in re.split(r"[,，]", text) if p.strip()]
    if not parts:
        return text, text, ""
    if len(parts) == 1:
        return parts[0], parts[0], ""
    return parts[-1], parts[-1] if len(parts) == 2 else parts[-2], parts[0]


class CommerceShop:
    """The shop as the dialogs see it (implements `dialogs.ports.ShopPort`)."""

    def __init__(self, commerce: Commerce) -> None:
        self.c = commerce
        self.clock = ShopClock(commerce.config.timezone)  # times the customer reads: the shop's zone

    # --- customers -----------------------------------------------------------------------------
    async def identify(
        self, channel: str, channel_user_id: str, lang: Lang, display_name: str = "", *, likely_new: bool = False
    ) -> str:
        kind = IDENTITY_KINDS.get(channel, "web_session")
        value = channel_user_id if channel in IDENTITY_KINDS else f"{channel}:{channel_user_id}"
        customer = await self.c.customers.identify(
            kind, value, language=lang, name=display_name or None, likely_new=likely_new
        )
        return str(customer.id)

    async def link_identity(self, customer_id: str, kind: str, value: str) -> str:
        """Sign-in: attach a phone/e-mail; an existing account with it is merged (keeps cart and orders)."""
        forget("addresses")  # a merged account brings its own
        customer = await self.c.customers.link(customer_id, kind, value)
        return str(customer.id)

    async def identity_owner(self, kind: str, value: str) -> str | None:
        try:
            customer = await self.c.customers.find_by_identity(kind, value)
        except ValidationFailed:
            return None
        return str(customer.id) if customer else None

    @staticmethod
    def _address(address: Address) -> AddressView:
        parts = [p for p in (address.province, address.city, address.district) if p]
        if all(p.isascii() for p in parts):  # "Huangpu, Shanghai": smallest place first, no repeats
            region = ", ".join(dict.fromkeys(reversed(parts)))
        else:
            region = address.region_line() or address.city
        return AddressView(
            address_id=address.id,
            name=address.recipient,
            phone=display_phone(address.phone),
            region=region,
            detail=address.detail,
        )

    async def addresses(self, customer_id: str) -> list[AddressView]:
        # Read with the cart when the cart was looked at earlier in this turn (the checkout does).
        saved = await memoized(("addresses", customer_id), lambda: self.c.customers.addresses(customer_id))
        return [self._address(a) for a in saved]

    @staticmethod
    def address_input(address: AddressView) -> AddressIn:
        province, city, district = split_region(address.region)
        try:
            return AddressIn(
                recipient=address.name[:40],
                phone=address.phone,
                region=RegionIn(province=province[:30], city=city[:30], district=district[:30]),
                detail=address.detail[:200],
            )
        except ValidationError as exc:
            fields = sorted({str(err["loc"][0]) for err in exc.errors() if err.get("loc")})
            raise ValidationFailed("invalid address", details={"fields": fields}) from None

    async def save_address(self, customer_id: str, address: AddressView) -> AddressView:
        forget("addresses")
        saved = await self.c.customers.add_address(customer_id, self.address_input(address), make_default=True)
        return self._address(saved)

    async def set_language(self, customer_id: str, lang: Lang) -> None:
        await self.c.customers.set_language(customer_id, lang)

    # --- catalog -------------------------------------------------------------------------------
    def _summary(self, item: ProductSummary, lang: Lang) -> ProductView:
        return ProductView(
            product_id=item.code,
            title=item.title.get(lang),
            description="",
            brand=item.brand,
            category=item.category,
            image_url=item.image,
            price_from=item.price_min,
            price_to=item.price_max,
            variants=[],
            options={},
            summary_in_stock=bool(item.in_stock),
            names=item.title.values(),
        )

    def _detail(self, detail: ProductDetail, lang: Lang) -> ProductView:
        product = detail.product
        variants: list[VariantView] = []
        options: dict[str, list[str]] = {}
        for sku in product.skus:
            attributes: dict[str, str] = {}
            for label in sku.spec_labels:
                dim, value = label.key_label.get(lang), label.value_label.get(lang)
                attributes[dim] = value
                values = options.setdefault(dim, [])
                if value not in values:
                    values.append(value)
            variants.append(VariantView(sku.sku, attributes, sku.price, int(detail.available.get(sku.sku, 0))))
        return ProductView(
            product_id=product.code,
            title=product.title.get(lang),
            description=product.description.get(lang),
            brand=product.brand,
            category=product.category,
            image_url=product.image,
            price_from=product.price_min,
            price_to=product.price_max,
            variants=variants,
            options=options,
            names=product.title.values(),
        )

    def _money(self, value: str | None) -> Money | None:
        if value in (None, ""):
            return None
        try:
            return Money.parse(str(value), self.c.config.currency)
        except ValueError:
            return None

    async def search(self, query: SearchQuery, lang: Lang, page: int, page_size: int) -> SearchPage:
        """A page of products; the same search asked twice in one turn (a flow trying the name
        the NLU found, then showing it) is run once."""
        return await memoized(
            ("search", query, lang, page, page_size), lambda: self._search(query, lang, page, page_size)
        )

    async def _search(self, query: SearchQuery, lang: Lang, page: int, page_size: int) -> SearchPage:
        low, high = self._money(query.price_min), self._money(query.price_max)
        if low and high and low > high:
            low, high = high, low
        text = (query.text or "").strip()
        words = [w for w in (text, query.category or "") if w]
        base = " ".join(dict.fromkeys(words))
        # Most specific first; relax the filters that are only hints until something matches.
        attempts: list[tuple[str, str | None]] = [
            (" ".join(filter(None, [base, query.color or ""])), query.brand),
            (base, query.brand),
            (" ".join(filter(None, [base, query.brand or ""])), None),
        ]
        result: CatalogPage | None = None
        for text_part, brand in dict.fromkeys(attempts):
            if not text_part and not brand and not (low or high):
                continue
            result = await self.c.catalog.search(
                CatalogQuery(
                    text=text_part[:200], brand=brand, min_price=low, max_price=high, page=page, limit=page_size
                )
            )
            if result.items:
                break
        if result is None or not result.items:
            return SearchPage(items=[], total=0, page=page, pages=1)
        pages = max(1, -(-result.total // page_size))
        return SearchPage(
            items=[self._summary(i, lang) for i in result.items], total=result.total, page=result.page, pages=pages
        )

    async def product(self, product_id: str, lang: Lang) -> ProductView | None:
        return await memoized(("product", product_id, lang), lambda: self._product(product_id, lang))

    async def _product(self, product_id: str, lang: Lang) -> ProductView | None:
        try:
            detail = await self.c.catalog.get_product_detail(product_id, public_only=True)
        except NotFound:
            return None
        for sku in detail.product.skus:  # an add to the cart in this turn needs no second read of them
            remember(("sku", sku.sku), (SkuSnapshot.of(detail.product, sku), detail.available.get(sku.sku, 0)))
        return self._detail(detail, lang)

    async def product_by_sku(self, sku: str, lang: Lang) -> ProductView | None:
        snapshot = (await self.c.catalog.get_sku_snapshots([sku])).get(sku)
        return await self.product(snapshot.product_code, lang) if snapshot else None

    async def similar(self, product_id: str, lang: Lang, limit: int) -> list[ProductView]:
        try:
            items = await self.c.catalog.recommend(similar_to=product_id, limit=limit)
        except NotFound:
            return []
        return [self._summary(i, lang) for i in items]

    async def popular(self, lang: Lang, limit: int) -> list[ProductView]:
        return [self._summary(i, lang) for i in await self.c.catalog.popular(limit)]

    # --- cart ----------------------------------------------------------------------------------
    async def _priced_cart(self, customer_id: str) -> PricedCart:
        """The cart priced now; read once per turn (a cart write through this class replaces it).
        The saved addresses come with it for this turn, in the same command."""

        async def read() -> PricedCart:
            view, addresses = await self.c.carts.view_and_addresses(customer_id)
            if addresses is not None:
                remember(("addresses", customer_id), addresses)
            return view

        return await memoized(("cart", customer_id), read)

    async def cart(self, customer_id: str, lang: Lang) -> CartView:
        return self._cart(await self._priced_cart(customer_id), lang)

    @staticmethod
    def _cart(view: PricedCart, lang: Lang) -> CartView:
        lines = []
        for line in view.lines:
            snapshot = line.snapshot
            attributes = {
                label.key_label.get(lang): label.value_label.get(lang)
                for label in (snapshot.spec_labels if snapshot else ())
            }
            lines.append(
                CartLineView(
                    sku=line.sku,
                    product_id=snapshot.product_code if snapshot else "",
                    title=line.title(lang),
                    attributes=attributes,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    line_total=line.line_total,
                )
            )
        return CartView(lines=lines, subtotal=view.subtotal)

    async def add_to_cart(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView:
        # The cart looked at earlier in this turn lends its tier and other lines' snapshots, the
        # product page read in this turn the SKU's snapshot and stock, and the cart after the add
        # is priced from what the add returned (no second cart read).
        before = recall(("cart", customer_id))
        forget("cart")
        seen = recall(("sku", sku))
        _, view = await self.c.carts.add_and_view(
            customer_id,
            sku,
            quantity,
            before=before if isinstance(before, PricedCart) else None,
            seen={sku: seen} if seen is not None else None,
        )
        remember(("cart", customer_id), view)
        return self._cart(view, lang)

    async def set_quantity(self, customer_id: str, sku: str, quantity: int, lang: Lang) -> CartView:
        forget("cart")
        await self.c.carts.set_quantity(customer_id, sku, quantity)
        return await self.cart(customer_id, lang)

    async def remove_from_cart(self, customer_id: str, sku: str, lang: Lang) -> CartView:
        forget("cart")
        await self.c.carts.remove(customer_id, sku)
        return await self.cart(customer_id, lang)

    async def clear_cart(self, customer_id: str) -> None:
        forget("cart")
        await self.c.carts.clear(customer_id)

    # --- checkout ------------------------------------------------------------------------------
    async def shipping_options(self, customer_id: str, address: AddressView, lang: Lang) -> list[ShippingOption]:
        view = await self._priced_cart(customer_id)
        province, city, district = split_region(address.region)
        place = Address(
            id="",
            recipient=address.name,
            phone=address.phone,
            province=province,
            city=city,
            district=district,
            detail=address.detail,
        )
        quotes = self.c.shipping.quotes(ShippingBasis(subtotal=view.subtotal, weight_g=view.weight_g), place)
        return [
            ShippingOption(
                code=q.method.code,
                name=q.method.name.get(lang),
                fee=q.fee,
                eta=q.method.eta.get(lang),
                pickup_address=q.method.pickup_address.get(lang),
                pickup_hours=q.method.pickup_hours.get(lang),
            )
            for q in quotes
        ]

    async def check_coupon(self, customer_id: str, code: str, lang: Lang) -> CouponCheck:
        view = await self._priced_cart(customer_id)
        try:
            discount = await self.c.promotions.validate(code, customer_id, view.subtotal)
        except CouponRejected as rejected:
            return CouponCheck(ok=False, code=code, message=rejected.text(lang))
        except ValidationFailed as exc:  # malformed code
            return CouponCheck(ok=False, code=code, message=exc.message)
        return CouponCheck(ok=True, code=discount.code, discount=discount.amount)

    async def coupon_codes_among(self, words: Sequence[str]) -> set[str]:
        """The shop's coupon codes among `words` (any case), upper-cased as the shop keeps them."""
        return await self.c.promotions.existing_codes(words)

    def _request(
        self,
        customer_id: str,
        address: AddressView,
        shipping: str,
        coupon: str | None,
        idempotency_key: str | None = None,
    ) -> CheckoutRequest:
        return CheckoutRequest(
            customer_id=customer_id,
            shipping_method=shipping,
            address_id=address.address_id,
            address=None if address.address_id else self.address_input(address),
            coupon_code=coupon or None,
            idempotency_key=idempotency_key,
        )

    @staticmethod
    def _order_lines(lines: Iterable[OrderLine], lang: Lang) -> list[CartLineView]:
        return [
            CartLineView(
                sku=line.sku,
                product_id=line.product_code,
                title=line.title.get(lang),
                attributes={s.key_label.get(lang): s.value_label.get(lang) for s in label_specs(line.specs)},
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
            )
            for line in lines
        ]

    async def quote(
        self, customer_id: str, address: AddressView, shipping: str, coupon: str | None, lang: Lang
    ) -> QuoteView:
        quote = await self.c.orders.quote(self._request(customer_id, address, shipping, coupon))
        lines = self._order_lines(quote.lines, lang)
        pricing = quote.pricing
        subtotal = Money.sum([line.line_total for line in lines], pricing.currency)
        return QuoteView(
            lines=lines,
            subtotal=subtotal,
            shipping_fee=pricing.shipping_fee,
            discount=pricing.coupon_discount,
            total=quote.total,
            coupon_code=quote.discount.code if quote.discount else None,
            coupon_error=quote.coupon_error.text(lang) if quote.coupon_error else None,
        )

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
        forget("cart")  # the order takes its lines out of the cart
        order = await self.c.orders.create_order(
            customer_id,
            shipping_method=shipping,
            address_id=address.address_id,
            address=None if address.address_id else self.address_input(address),
            coupon_code=coupon or None,
            idempotency_key=idempotency_key[:128],
            channel=channel if channel in SALES_CHANNELS else None,
        )
        remember(("order", customer_id, order.number), order)
        return self._order(order, lang)

    async def start_payment(
        self, customer_id: str, order_number: str, provider: str | None = None, channel: str | None = None
    ) -> PaymentView:
        chosen = provider if provider in self.c.payments.offered else None
        options = None
        if channel == "wechat" and (chosen or self.c.payments.default_provider) == "wechatpay":
            # Inside the official account WeChat Pay pays in place (JSAPI) as the customer's openid.
            customer = await self.c.customers.get(customer_id)
            openid = customer.identity(IdentityKind.WECHAT_OPENID)
            if openid:
                options = PayOptions(PayMethod.JSAPI, payer=openid)
        placed = recall(("order", customer_id, order_number))  # the order placed in this turn
        forget("order")
        intent = await self.c.payments.start(
            order_number,
            customer_id=customer_id,
            provider=chosen,
            options=options,
            order=placed if isinstance(placed, Order) else None,
        )
        return PaymentView(
            payment_id=intent.id,
            order_number=intent.order_number,
            url=intent.pay_url,
            amount=intent.amount,
            status=str(intent.status.value),
        )

    def payment_providers(self) -> list[str]:
        return list(self.c.payments.offered)

    # --- orders --------------------------------------------------------------------------------
    def _order(self, order: Order, lang: Lang) -> OrderView:
        status = order.status.value
        return OrderView(
            number=order.number,
            status=status,
            lines=[
                OrderLineView(
                    sku=line.sku, title=line.title.get(lang), quantity=line.quantity, unit_price=line.unit_price
                )
                for line in order.lines
            ],
            total=order.total,
            created_at=self.clock.format(order.created_at, "date"),
            address=self._address(order.address),
            tracking_no=order.shipment.tracking_no,
            carrier=order.shipment.carrier,
            can_cancel=order.can_cancel,
            can_change_address=order.can_change_address,
            can_return=status in RETURNABLE,
            closed_unpaid=order.status is OrderStatus.CANCELLED
            and bool(order.history)
            and order.history[-1].actor == TIMEOUT_ACTOR,
        )

    async def _find_order(self, customer_id: str, number: str) -> Order:
        """The customer's order by number; an order listed earlier in this turn is not read again."""
        return await memoized(
            ("order", customer_id, number), lambda: self.c.orders.find(number, customer_id=customer_id)
        )

    async def orders(self, customer_id: str, lang: Lang, limit: int) -> list[OrderView]:
        page = await self.c.orders.list_for_customer(customer_id, limit=max(1, min(limit, 100)))
        for order in page.orders:
            remember(("order", customer_id, order.number), order)
        return [self._order(o, lang) for o in page.orders]

    async def order(self, customer_id: str, number: str, lang: Lang) -> OrderView | None:
        number = number.strip()
        if not number or len(number) > 64:
            return None
        try:
            return self._order(await self._find_order(customer_id, number), lang)
        except (NotFound, ValidationFailed):
            return None

    async def order_by_id(self, order_id: str, lang: Lang) -> OrderView | None:
        try:
            return self._order(await self.c.orders.get(order_id), lang)
        except NotFound:
            return None

    async def cancel_order(self, customer_id: str, number: str, lang: Lang) -> OrderView:
        forget("order")
        order = await self.c.orders.cancel(
            number, actor=f"customer:{customer_id}", reason="customer request", customer_id=customer_id
        )
        return self._order(order, lang)

    async def change_address(self, customer_id: str, number: str, address: AddressView, lang: Lang) -> OrderView:
        forget("order")
        order = await self.c.orders.change_address(
            number, self.address_input(address), actor=f"customer:{customer_id}", customer_id=customer_id
        )
        return self._order(order, lang)

    async def tracking(self, customer_id: str, number: str, lang: Lang) -> TrackingView | None:
        try:
            order = await self._find_order(customer_id, number)
        except NotFound:
            return None
        events = [
            TrackingEvent(at=self.clock.format(entry.at, "short"), text=STATUS_LABELS[entry.to_status].get(lang))
            for entry in order.history
        ]
        return TrackingView(
            order_number=order.number,
            carrier=order.shipment.carrier,
            tracking_no=order.shipment.tracking_no,
            status=order.status.value,
            events=events,
        )

    # --- after-sales ---------------------------------------------------------------------------
    async def request_after_sale(
        self, customer_id: str, number: str, kind: str, reason: str, photos: list[str], lang: Lang
    ) -> AfterSaleView:
        forget("order")
        request = await self.c.aftersales.request(customer_id, number, kind, reason=reason, photos=photos)
        return _after_sale(request)

    async def after_sales(self, customer_id: str, lang: Lang) -> list[AfterSaleView]:
        return [_after_sale(r) for r in await self.c.aftersales.list_for_customer(customer_id)]

    async def notify_when_back(self, customer_id: str, product_id: str, skus: list[str], lang: Lang) -> bool:
        return await self.c.stock_notices.subscribe(customer_id, product_id, skus)

    async def add_after_sale_details(
        self, customer_id: str, request_id: str, note: str, photos: list[str], lang: Lang
    ) -> AfterSaleView:
        return _after_sale(await self.c.aftersales.add_details(request_id, customer_id, note=note, photos=photos))


def _after_sale(request: AfterSaleRequest) -> AfterSaleView:
    return AfterSaleView(
        request_id=request.id,
        order_number=request.order_number,
        kind=request.kind.value,
        status=request.status.value,
        reason=request.reason,
    )


class CommerceSandbox:
    """Shop-side actions for scripts and tests (implements `dialogs.ports.SandboxPort`)."""

    def __init__(self, commerce: Commerce, *, actor: str = "script") -> None:
        self.c = commerce
        self.actor = actor

    async def settle_latest_payment(self, customer_id: str, succeed: bool) -> PaymentView | None:
        intent = await self.c.payments.latest_for_customer(customer_id, status=PaymentStatus.PENDING)
        if intent is None:
            return None
        await self.c.payments.simulate(intent.id, succeed)
        settled = await self.c.payments.get(intent.id)
        return PaymentView(
            payment_id=settled.id,
            order_number=settled.order_number,
            url=settled.pay_url,
            amount=settled.amount,
            status=str(settled.status.value),
        )

    async def ship_latest(self, customer_id: str) -> OrderView | None:
        order = await self.c.orders.latest_for_customer(customer_id, OrderStatus.PAID)
        if order is None:
            return None
        tracking = "SF" + "".join(secrets.choice("0123456789") for _ in range(12))
        shipped = await self.c.orders.ship(order.number, carrier="SF Express", tracking_no=tracking, actor=self.actor)
        return CommerceShop(self.c)._order(shipped, "en")

    async def deliver_latest(self, customer_id: str) -> OrderView | None:
        order = await self.c.orders.latest_for_customer(customer_id, OrderStatus.SHIPPED)
        if order is None:
            return None
        delivered = await self.c.orders.deliver(order.number, actor=self.actor)
        return CommerceShop(self.c)._order(delivered, "en")
