"""Mounting the admin on chatcart's aiohttp application: `setup_admin(app, container)`.

The admin is a sub-application under /admin with its own middlewares (sign-in, CSRF, error
pages, security headers), Jinja2 templates, static files, the front-end libraries served
from node_modules (installed by `npm ci`, never a CDN), the live console hub and the idle
agent sweeper.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

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
from admin_web.ratelimit import LoginLimiter, MongoLoginLimiter, RedisLoginLimiter
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
)
from admin_web.web import PREFIX, auth_middleware, error_middleware, headers_middleware
from commerce.money import Money
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, ensure_indexes

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


def _limiter(container: Any) -> LoginLimiter:
    redis_url = getattr(container.settings, "redis_url", None)
    if redis_url:
        import redis.asyncio as redis_asyncio

        return RedisLoginLimiter(redis_asyncio.from_url(redis_url))
    return MongoLoginLimiter(container.db)


def _csrf_secret(container: Any) -> str:
    from core.local_secrets import local_secret

    settings = container.settings
    configured = getattr(settings, "admin_secret", None)
    if configured is not None:
        return str(configured.get_secret_value())
    return local_secret(Path(settings.data_dir), "admin_csrf_secret")


def vendor_handler(node_modules: Path) -> Any:
    async def serve(request: web.Request) -> web.StreamResponse:
        relative = VENDOR_FILES.get(request.match_info["name"])
        path = node_modules / relative if relative else None
        if path is None or not path.is_file():
            raise web.HTTPNotFound(text="front-end libraries are missing: run `npm ci` (make assets)")
        return web.FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})

    return serve


def build_admin_app(
    container: Any, *, node_modules: Path | None = None, idle_sweep_seconds: float = 30.0, hub: ConsoleHub | None = None
) -> web.Application:
    settings = container.settings
    admin = web.Application(middlewares=[headers_middleware, error_middleware, auth_middleware])
    commerce = container.commerce
    context = AdminContext(
        container=container,
        access=container.access,
        audit=AuditLog(container.db),
        limiter=_limiter(container),
        csrf=CsrfSigner(_csrf_secret(container)),
        media=MediaStore(Path(settings.data_dir) / "media"),
        queries=AdminQueries(container.db, timezone=commerce.config.timezone, currency=commerce.config.currency),
        secure_cookies=settings.base_url.startswith("https://"),
    )
    admin[ADMIN] = context
    env = aiohttp_jinja2.setup(
        admin,
        loader=jinja2.FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=jinja2.select_autoescape(["html"], default=True),
    )
    env.globals["prefix"] = PREFIX
    env.filters["money"] = lambda m: m.format() if m is not None else ""
    env.filters["money_doc"] = lambda d: Money.from_doc(d).format() if d else ""
    for module in (auth, dashboard, catalog, inventory, orders, aftersales, customers, console, nlu_review, audit_log):
        admin.router.add_routes(module.routes(""))
    admin.router.add_static("/assets", PACKAGE_DIR / "static", show_index=False, follow_symlinks=False)
    admin.router.add_get("/vendor/{name}", vendor_handler(node_modules or REPO_NODE_MODULES))

    context.hub = hub or ConsoleHub(container.db)
    dialogs = container.dialogs
    idle_minutes = int(getattr(settings, "agent_idle_timeout_minutes", 10))
    context.extras["idle_minutes"] = idle_minutes
    sweeper = (
        IdleSweeper(
            context.queries, dialogs, timeout=timedelta(minutes=idle_minutes), interval_seconds=idle_sweep_seconds
        )
        if dialogs is not None
        else None
    )
    context.extras["idle_sweeper"] = sweeper

    async def start(_: web.Application) -> None:
        await ensure_indexes(container.db, INDEXES)
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
    app: web.Application, container: Any, *, node_modules: Path | None = None, idle_sweep_seconds: float = 30.0
) -> web.Application:
    """Mount the admin under /admin on `app` (chatcart.web.build_app calls this)."""
    admin = build_admin_app(container, node_modules=node_modules, idle_sweep_seconds=idle_sweep_seconds)

    async def to_dashboard(_: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{PREFIX}/")

    app.router.add_get(PREFIX, to_dashboard)
    app.add_subapp(PREFIX, admin)
    app[ADMIN_APP] = admin
    return admin
