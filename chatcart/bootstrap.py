"""The composition root: builds every adapter and service once and wires them together.

Everything else receives its collaborators as constructor arguments, typed by the class or the
Protocol it needs; only this module chooses the concrete classes and reads the settings for
them. A package may assemble its own internal parts (a channel its outbox and transport, the
admin its audit log), but anything that crosses a package boundary - the commerce services, the
dialog engine, a channel's view of the shop, a Redis client - is decided here.
`running_container` is used by `chatcart serve`, the CLI commands and the end-to-end tests
alike, so they all run the same wiring.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import SecretStr
from pymongo.monitoring import CommandListener

from chatcart.database import DatabaseHandle, open_database
from chatcart.payment_setup import build_providers, offered_providers
from chatcart.settings import Settings
from commerce.access import service as access_module
from commerce.access.service import AccessService
from commerce.aftersales.service import AfterSalesService
from commerce.carts.service import CartService
from commerce.catalog.service import CatalogService
from commerce.customers.pricing import TierPricing
from commerce.customers.service import CustomerService
from commerce.events import OrderCancelled
from commerce.inventory.notices import StockNotices
from commerce.inventory.service import InventoryService
from commerce.localized import LocalizedText
from commerce.orders.checkout import Checkout
from commerce.orders.events import EventBus
from commerce.orders.numbers import OrderNumbers
from commerce.orders.service import OrderService
from commerce.orders.stats import OrderStats
from commerce.orders.timeout import OrderTimeoutWorker
from commerce.payments.model import PaymentProvider
from commerce.payments.poller import PaymentStatusWorker
from commerce.payments.reconcile import DailyReconciliation, Reconciler
from commerce.payments.sandbox import SandboxProvider
from commerce.payments.service import PaymentService
from commerce.promotions.service import PromotionService
from commerce.services import Commerce, CommerceConfig, ensure_all_indexes
from commerce.shipping.model import ShippingMethod, default_methods
from commerce.shipping.service import ShippingService
from core.local_secrets import local_secret
from core.logging_setup import get_logger
from core.mongo import Database, ensure_indexes
from core.shop_time import ShopClock

# The conversation side (NLU models, jieba, the flows) and the channels (aiogram, wechatpy) are
# imported by the functions that build them: CLI commands that only touch the shop stay quick.
if TYPE_CHECKING:
    from admin_web.app import AdminOptions, AdminServices
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.config import TelegramConfig
    from bot.wechat.channel import WeChatChannel
    from bot.wechat.config import WeChatConfig
    from dialogs.engine import DialogConfig, DialogEngine
    from dialogs.outbound import Outbound
    from nlu.engine import NluEngine
    from nlu.retrain import ModelUpdater

log = get_logger("chatcart.bootstrap")


@dataclass
class Container:
    settings: Settings
    database: DatabaseHandle
    commerce: Commerce
    access: AccessService
    nlu: NluEngine | None = None  # built when asked for
    dialogs: DialogEngine | None = None  # built when asked for
    nlu_trainer: ModelUpdater | None = None  # background retraining of the builtin model (admin)

    @property
    def db(self) -> Database:
        return self.database.db

    def require_dialogs(self) -> DialogEngine:
        if self.dialogs is None:
            raise RuntimeError("this needs the dialog engine (running_container(with_dialogs=True))")
        return self.dialogs


# --- commerce ------------------------------------------------------------------------------------
def commerce_config(settings: Settings) -> CommerceConfig:
    secret = (
        settings.payment_sandbox_secret.get_secret_value()
        if settings.payment_sandbox_secret
        else local_secret(settings.data_dir, "payment_sandbox_secret")
    )
    return CommerceConfig(
        currency=settings.default_currency,
        unpaid_timeout_minutes=settings.unpaid_order_timeout_minutes,
        sandbox_secret=secret,
        base_url=settings.base_url,
        notify_tolerance_seconds=settings.payment_notify_tolerance_seconds,
        timezone=settings.shop_timezone,
        tier_percent=settings.pricing_tier_percent,
        shop_cities=tuple(settings.shop_cities),
        store_address=LocalizedText(settings.store_address_zh, settings.store_address_en),
        store_hours=LocalizedText(settings.store_hours_zh, settings.store_hours_en),
        shipping_methods=_shipping_methods(settings.shipping_methods_file),
        max_line_quantity=settings.cart_max_line_quantity,
        max_cart_lines=settings.cart_max_lines,
        aftersales_window_days=settings.aftersales_window_days,
        payment_providers=tuple(offered_providers(settings)),
        providers=build_providers(settings),
        payment_poll_seconds=settings.payment_status_poll_seconds,
        reconcile_after_hour=settings.payment_reconcile_hour,
    )


def _shipping_methods(path: Path | None) -> list[ShippingMethod] | None:
    if path is None:
        return None
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [ShippingMethod.from_config(entry) for entry in entries]


def build_commerce(db: Database, config: CommerceConfig) -> Commerce:
    """The commerce services over one database, wired together."""
    inventory = InventoryService(db)
    catalog = CatalogService(
        db, default_currency=config.currency, set_stock=inventory.set_levels, get_stock=inventory.get_levels
    )
    pricing = TierPricing(dict(config.tier_percent))
    customers = CustomerService(db, history_size=config.browsing_history_size)
    carts = CartService(
        db,
        catalog,
        inventory,
        pricing=pricing,
        currency=config.currency,
        max_line_quantity=config.max_line_quantity,
        max_lines=config.max_cart_lines,
    )
    shipping = ShippingService(
        config.shipping_methods or default_methods(tuple(config.shop_cities), config.store_address, config.store_hours),
        currency=config.currency,
    )
    promotions = PromotionService(db, currency=config.currency)
    events = EventBus(db)
    checkout = Checkout(
        db,
        catalog,
        inventory,
        shipping,
        promotions,
        events,
        OrderNumbers(db, timezone=config.timezone),
        pricing=pricing,
        currency=config.currency,
        unpaid_timeout=timedelta(minutes=config.unpaid_timeout_minutes),
        stats=OrderStats(db, timezone=config.timezone),
    )
    orders = OrderService(db, checkout, inventory, events)
    providers: dict[str, PaymentProvider] = dict(config.providers)
    if config.sandbox_secret and "sandbox" in config.payment_providers:
        providers["sandbox"] = SandboxProvider(
            config.sandbox_secret,
            config.base_url,
            tolerance_seconds=config.notify_tolerance_seconds,
            payment_ttl=timedelta(minutes=config.unpaid_timeout_minutes),
        )
    payments = PaymentService(db, orders, events, providers, offered=config.payment_providers)
    aftersales = AfterSalesService(db, orders, payments, inventory, events, window_days=config.aftersales_window_days)
    stock_notices = StockNotices(db, events)
    inventory.on_restock = stock_notices.back_in_stock  # 到货提醒: a SKU back in stock tells who asked
    customers.on_merge(carts.merge_customers)
    customers.on_merge(orders.repoint_customer)
    customers.on_merge(payments.repoint_customer)
    events.subscribe(payments.on_order_cancelled, [OrderCancelled])
    customers.on_merge(aftersales.repoint_customer)
    timeout_worker = OrderTimeoutWorker(
        orders,
        interval_seconds=config.timeout_worker_interval_seconds,
        lease_seconds=config.timeout_worker_lease_seconds,
    )
    reconciler = Reconciler(db, payments)
    return Commerce(
        config=config,
        catalog=catalog,
        inventory=inventory,
        customers=customers,
        carts=carts,
        shipping=shipping,
        promotions=promotions,
        orders=orders,
        aftersales=aftersales,
        payments=payments,
        events=events,
        timeout_worker=timeout_worker,
        payment_status_worker=PaymentStatusWorker(db, payments, interval_seconds=config.payment_poll_seconds),
        reconciler=reconciler,
        daily_reconciliation=DailyReconciliation(
            reconciler, timezone_name=config.timezone, after_hour=config.reconcile_after_hour
        ),
        stock_notices=stock_notices,
    )


# --- conversations ---------------------------------------------------------------------------------
def dialog_config(settings: Settings) -> DialogConfig:
    from dialogs.engine import DialogConfig

    return DialogConfig(
        nlu_threshold=settings.nlu_threshold,
        page_size=settings.dialog_page_size,
        failures_before_human=settings.dialog_failures_before_human,
    )


def build_nlu(settings: Settings) -> NluEngine:
    from nlu.factory import build_engine

    return build_engine(
        settings.nlu_engine,
        model_dir=settings.nlu_model_dir or settings.data_dir / "nlu",
        threshold=settings.nlu_threshold,
        rasa_url=settings.rasa_url,
        rasa_timeout=settings.rasa_timeout_seconds,
    )


def build_nlu_trainer(engine: NluEngine) -> ModelUpdater | None:
    """Background retraining with reviewed examples: the builtin engine only (Rasa: `make rasa`)."""
    from nlu.builtin import BuiltinNluEngine
    from nlu.retrain import ModelUpdater

    return ModelUpdater(engine) if isinstance(engine, BuiltinNluEngine) else None


def build_dialog_engine(
    *,
    commerce: Commerce,
    nlu: NluEngine,
    db: Database,
    outbound: Outbound | None = None,
    config: DialogConfig | None = None,
) -> DialogEngine:
    """A ready DialogEngine over the real shop services.

    Channels register their `OutboundSender` on `engine.outbound`; `engine.notifier` is
    subscribed to the commerce event bus (pushes payment/shipping/after-sales updates).
    """
    from dialogs import dialog_indexes
    from dialogs.engine import DialogConfig, DialogEngine, DialogServices
    from dialogs.faq import FaqService
    from dialogs.handoff import HandoffService
    from dialogs.notify import EVENT_TYPES, Notifier
    from dialogs.outbound import Outbound
    from dialogs.review import UnrecognisedMessages
    from dialogs.shop_adapter import CommerceShop
    from dialogs.state import ConversationStore
    from dialogs.transcript import Transcript

    transcript = Transcript(db)
    outbound = outbound or Outbound(transcript)
    if outbound.transcript is None:
        outbound.transcript = transcript
    store = ConversationStore(db)
    shop = CommerceShop(commerce)
    services = DialogServices(
        shop=shop,
        nlu=nlu,
        store=store,
        transcript=transcript,
        faq=FaqService(db),
        handoff=HandoffService(store, outbound),
        outbound=outbound,
        config=config or DialogConfig(),
        review=UnrecognisedMessages(db),
    )
    engine = DialogEngine(services, indexes=dialog_indexes(), db=db)
    notifier = Notifier(store, shop, outbound)
    engine.notifier = notifier
    commerce.events.subscribe(notifier.handle, EVENT_TYPES)
    return engine


# --- channels ----------------------------------------------------------------------------------------
def _secret_text(value: SecretStr | None) -> str | None:
    """A configured secret as text; None when unset or blank."""
    if value is None:
        return None
    text = value.get_secret_value().strip()
    return text or None


def telegram_config(settings: Settings) -> TelegramConfig | None:
    """The Telegram channel's configuration; None when no bot token is set (the channel stays off)."""
    from bot.telegram.config import TelegramConfig

    token = _secret_text(settings.telegram_token)
    if token is None:
        return None
    # Without a configured webhook secret, a stable locally generated one, so several processes
    # and restarts agree.
    webhook_secret = _secret_text(settings.telegram_webhook_secret) or local_secret(
        settings.data_dir, "telegram_webhook_secret"
    )
    return TelegramConfig(
        token=token,
        webhook_secret=webhook_secret,
        provider_token=_secret_text(settings.telegram_provider_token),
        api_base=settings.telegram_api_base or None,
        public_base_url=settings.public_base_url,
        media_root=settings.data_dir / "media",
        redis_url=settings.redis_url,
        global_rate_per_second=settings.telegram_global_rate_per_second,
        chat_rate_per_second=settings.telegram_chat_rate_per_second,
        group_rate_per_minute=settings.telegram_group_rate_per_minute,
        outbox_lease_seconds=settings.telegram_outbox_lease_seconds,
        outbox_concurrency=settings.telegram_outbox_concurrency,
        webhook_replies=settings.telegram_webhook_replies,
    )


