"""The composition root: builds every adapter and service once and wires them together.

Everything else receives its collaborators as constructor arguments; only this module knows
the concrete classes. `running_container` is used by `chatcart serve`, the CLI commands and
the end-to-end tests alike, so they all run the same wiring.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pymongo.monitoring import CommandListener

from chatcart.database import DatabaseHandle, open_database
from chatcart.settings import Settings
from commerce.access import service as access_module
from commerce.access.service import AccessService
from commerce.services import Commerce, CommerceConfig, build_commerce, ensure_all_indexes
from commerce.shipping.model import ShippingMethod
from core.local_secrets import local_secret
from core.logging_setup import get_logger
from core.mongo import Database, ensure_indexes

log = get_logger("chatcart.bootstrap")


@dataclass
class Container:
    settings: Settings
    database: DatabaseHandle
    commerce: Commerce
    access: AccessService
    nlu: Any = None  # nlu.engine.NluEngine, built when asked for
    dialogs: Any = None  # dialogs.engine.DialogEngine, built when asked for
    nlu_trainer: Any = None  # nlu.retrain.ModelUpdater for the builtin engine (admin retraining)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        return self.database.db


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
        shipping_methods=_shipping_methods(settings.shipping_methods_file),
        max_line_quantity=settings.cart_max_line_quantity,
        max_cart_lines=settings.cart_max_lines,
        aftersales_window_days=settings.aftersales_window_days,
    )


def _shipping_methods(path: Path | None) -> list[ShippingMethod] | None:
    if path is None:
        return None
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [ShippingMethod.from_config(entry) for entry in entries]


def dialog_config(settings: Settings) -> Any:
    from dialogs.engine import DialogConfig

    return DialogConfig(
        nlu_threshold=settings.nlu_threshold,
        page_size=settings.dialog_page_size,
        failures_before_human=settings.dialog_failures_before_human,
    )


def build_nlu(settings: Settings) -> Any:
    from nlu.factory import build_engine

    return build_engine(
        settings.nlu_engine,
        model_dir=settings.nlu_model_dir or settings.data_dir / "nlu",
        threshold=settings.nlu_threshold,
        rasa_url=settings.rasa_url,
        rasa_timeout=settings.rasa_timeout_seconds,
    )


def build_nlu_trainer(engine: Any) -> Any:
    """Background retraining with reviewed examples: the builtin engine only (Rasa: `make rasa`)."""
    from nlu.builtin import BuiltinNluEngine
    from nlu.retrain import ModelUpdater

    return ModelUpdater(engine) if isinstance(engine, BuiltinNluEngine) else None


@contextlib.asynccontextmanager
async def running_container(
    settings: Settings,
    *,
    with_nlu: bool = True,
    with_dialogs: bool = True,
    listeners: list[CommandListener] | None = None,
) -> AsyncIterator[Container]:
    """Open the database (embedded or MONGODB_URI), create indexes, build the services."""
    async with open_database(settings, listeners) as handle:
        await ensure_indexes(handle.db, access_module.INDEXES)
        await ensure_all_indexes(handle.db)
        commerce = build_commerce(handle.db, commerce_config(settings))
        await commerce.customers.finish_interrupted_merges()
        container = Container(settings=settings, database=handle, commerce=commerce, access=AccessService(handle.db))
        if with_nlu or with_dialogs:
            container.nlu = build_nlu(settings)
            container.nlu_trainer = build_nlu_trainer(container.nlu)
            await refresh_nlu_vocabulary(container)
        if with_dialogs:
            from dialogs import build_dialog_engine

            container.dialogs = build_dialog_engine(
                commerce=commerce, nlu=container.nlu, db=handle.db, config=dialog_config(settings)
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
