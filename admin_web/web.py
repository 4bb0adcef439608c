"""Request plumbing of the admin: language, sign-in check, CSRF, role checks, error pages,
security headers and the template renderer.

Middlewares run on the /admin sub-application only, so the JSON API keeps its own behaviour.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from pydantic import BaseModel, ValidationError

from admin_web import permissions
from admin_web.context import CURRENT, LANG, CurrentStaff, admin_of, current, lang_of
from admin_web.csrf import CSRF_FIELD, CSRF_HEADER
from admin_web.i18n import LANG_COOKIE, Translator, pick_language
from commerce.access.service import ADMIN_SESSION_COOKIE
from commerce.api.principal import Role
from commerce.errors import DomainError, Forbidden, Unauthorized, ValidationFailed
from core.logging_setup import get_logger
from core.outage import is_database_outage
from core.security_headers import PAGE_CSP, add_page_headers

log = get_logger("admin_web")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ModelT = TypeVar("ModelT", bound=BaseModel)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PREFIX = "/admin"
PUBLIC_PATHS = (f"{PREFIX}/login", f"{PREFIX}/lang")
PUBLIC_PREFIXES = (f"{PREFIX}/assets/", f"{PREFIX}/vendor/")

CSP = PAGE_CSP

NAV: list[tuple[str, str, frozenset[Role]]] = [
    ("dashboard", f"{PREFIX}/", permissions.ANY_STAFF),
    ("console", f"{PREFIX}/console", permissions.CONSOLE),
    ("products", f"{PREFIX}/products", permissions.CATALOG_READ),
    ("categories", f"{PREFIX}/categories", permissions.CATALOG_READ),
    ("inventory", f"{PREFIX}/inventory", permissions.INVENTORY_READ),
    ("orders", f"{PREFIX}/orders", permissions.ORDERS_READ),
    ("aftersales", f"{PREFIX}/aftersales", permissions.AFTERSALES_READ),
    ("payments", f"{PREFIX}/payments", permissions.ORDERS_READ),
    ("customers", f"{PREFIX}/customers", permissions.CUSTOMERS_READ),
    ("nlu_review", f"{PREFIX}/nlu-review", permissions.NLU_REVIEW),
    ("audit", f"{PREFIX}/audit", permissions.AUDIT_READ),
    ("staff", f"{PREFIX}/staff", permissions.STAFF_ADMIN),
]


def is_htmx(request: web.Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def client_ip(request: web.Request) -> str:
    return request.remote or "unknown"


def safe_next(value: str | None) -> str:
    """Only same-site admin paths are accepted as the place to go after signing in."""
    if value and value.startswith(f"{PREFIX}/") and not value.startswith("//") and "\\" not in value:
        return value
    return f"{PREFIX}/"


def login_redirect(request: web.Request) -> web.StreamResponse:
    target = f"{PREFIX}/login?next={quote(request.path_qs, safe='')}" if request.method == "GET" else f"{PREFIX}/login"
    if is_htmx(request):
        return web.Response(status=401, headers={"HX-Redirect": target})
    raise web.HTTPSeeOther(target)


# --- middlewares ----------------------------------------------------------------------------
@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[LANG] = pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("Accept-Language"))
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _secure_headers(request, exc)
        raise
    if not response.prepared:
        _secure_headers(request, response)
    return response


def _secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    add_page_headers(response.headers, csp=CSP)
    if not is_public(request.path):
        response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become friendly pages (or an htmx flash fragment); never a stack trace."""
    try:
        return await handler(request)
    except Unauthorized:
        return login_redirect(request)
    except DomainError as exc:
        # Errors staff are expected to meet have a text in the catalogs (by their code).
        message = Translator(lang_of(request)).opt(f"errors.code.{exc.code}", exc.message)
        return render_error(request, exc.http_status, message, exc.details)
    except web.HTTPException:
        raise
    except Exception as exc:
        if is_database_outage(exc):
            raise  # the application's middleware answers 503 with Retry-After
        log.exception("admin_unhandled_error", path=request.path, method=request.method)
        return render_error(request, 500, Translator(lang_of(request))("errors.internal"), {})


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if is_public(request.path):
        return await handler(request)
    staff = await resolve_staff(request)
    if staff is None:
        return login_redirect(request)
    request[CURRENT] = staff
    if request.method not in SAFE_METHODS:
        await check_csrf(request, staff)
    return await handler(request)


