"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from admin_web.context import admin_of, current, translator
from admin_web.csrf import CSRF_FIELD, LOGIN_NONCE_COOKIE
from admin_web.i18n import LANG_COOKIE, LANGS
from admin_web.ratelimit import limiter_key
from admin_web.views.common import audit
from admin_web.web import PREFIX, client_ip, form_data, render, safe_next
from commerce.access.service import ADMIN_SESSION_COOKIE
from commerce.errors import Unauthorized, ValidationFailed
from core.logging_setup import get_logger

log = get_logger("admin_web.auth")
YEAR = 365 * 24 * 3600


class LoginForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    next: str = Field(default="", max_length=500)


def _login_page(request: web.Request, *, error: str = "", status: int = 200, username: str = "") -> web.Response:
    admin = admin_of(request)
    nonce = request.cookies.get(LOGIN_NONCE_COOKIE) or admin.csrf.new_login_nonce()
    response = render(
        request,
        "login.html",
        {
            "login_token": admin.csrf.login_token(nonce),
            "error": error,
            "username": username,
            "next": safe_next(request.query.get("next")),
            "csrf_field": CSRF_FIELD,
        },
        status=status,
    )
    response.set_cookie(
        LOGIN_NONCE_COOKIE,
        nonce,
        httponly=True,
        samesite="Strict",
        secure=admin.secure_cookies,
        path=f"{PREFIX}/login",
        max_age=3600,
    )
    return response


async def login_page(request: web.Request) -> web.StreamResponse:
    return _login_page(request)


async def login(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    t = translator(request)
    form = await request.post()
    if not admin.csrf.check_login_token(request.cookies.get(LOGIN_NONCE_COOKIE), str(form.get(CSRF_FIELD) or "")):
        return _login_page(request, error=t("login.expired"), status=403)
    try:
        data = LoginForm.model_validate(await form_data(request))
    except ValueError:
        return _login_page(request, error=t("login.failed"), status=422)
    key = limiter_key(data.username, client_ip(request))
    if await admin.limiter.blocked(key):
        log.warning("admin_login_throttled")
        return _login_page(request, error=t("login.throttled"), status=429, username=data.username)
    try:
        user = await admin.access.verify_password(data.username, data.password)
    except (Unauthorized, ValidationFailed):
        await admin.limiter.failed(key)
        log.info("admin_login_failed")
        return _login_page(request, error=t("login.failed"), status=401, username=data.username)
    await admin.limiter.succeeded(key)
    issued = await admin.access.create_admin_session(user.id)
    await admin.audit.record(
        actor_id=user.id,
        actor=user.username,
        action="auth.sign_in",
        target_type="staff",
        target_id=user.id,
        ip=client_ip(request),
    )
    response = web.HTTPSeeOther(safe_next(data.next))
    response.set_cookie(
        ADMIN_SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="Lax",
        secure=admin.secure_cookies,
        path="/",
        max_age=int(admin.access.admin_session_ttl.total_seconds()),
    )
    response.del_cookie(LOGIN_NONCE_COOKIE, path=f"{PREFIX}/login")
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    staff = current(request)
    await admin_of(request).access.revoke(staff.session_token)
    await audit(request, "auth.sign_out", "staff", staff.id)
    response = web.HTTPSeeOther(f"{PREFIX}/login")
    response.del_cookie(ADMIN_SESSION_COOKIE, path="/")
    raise response


async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.query.get("lang", "")
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    if lang in LANGS:
        response.set_cookie(
            LANG_COOKIE, lang, samesite="Lax", secure=admin_of(request).secure_cookies, path=PREFIX, max_age=YEAR
        )
    raise response


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/login", login_page),
        web.post(f"{prefix}/login", login),
        web.post(f"{prefix}/logout", logout),
        web.get(f"{prefix}/lang", switch_language),
    ]