def build_telegram_channel(container: Container, config: TelegramConfig) -> TelegramChannel:
    """The Telegram channel over the dialog engine, with Telegram Payments when configured."""
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.payments import CommerceTelegramPayments

    commerce = container.commerce
    payments = (
        CommerceTelegramPayments(orders=commerce.orders, payments=commerce.payments)
        if config.payments_enabled
        else None
    )
    redis = optional_redis(config.redis_url) if config.redis_url else None
    return TelegramChannel(config, container.db, container.require_dialogs(), payments=payments, redis=redis)


def wechat_config(settings: Settings) -> WeChatConfig | None:
    """The WeChat official account's configuration; None when it is not set up (no app id)."""
    from bot.wechat.config import TemplateIds, WeChatConfig

    if not settings.wechat_app_id:
        return None
    return WeChatConfig(
        app_id=settings.wechat_app_id,
        app_secret=_secret_text(settings.wechat_app_secret) or "",
        token=_secret_text(settings.wechat_token) or "",
        encoding_aes_key=_secret_text(settings.wechat_encoding_aes_key),
        api_base=settings.wechat_api_base,
        oauth_base=settings.wechat_oauth_base,
        reply_budget_seconds=settings.wechat_reply_budget_seconds,
        public_base_url=settings.base_url,
        templates=TemplateIds(
            order_paid=settings.wechat_template_order_paid or None,
            order_shipped=settings.wechat_template_shipped or None,
            order_delivered=settings.wechat_template_delivered or None,
            aftersales=settings.wechat_template_aftersales or None,
        ),
    )


