"""The aiohttp application factory: one app mounting the API, payment pages, chat and admin."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

import commerce
from chatcart.bootstrap import Container
from commerce.api.framework import AUTHENTICATOR, SERVICES, TRUSTED_ORIGINS, ApiRouter
from commerce.api.middleware import json_error_middleware, request_context_middleware
from commerce.api.openapi import openapi_route
from core.local_secrets import local_secret

CONTAINER: web.AppKey[Container] = web.AppKey("container", Container)


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


async def health(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    await container.db.command("ping")
    return web.json_response({"status": "ok"})


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
    app.router.add_routes([openapi_route(routers), web.get("/healthz", health)])

    media = Path(settings.data_dir) / "media"
    media.mkdir(parents=True, exist_ok=True)
    app.router.add_static("/media", media, show_index=False, follow_symlinks=False)

    _mount_optional(app, container)
    return app


def _mount_optional(app: web.Application, container: Container) -> None:
    """Pages owned by other packages: payment sandbox, web chat, admin (when present)."""
    from commerce.payments.provider_web import setup_provider_routes
    from commerce.payments.sandbox_web import setup_sandbox_routes

    setup_sandbox_routes(app, container.commerce.payments)
    setup_provider_routes(app, container.commerce.payments)
    if container.dialogs is not None:
        from admin_web import setup_admin
        from bot.telegram import setup_telegram
        from bot.webchat import setup_webchat
        from bot.wechat import setup_wechat

        otp_secret = container.settings.webchat_otp_secret
        setup_webchat(
            app,
            container,
            secret=otp_secret.get_secret_value()
            if otp_secret
            else local_secret(container.settings.data_dir, "webchat_otp_secret"),
        )
        setup_admin(app, container)
        setup_telegram(app, container)  # no-op unless CHATCART_TELEGRAM_TOKEN is set
        setup_wechat(app, container)  # product pages always; the account endpoint when configured
