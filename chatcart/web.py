"""The aiohttp application factory: one app mounting the API, payment pages, chat and admin."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from pymongo.errors import PyMongoError

import commerce
from chatcart.bootstrap import (
    Container,
    admin_options,
    admin_services,
    build_telegram_channel,
    build_wechat_channel,
    telegram_config,
    wechat_config,
)
from commerce.api.framework import AUTHENTICATOR, SERVICES, TRUSTED_ORIGINS, ApiRouter
from commerce.api.middleware import json_error_middleware, request_context_middleware
from commerce.api.openapi import openapi_route
from core.local_secrets import local_secret
from core.logging_setup import get_logger
from core.outage import RETRY_AFTER_SECONDS

if TYPE_CHECKING:
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.config import TelegramConfig
    from bot.wechat.channel import WeChatChannel
    from bot.wechat.config import WeChatConfig

log = get_logger("chatcart.web")
CONTAINER: web.AppKey[Container] = web.AppKey("container", Container)
READY_TIMEOUT_SECONDS = 1.0


def discover_routers() -> list[ApiRouter]:
    """Every `commerce.<domain>.api` module contributes its `router` (or `routers`)."""
    routers: list[ApiRouter] = []
    for info in sorted(pkgutil.iter_modules(commerce.__path__), key=lambda i: i.name):
        if not info.ispkg:
            continue
        try:
            module = importlib.import_module(f"commerce.{info.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"commerce.{info.name}.api":
                continue
            raise
        found: Any = getattr(module, "routers", None) or [getattr(module, "router", None)]
        routers.extend(r for r in found if isinstance(r, ApiRouter))
    return routers


async def health(_: web.Request) -> web.Response:
    """Liveness: this process answers. It says nothing about the database, so an orchestrator
    does not restart healthy processes during a database outage."""
    return web.json_response({"status": "ok"})


async def ready(request: web.Request) -> web.Response:
    """Readiness: the database answers a ping within READY_TIMEOUT_SECONDS."""
    container = request.app[CONTAINER]
    try:
        await asyncio.wait_for(container.db.command("ping"), READY_TIMEOUT_SECONDS)
    except (TimeoutError, PyMongoError) as exc:
        response = web.json_response({"status": "not_ready", "database": type(exc).__name__}, status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return web.json_response({"status": "ready", "database": "ok"})


def build_app(container: Container) -> web.Application:
    settings = container.settings
    app = web.Application(
        middlewares=[request_context_middleware, json_error_middleware],
        client_max_size=settings.max_request_bytes,
    )
    app[CONTAINER] = container
    app[SERVICES] = container.commerce
    app[AUTHENTICATOR] = container.access
    if settings.public_base_url:
        base = urlsplit(settings.public_base_url)
        app[TRUSTED_ORIGINS] = frozenset({f"{base.scheme}://{base.netloc}".lower()})

    routers = discover_routers()
    for router in routers:
        router.register(app)
    app.router.add_routes([openapi_route(routers), web.get("/healthz", health), web.get("/readyz", ready)])

    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    app.router.add_static("/media", media, show_index=False, follow_symlinks=False)

    _mount_optional(app, container)
    return app


def _mount_optional(app: web.Application, container: Container) -> None:
    """Pages owned by other packages: the payment pages (sandbox, provider notifications) and,
    with the dialog engine, product pages, the web chat, the admin and the Telegram / WeChat
    channels (when configured)."""
    from commerce.payments.provider_web import setup_provider_routes
    from commerce.payments.sandbox_web import setup_sandbox_routes

    setup_sandbox_routes(app, container.commerce.payments)
    setup_provider_routes(app, container.commerce.payments)
    dialogs = container.dialogs
    if dialogs is None:
        return
    from bot.webchat import setup_webchat

    otp_secret = container.settings.webchat_otp_secret
    setup_webchat(
        app,
        dialogs,
        db=container.db,
        media_dir=container.settings.data_dir / "media",
        secret=otp_secret.get_secret_value()
        if otp_secret
        else local_secret(container.settings.data_dir, "webchat_otp_secret"),
    )
    mount_admin(app, container)
    mount_telegram(app, container)  # no-op unless CHATCART_TELEGRAM_TOKEN is set
    mount_wechat(app, container)  # product pages always; the account endpoint when configured


def mount_admin(app: web.Application, container: Container, *, idle_sweep_seconds: float = 30.0) -> web.Application:
    """The admin under /admin, over the container's services and the admin settings."""
    from admin_web import setup_admin

    return setup_admin(
        app,
        admin_services(container),
        admin_options(container.settings),
        idle_sweep_seconds=idle_sweep_seconds,
    )


def mount_telegram(
    app: web.Application, container: Container, config: TelegramConfig | None = None
) -> TelegramChannel | None:
    """The Telegram webhook, sender and outbox worker; None when no bot token is configured."""
    from bot.telegram import setup_telegram

    config = config or telegram_config(container.settings)
    if config is None:
        log.info("telegram.disabled", reason="no token")
        return None
    channel = build_telegram_channel(container, config)
    setup_telegram(app, channel, container.require_dialogs().outbound)
    return channel


def mount_wechat(
    app: web.Application, container: Container, config: WeChatConfig | None = None
) -> WeChatChannel | None:
    """Product pages (`/p/{code}`), and when WeChat is configured the account endpoint, OAuth,
    sender and template notices; None when it is not."""
    from bot.wechat.channel import mount_product_page, setup_wechat
    from bot.wechat.links import Links

    config = config or wechat_config(container.settings)
    base_url = config.base_url if config else container.settings.base_url
    links = Links(base_url, oauth=bool(config and config.oauth_product_links))
    mount_product_page(app, container.commerce.catalog, links)
    if config is None:
        log.info("wechat.not_configured")
        return None
    channel = build_wechat_channel(container, config)
    setup_wechat(app, channel, outbound=container.require_dialogs().outbound, events=container.commerce.events)
    return channel