async def resolve_staff(request: web.Request) -> CurrentStaff | None:
    token = request.cookies.get(ADMIN_SESSION_COOKIE)
    if not token:
        return None
    access = admin_of(request).access
    try:
        principal = await access.resolve(token)
        if principal.kind != "staff" or principal.staff_id is None:
            return None
        user = await access.get_staff(principal.staff_id)
    except DomainError:
        return None
    return CurrentStaff(principal=principal, user=user, session_token=token)


async def check_csrf(request: web.Request, staff: CurrentStaff) -> None:
    signer = admin_of(request).csrf
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.content_type == "application/x-www-form-urlencoded":
        token = str((await request.post()).get(CSRF_FIELD) or "")
    if token is None and request.content_type.startswith("multipart/"):
        if getattr(request.match_info.handler, "checks_csrf_itself", False):
            return  # streamed uploads check the `_csrf` part themselves (see forms.read_multipart)
        token = ""
    if not signer.check_session_token(staff.session_token, token):
        raise Forbidden(
            "the form expired or did not come from this site; reload the page and try again", code="csrf_failed"
        )


def requires(roles: frozenset[Role]) -> Callable[[Handler], Handler]:
    """Every admin handler declares who may use it; owners pass every check."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            current(request).principal.require_roles(roles)
            return await handler(request)

        checked.required_roles = roles  # type: ignore[attr-defined]
        return checked

    return decorate


def multipart_upload(handler: Handler) -> Handler:
    """Marks a handler that streams a multipart body and checks its `_csrf` part itself."""
    handler.checks_csrf_itself = True  # type: ignore[attr-defined]
    return handler


def can(request: web.Request, roles: frozenset[Role]) -> bool:
    staff = request.get(CURRENT)
    return staff is not None and permissions.allowed(staff.roles, roles)


# --- rendering --------------------------------------------------------------------------------
def base_context(request: web.Request) -> dict[str, Any]:
    lang = lang_of(request)
    staff = request.get(CURRENT)
    admin = admin_of(request)
    context: dict[str, Any] = {
        "t": Translator(lang),
        "lang": lang,
        "me": staff,
        "path": request.path,
        "request": request,
        "flash": request.query.get("flash", ""),
        "perms": permissions,
        "can": lambda roles: can(request, roles),
        "csrf_token": admin.csrf.session_token(staff.session_token) if staff else "",
        "nav": [(key, url) for key, url, roles in NAV if staff is not None and permissions.allowed(staff.roles, roles)],
    }
    return context


def render(
    request: web.Request, template: str, context: Mapping[str, Any] | None = None, *, status: int = 200
) -> web.Response:
    merged = {**base_context(request), **(context or {})}
    response = aiohttp_jinja2.render_template(template, request, merged, status=status)
    response.content_type = "text/html"
    response.charset = "utf-8"
    return response


def render_error(request: web.Request, status: int, message: str, details: Mapping[str, Any]) -> web.Response:
    template = "_error_fragment.html" if is_htmx(request) else "error.html"
    try:
        response = render(
            request, template, {"status": status, "message": message, "details": dict(details)}, status=status
        )
    except Exception:  # an error page must never fail in turn
        log.exception("admin_error_page_failed", path=request.path)
        return web.Response(status=status, text=message, content_type="text/plain")
    if is_htmx(request):
        # Show the problem in the page's flash area instead of replacing the target.
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def redirect(location: str, request: web.Request | None = None) -> web.StreamResponse:
    """After a successful POST: a normal 303, or HX-Redirect for htmx requests."""
    if request is not None and is_htmx(request):
        return web.Response(status=204, headers={"HX-Redirect": location})
    raise web.HTTPSeeOther(location)


# --- forms ------------------------------------------------------------------------------------
async def form_data(request: web.Request) -> dict[str, Any]:
    """A urlencoded form as a dict; repeated names become lists. The CSRF field is dropped."""
    form = await request.post()
    data: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        values = [v for v in form.getall(key) if isinstance(v, str)]
        data[key] = values if len(values) > 1 else (values[0] if values else "")
    return data


def parse_form(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        problems = [
            {
                "field": ".".join(str(p) for p in error["loc"]),
                "message": str(error["msg"]).removeprefix("Value error, "),
            }
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed("some fields are not valid", details={"errors": problems}) from None


def json_attr(value: Any) -> str:
    """JSON for a data-* attribute (charts read their data from the page, no inline script)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
