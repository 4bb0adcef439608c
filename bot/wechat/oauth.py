"""WeChat web authorisation (网页授权) for chatcart's pages opened inside WeChat.

`GET /wechat/oauth/start?next=/p/CODE[&scope=snsapi_userinfo]` sends the browser to WeChat's
authorize page; WeChat comes back to `/wechat/oauth/callback?code=..&state=..`, we exchange
the code for the openid (and unionid), bind them to the customer (CustomerService identity
linking merges accounts when needed), set a signed cookie and redirect to `next`.
Pages read the shopper with `WeChatSession.identity(request)`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlencode

from aiohttp import web
from pymongo import ASCENDING, IndexModel

from bot.wechat.api import WeChatApi, WeChatApiError
from bot.wechat.links import OAUTH_START_PATH
from bot.wechat.users import WeChatUsers
from commerce.customers.model import Customer, IdentityKind
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, utcnow

log = get_logger("bot.wechat.oauth")

STATES = "wechat_oauth_states"
CALLBACK_PATH = "/wechat/oauth/callback"
COOKIE = "chatcart_wx"
COOKIE_SECONDS = 7 * 24 * 3600
STATE_SECONDS = 600
SCOPES = ("snsapi_base", "snsapi_userinfo")

INDEXES = [CollectionIndexes(STATES, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])]


class CustomerLinker(Protocol):
    """The part of `commerce.customers.service.CustomerService` used here."""

    async def identify(
        self, kind: IdentityKind | str, value: str, *, language: str | None = None, name: str | None = None
    ) -> Customer: ...
    async def link(self, customer_id: str, kind: IdentityKind | str, value: str) -> Customer: ...


@dataclass(frozen=True)
class WeChatIdentity:
    openid: str
    customer_id: str


def safe_next(value: str | None) -> str:
    """Only local paths: an open redirect would let anyone borrow our OAuth for phishing."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 512:
        return "/"
    return value


class WeChatSession:
    """The signed cookie `openid|customer_id|expiry|mac` set after authorisation."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"chatcart-wechat-session|" + secret.encode()).digest()

    def _mac(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, identity: WeChatIdentity, now: float | None = None) -> str:
        payload = f"{identity.openid}|{identity.customer_id}|{int((now or time.time()) + COOKIE_SECONDS)}"
        return f"{payload}|{self._mac(payload)}"

    def decode(self, value: str, now: float | None = None) -> WeChatIdentity | None:
        parts = value.split("|")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        payload = "|".join(parts[:3])
        if not hmac.compare_digest(self._mac(payload), parts[3]) or int(parts[2]) < (now or time.time()):
            return None
        return WeChatIdentity(openid=parts[0], customer_id=parts[1])

    def identity(self, request: web.Request) -> WeChatIdentity | None:
        value = request.cookies.get(COOKIE)
        return self.decode(value) if value else None


class WeChatOAuth:
    def __init__(
        self,
        db: Database,
        *,
        api: WeChatApi,
        customers: CustomerLinker,
        users: WeChatUsers,
        session: WeChatSession,
        app_id: str,
        base_url: str,
        oauth_base: str = "https://open.weixin.qq.com",
    ) -> None:
        self._states = db[STATES]
        self.api = api
        self.customers = customers
        self.users = users
        self.session = session
        self.app_id = app_id
        self.base_url = base_url.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")

    def routes(self) -> list[web.RouteDef]:
        return [web.get(OAUTH_START_PATH, self.start), web.get(CALLBACK_PATH, self.callback)]

    def authorize_url(self, state: str, scope: str) -> str:
        query = urlencode(
            {
                "appid": self.app_id,
                "redirect_uri": self.base_url + CALLBACK_PATH,
                "response_type": "code",
                "scope": scope,
                "state": state,
            }
        )
        return f"{self.oauth_base}/connect/oauth2/authorize?{query}#wechat_redirect"

    async def start(self, request: web.Request) -> web.Response:
        target = safe_next(request.query.get("next"))
        if self.session.identity(request) is not None:
            raise web.HTTPFound(target)  # already known: no round trip through WeChat
        scope = request.query.get("scope", "snsapi_base")
        if scope not in SCOPES:
            raise web.HTTPBadRequest(text="unknown scope")
        # WeChat's `state` allows 128 bytes of [a-zA-Z0-9]: keep the target server-side.
        state = secrets.token_hex(16)
        await self._states.insert_one(
            {"_id": state, "next": target, "scope": scope, "expires_at": utcnow() + timedelta(seconds=STATE_SECONDS)}
        )
        raise web.HTTPFound(self.authorize_url(state, scope))

    async def callback(self, request: web.Request) -> web.Response:
        state, code = request.query.get("state", ""), request.query.get("code", "")
        if not state.isalnum() or len(state) > 128:
            raise web.HTTPBadRequest(text="bad state")
        saved = await self._states.find_one_and_delete({"_id": state})  # a state works once
        if saved is None or saved["expires_at"].timestamp() < time.time():
            raise web.HTTPBadRequest(text="authorisation expired, please open the page again")
        target = safe_next(saved.get("next"))
        if not code:  # the user refused snsapi_userinfo: continue without identity
            raise web.HTTPFound(target)
        try:
            identity = await self.bind(code)
        except WeChatApiError as exc:
            log.warning("wechat.oauth_failed", errcode=exc.errcode)
            raise web.HTTPFound(target) from None
        response = web.HTTPFound(target)
        response.set_cookie(
            COOKIE,
            self.session.encode(identity),
            max_age=COOKIE_SECONDS,
            httponly=True,
            secure=self.base_url.startswith("https://"),
            samesite="Lax",
            path="/",
        )
        raise response

    async def bind(self, code: str) -> WeChatIdentity:
        """Exchange the code and attach openid (and unionid) to the customer."""
        grant = await self.api.oauth_exchange(code)
        openid = str(grant["openid"])
        unionid = str(grant.get("unionid") or "") or None
        name: str | None = None
        language: str | None = None
        if grant.get("scope") == "snsapi_userinfo":
            info = await self.api.oauth_userinfo(str(grant["access_token"]), openid)
            name = str(info.get("nickname") or "")[:60] or None
            language = str(info.get("language") or "") or None
            unionid = str(info.get("unionid") or "") or unionid
        customer = await self.customers.identify(IdentityKind.WECHAT_OPENID, openid, language=language, name=name)
        if unionid:
            customer = await self.customers.link(customer.id, IdentityKind.WECHAT_UNIONID, unionid)
        await self.users.bind(openid, customer_id=customer.id, unionid=unionid)
        return WeChatIdentity(openid=openid, customer_id=customer.id)