def build_wechat_channel(container: Container, config: WeChatConfig) -> WeChatChannel:
    from bot.wechat.channel import build_channel

    return build_channel(
        config,
        db=container.db,
        dialogs=container.require_dialogs(),
        customers=container.commerce.customers,
        clock=ShopClock(container.commerce.config.timezone),
    )


def optional_redis(url: str) -> Any:
    """A Redis client for an optional service: everything using it has a fallback, so a call
    while Redis is down fails within half a second instead of retrying with back-off for
    seconds (which held every admin sign-in for ~6 s per call)."""
    import redis.asyncio as redis_asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return redis_asyncio.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0))


# --- admin ---------------------------------------------------------------------------------------------
def admin_options(settings: Settings) -> AdminOptions:
    from admin_web.app import AdminOptions

    configured = _secret_text(settings.admin_secret)
    return AdminOptions(
        csrf_secret=configured or local_secret(settings.data_dir, "admin_csrf_secret"),
        media_dir=settings.data_dir / "media",
        secure_cookies=settings.base_url.startswith("https://"),
        idle_minutes=settings.agent_idle_timeout_minutes,
        low_stock_threshold=settings.admin_low_stock_threshold,
    )


def admin_services(container: Container) -> AdminServices:
    from admin_web.app import AdminServices
    from admin_web.ratelimit import LoginLimiter, MongoLoginLimiter, RedisLoginLimiter

    limiter: LoginLimiter
    if container.settings.redis_url:
        limiter = RedisLoginLimiter(
            optional_redis(container.settings.redis_url), fallback=MongoLoginLimiter(container.db)
        )
    else:
        limiter = MongoLoginLimiter(container.db)
    return AdminServices(
        db=container.db,
        commerce=container.commerce,
        access=container.access,
        dialogs=container.dialogs,
        limiter=limiter,
        nlu_trainer=container.nlu_trainer,
    )


