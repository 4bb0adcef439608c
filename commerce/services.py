"""The commerce services as one typed aggregate (`Commerce`), their configuration and indexes.

The composition root (`chatcart.bootstrap.build_commerce`) fills `CommerceConfig` from the
settings and builds the services, calls `ensure_all_indexes` at start-up, and runs
`Commerce.background_jobs()` in the server process.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from commerce.aftersales import service as aftersales_module
from commerce.aftersales.service import AfterSalesService
from commerce.carts import service as carts_module
from commerce.carts.service import CartService
from commerce.catalog import repository as catalog_repository
from commerce.catalog.service import CatalogService
from commerce.customers import service as customers_module
from commerce.customers.pricing import DEFAULT_TIER_PERCENT
from commerce.customers.service import CustomerService
from commerce.inventory import notices as notices_module
from commerce.inventory import service as inventory_module
from commerce.inventory.notices import StockNotices
from commerce.inventory.service import InventoryService
from commerce.localized import LocalizedText
from commerce.orders import events as events_module
from commerce.orders import service as orders_module
from commerce.orders.events import EventBus
from commerce.orders.service import OrderService
from commerce.orders.timeout import OrderTimeoutWorker
from commerce.payments import alerts as alerts_module
from commerce.payments import reconcile as reconcile_module
from commerce.payments import refunds as refunds_module
from commerce.payments import service as payments_module
from commerce.payments.model import PaymentProvider
from commerce.payments.poller import PaymentStatusWorker
from commerce.payments.reconcile import DailyReconciliation, Reconciler
from commerce.payments.service import PaymentService
from commerce.promotions import service as promotions_module
from commerce.promotions.service import PromotionService
from commerce.shipping.model import DEFAULT_STORE_ADDRESS, DEFAULT_STORE_HOURS, ShippingMethod
from commerce.shipping.service import ShippingService
from core.mongo import CollectionIndexes, Database, ensure_indexes


@dataclass(frozen=True)
class CommerceConfig:
    currency: str = "CNY"
    unpaid_timeout_minutes: int = 30
    sandbox_secret: str | None = None  # None disables the sandbox payment provider
    base_url: str = "http://127.0.0.1:8080"
    notify_tolerance_seconds: int = 300
    timezone: str = "Asia/Shanghai"  # order numbers and the per-day order figures count days in the shop's time zone
    tier_percent: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TIER_PERCENT))
    shop_cities: Sequence[str] = ("上海",)  # where same-city delivery is offered
    store_address: LocalizedText = DEFAULT_STORE_ADDRESS  # where "pick up in store" customers go
    store_hours: LocalizedText = DEFAULT_STORE_HOURS
    shipping_methods: Sequence[ShippingMethod] | None = None  # None: express / same_city / pickup defaults
    max_line_quantity: int = 99
    max_cart_lines: int = 50
    browsing_history_size: int = 20
    aftersales_window_days: int = 7  # returns/exchanges within this many days of delivery
    timeout_worker_interval_seconds: float = 15.0
    timeout_worker_lease_seconds: int = 60
    reconcile_after_hour: int = 10  # yesterday's statements are reconciled after this shop-time hour
    # Providers offered to customers, in order; "sandbox" is built here from `sandbox_secret`,
    # the real ones are built by the composition root (keys from files) and passed in.
    payment_providers: Sequence[str] = ("sandbox",)
    providers: Mapping[str, PaymentProvider] = field(default_factory=dict)
    payment_poll_seconds: float = 60.0


@dataclass
class Commerce:
    config: CommerceConfig
    catalog: CatalogService
    inventory: InventoryService
    customers: CustomerService
    carts: CartService
    shipping: ShippingService
    promotions: PromotionService
    orders: OrderService
    aftersales: AfterSalesService
    payments: PaymentService
    events: EventBus
    timeout_worker: OrderTimeoutWorker
    payment_status_worker: PaymentStatusWorker
    reconciler: Reconciler
    daily_reconciliation: DailyReconciliation
    stock_notices: StockNotices

    def background_jobs(self) -> list[Coroutine[Any, Any, None]]:
        """Long-running loops for the server process: unpaid-order timeouts, event dispatch,
        payment status queries, the daily reconciliation."""
        return [
            self.timeout_worker.run_forever(),
            self.events.run_forever(),
            *self.payment_jobs(),
        ]

    def payment_jobs(self) -> list[Coroutine[Any, Any, None]]:
        """Status queries for payments nobody notified about (and refunds on their way) and the
        daily reconciliation; only when a provider that can be queried is configured."""
        if not self.reconciler.providers():
            return []
        return [self.payment_status_worker.run_forever(), self.daily_reconciliation.run_forever()]


INDEXES: list[CollectionIndexes] = [
    *inventory_module.INDEXES,
    *notices_module.INDEXES,
    *customers_module.INDEXES,
    *carts_module.INDEXES,
    *promotions_module.INDEXES,
    *orders_module.INDEXES,
    *events_module.INDEXES,
    *payments_module.INDEXES,
    *alerts_module.INDEXES,
    *refunds_module.INDEXES,
    *reconcile_module.INDEXES,
    *aftersales_module.INDEXES,
]


async def ensure_all_indexes(db: Database) -> None:
    """Every commerce collection's indexes (the catalog's included), idempotently."""
    await ensure_indexes(db, [*catalog_repository.INDEXES, *INDEXES])
