"""Mounting the admin on chatcart's aiohttp application: `setup_admin(app, services, options)`.

The admin is a sub-application under /admin with its own middlewares (sign-in, CSRF, error
pages, security headers), Jinja2 templates, static files, the front-end libraries served
from node_modules (installed by `npm ci`, never a CDN), the live console hub and the idle
agent sweeper.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp_jinja2
import jinja2
from aiohttp import web

from admin_web import audit, queries, ratelimit
from admin_web.audit import AuditLog
from admin_web.console.hub import ConsoleHub
from admin_web.console.idle import IdleSweeper
from admin_web.context import ADMIN, AdminContext
from admin_web.csrf import CsrfSigner
from admin_web.media import MediaStore
from admin_web.queries import AdminQueries
from admin_web.ratelimit import LoginLimiter
from admin_web.readable import readable_fields
from admin_web.views import (
    aftersales,
    audit_log,
    auth,
    catalog,
    console,
    customers,
    dashboard,
    inventory,
    nlu_review,
    orders,
    payments,
)
from admin_web.web import PREFIX, auth_middleware, error_middleware, headers_middleware
from commerce.access.service import AccessService
from commerce.api.framework import CSRF_VERIFIER
from commerce.money import Money
from commerce.services import Commerce
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, ensure_indexes

if TYPE_CHECKING:
    from dialogs.engine import DialogEngine
    from dialogs.review import ModelTrainer

log = get_logger("admin_web")
PACKAGE_DIR = Path(__file__).parent
REPO_NODE_MODULES = PACKAGE_DIR.parent / "node_modules"
# The only files served from node_modules: url name -> path inside node_modules.
VENDOR_FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "echarts.min.js": "echarts/dist/echarts.min.js",
}

INDEXES: list[CollectionIndexes] = [*audit.INDEXES, *ratelimit.INDEXES, *queries.INDEXES]
ADMIN_APP: web.AppKey[web.Application] = web.AppKey("admin_app", web.Application)


@dataclass(frozen=True)
class AdminServices:
    """What the admin works on, built by the composition root."""

    db: Database
    commerce: Commerce
    access: AccessService
    dialogs: DialogEngine | None  # None: no console hand-back sweeps, console pages say so
    limiter: LoginLimiter
    nlu_trainer: ModelTrainer | None = None  # background retraining of the builtin NLU model


@dataclass(frozen=True)
class AdminOptions:
    """The admin's settings (`CHATCART_ADMIN_*`, `CHATCART_AGENT_IDLE_TIMEOUT_MINUTES`)."""

    csrf_secret: str
    media_dir: Path
    secure_cookies: bool
    idle_minutes: int = 10
    low_stock_threshold: int = 5


def vendor_handler(node_modules: Path) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def serve(request: web.Request) -> web.StreamResponse:
        relative = VENDOR_FILES.get(request.match_info["name"])
        path = node_modules / relative if relative else None
        if path is None or not path.is_file():
            raise web.HTTPNotFound(text="front-end libraries are missing: run `npm ci` (make assets)")
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    return serve


def build_admin_app(
    services: AdminServices,
    options: AdminOptions,
    *,
    node_modules: Path | None = None,
    idle_sweep_seconds: float = 30.0,
    hub: ConsoleHub | None = None,
) -> web.Application:
    admin = web.Application(middlewares=[headers_middleware, error_middleware, auth_middleware])
    commerce = services.commerce
    db = services.db
    dialogs = services.dialogs
    queries = AdminQueries(db, timezone=commerce.config.timezone, currency=commerce.config.currency)
    sweeper = (
        IdleSweeper(
            queries, dialogs, timeout=timedelta(minutes=options.idle_minutes), interval_seconds=idle_sweep_seconds
        )
        if dialogs is not None
        else None
    )
    context = AdminContext(
        commerce=commerce,
        dialogs=dialogs,
        access=services.access,
        audit=AuditLog(db),
        limiter=services.limiter,
        csrf=CsrfSigner(options.csrf_secret),
        media=MediaStore(options.media_dir),
        queries=queries,
        secure_cookies=options.secure_cookies,
        low_stock_threshold=options.low_stock_threshold,
        idle_minutes=options.idle_minutes,
        hub=hub or ConsoleHub(db, clock=queries.clock),
        idle_sweeper=sweeper,
        nlu_trainer=services.nlu_trainer,
    )
    admin[ADMIN] = context
    env = aiohttp_jinja2.setup(
        admin,
        loader=jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(["html"], default=True),
    )
    env.globals["prefix"] = PREFIX
    env.filters["when"] = queries.clock.format  # every time on a page: shop zone, one layout set
    env.filters["readable"] = readable_fields
    env.filters["money"] = lambda m: m.format() if m is not None else ""
    env.filters["money_doc"] = lambda d: Money.from_doc(d).format() if d else ""
    for module in (
        auth,
        dashboard,
        catalog,
        inventory,
        orders,
        aftersales,
        payments,
        customers,
        console,
        nlu_review,
        audit_log,
    ):
        admin.router.add_routes(module.routes(""))
    admin.router.add_static("/assets", PACKAGE_DIR / "static", show_index=False, follow_symlinks=False)
    admin.router.add_get("/vendor/{name}", vendor_handler(node_modules or REPO_NODE_MODULES))

    async def start(_: web.Application) -> None:
        await ensure_indexes(db, INDEXES)
        if context.hub is not None:
            await context.hub.start()
        if sweeper is not None and idle_sweep_seconds > 0:
            await sweeper.start()

    async def stop(_: web.Application) -> None:
        if sweeper is not None:
            await sweeper.stop()
        if context.hub is not None:
            await context.hub.stop()

    admin.on_startup.append(start)
    admin.on_cleanup.append(stop)
    return admin


def setup_admin(
    app: web.Application,
    services: AdminServices,
    options: AdminOptions,
    *,
    node_modules: Path | None = None,
    idle_sweep_seconds: float = 30.0,
) -> web.Application:
    """Mount the admin under /admin on `app` (chatcart.web.mount_admin calls this)."""
    admin = build_admin_app(services, options, node_modules=node_modules, idle_sweep_seconds=idle_sweep_seconds)

    async def to_dashboard(_: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{PREFIX}/")

    app.router.add_get(PREFIX, to_dashboard)
    app.add_subapp(PREFIX, admin)
    app[ADMIN_APP] = admin
    # The JSON API accepts the admin cookie too; unsafe requests then need this CSRF token.
    app[CSRF_VERIFIER] = admin[ADMIN].csrf
    return admin