# --- the running process -----------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def running_container(
    settings: Settings,
    *,
    with_nlu: bool = True,
    with_dialogs: bool = True,
    listeners: list[CommandListener] | None = None,
) -> AsyncIterator[Container]:
    """Open the database (embedded or MONGODB_URI), create indexes, build the services."""
    config = commerce_config(settings)  # first: a wrong payment key stops the start before anything runs
    async with open_database(settings, listeners) as handle:
        await ensure_indexes(handle.db, access_module.INDEXES)
        await ensure_all_indexes(handle.db)
        commerce = build_commerce(handle.db, config)
        await commerce.customers.finish_interrupted_merges()
        container = Container(settings=settings, database=handle, commerce=commerce, access=AccessService(handle.db))
        if with_nlu or with_dialogs:
            nlu = container.nlu = build_nlu(settings)
            container.nlu_trainer = build_nlu_trainer(nlu)
            await refresh_nlu_vocabulary(container)
            if with_dialogs:
                container.dialogs = build_dialog_engine(
                    commerce=commerce, nlu=nlu, db=handle.db, config=dialog_config(settings)
                )
        yield container


def nlu_vocabulary(catalog_vocabulary: dict[str, Any]) -> dict[str, Any]:
    """Translate the catalog's vocabulary (records in both languages, synonym groups) into the
    flat name lists and surface->canonical synonym map the NLU engines take."""

    def names(records: list[Any]) -> list[str]:
        found: list[str] = []
        for record in records:
            values = [record.get("zh", ""), record.get("en", "")] if isinstance(record, dict) else [record]
            found.extend(v.strip() for v in values if isinstance(v, str) and v.strip())
        return sorted(set(found))

    synonyms: dict[str, str] = {}
    for group in catalog_vocabulary.get("synonyms") or []:
        members = [m for m in group if isinstance(m, str) and m.strip()]
        for member in members[1:]:
            synonyms.setdefault(member, members[0])
    return {
        "products": names(catalog_vocabulary.get("products", [])),
        "brands": names(catalog_vocabulary.get("brands", [])),
        "categories": names(catalog_vocabulary.get("categories", [])),
        "synonyms": synonyms,
    }


async def refresh_nlu_vocabulary(container: Container) -> None:
    """Feed product, brand and category names to the NLU engine's catalog-aware lookups."""
    if container.nlu is None:
        return
    container.nlu.update_vocabulary(**nlu_vocabulary(await container.commerce.catalog.vocabulary()))
