"""A WeChat server simulator for tests, benchmarks and trying the official-account channel without
an account (aiohttp on a loopback port; `python -m simulators wechat` chats with it from a terminal).

Both directions of the official-account protocol:
- as WeChat calling the developer's server: builds message XML, signs it (`signature`,
  and in safe mode AES-encrypts it with `msg_signature`) exactly as WeChat does, POSTs it to
  the endpoint, waits at most `reply_timeout` (5 s by default) and retries up to 3 times,
  then checks and decrypts the passive reply;
- as the WeChat API: access token (`/cgi-bin/token`), custom send, menu, template messages,
  web OAuth (authorize + `/sns/oauth2/access_token` + `/sns/userinfo`) and media upload, with
  the real answer shapes and errcodes (40001 invalid credential, 42001 expired token, 45015
  outside the 48-hour window, 45008 too many articles, 40029 invalid code, 40037 template id).

The AES implementation here is written from the protocol description with `cryptography`,
independently of wechatpy, so the tests cross-check chatcart's crypto.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import os
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse
from xml.etree import ElementTree

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from simulators.gateway_common import serve_on_loopback

# --- WeChat's message crypto, from the protocol description ------------------------------------


def wechat_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol


class SimCrypto:
    """AES-256-CBC, IV = key[:16], PKCS#7 to 32-byte blocks; plaintext = random(16) + len(4, big
    endian) + message + AppId; base64 of the result is the `Encrypt` field."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.app_id = app_id

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        body = message.encode()
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> tuple[str, str]:
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= 32:
            raise ValueError("bad padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        return content[4 : 4 + length].decode(), content[4 + length :].decode()


def to_xml(fields: dict[str, Any]) -> str:
    parts = []
    for name, value in fields.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"<{name}>{value}</{name}>")
        else:
            parts.append(f"<{name}><![CDATA[{value}]]></{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def xml_fields(text: str) -> dict[str, Any]:
    root = ElementTree.fromstring(text)  # noqa: S314 - our own server's replies, in tests
    result: dict[str, Any] = {}
    for child in root:
        if len(child):
            if child.tag == "Articles":
                result[child.tag] = [{c.tag: (c.text or "") for c in item} for item in child]
            else:
                result[child.tag] = {c.tag: (c.text or "") for c in child}
        else:
            result[child.tag] = (child.text or "").strip()
    return result


# --- records --------------------------------------------------------------------------------------


@dataclass
class Attempt:
    status: int | None  # None: timed out / connection failed
    body: str
    seconds: float


@dataclass
class Delivery:
    """One push as WeChat sees it: every attempt, and the passive reply it accepted (if any)."""

    fields: dict[str, Any]
    attempts: list[Attempt] = field(default_factory=list)
    reply: dict[str, Any] | None = None  # decrypted, parsed passive reply
    error: str | None = None  # what the user would see as "该公众号暂时无法提供服务"

    @property
    def answered(self) -> bool:
        return self.error is None


@dataclass
class Shown:
    """A message as it appears in the user's chat."""

    via: str  # "passive" | "custom" | "template"
    msgtype: str
    content: str = ""
    articles: list[dict[str, str]] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)


class WeChatSimulator:
    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        token: str,
        encoding_aes_key: str | None = None,
        account: str = "gh_chatcart0001",
        reply_timeout: float = 5.0,
        attempts: int = 3,
        token_ttl: int = 7200,
    ) -> None:
        self.app_id, self.app_secret, self.token = app_id, app_secret, token
        self.crypto = SimCrypto(encoding_aes_key, app_id) if encoding_aes_key else None
        self.account = account
        self.reply_timeout = reply_timeout
        self.attempts = attempts
        self.token_ttl = token_ttl
        self.endpoint: str | None = None  # the developer server's URL, e.g. http://127.0.0.1:PORT/wechat
        self.safe_mode = encoding_aes_key is not None
        # API state
        self.tokens: dict[str, float] = {}
        self.token_requests = 0
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.menu: dict[str, Any] | None = None
        self.templates_sent: list[dict[str, Any]] = []
        self.template_ids: set[str] = set()
        self.last_interaction: dict[str, float] = {}
        self.chats: dict[str, list[Shown]] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}
        self.oauth_tokens: dict[str, dict[str, Any]] = {}
        self.oauth_user: dict[str, Any] | None = None  # who "is logged in" on the authorize page
        self.custom_send_delay = 0.0
        self._msg_ids = itertools.count(6054768590064713728)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, port: int = 0) -> str:
        """Serve the WeChat API on 127.0.0.1:`port` (0: a free port); returns its base URL."""
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu_create)
        app.router.add_get("/cgi-bin/menu/get", self._menu_get)
        app.router.add_get("/cgi-bin/menu/delete", self._menu_delete)
        app.router.add_post("/cgi-bin/message/template/send", self._template_send)
        app.router.add_post("/cgi-bin/media/upload", self._media_upload)
        app.router.add_get("/connect/oauth2/authorize", self._authorize)
        app.router.add_get("/sns/oauth2/access_token", self._oauth_token)
        app.router.add_get("/sns/userinfo", self._userinfo)
        self._runner, self.base_url = await serve_on_loopback(app, port)
        self._session = aiohttp.ClientSession()
        return self.base_url

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- faults ---------------------------------------------------------------------------
    def expire_tokens(self) -> None:
        """Every issued token is now expired: calls answer 42001."""
        for token in self.tokens:
            self.tokens[token] = 0.0

    def revoke_tokens(self) -> None:
        """Tokens invalidated (e.g. the secret was reset): calls answer 40001."""
        self.tokens.clear()

    def close_window(self, openid: str) -> None:
        self.last_interaction[openid] = time.time() - 49 * 3600

    # --- the user's view ------------------------------------------------------------------
    def chat(self, openid: str) -> list[Shown]:
        return self.chats.setdefault(openid, [])

    def texts(self, openid: str) -> list[str]:
        return [m.content for m in self.chat(openid) if m.msgtype == "text"]

    # --- WeChat -> developer server -------------------------------------------------------
    def message(self, openid: str, msg_type: str, **fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": msg_type,
        }
        base.update(fields)
        if msg_type != "event":
            base.setdefault("MsgId", next(self._msg_ids))
        return base

    def text(self, openid: str, content: str) -> dict[str, Any]:
        return self.message(openid, "text", Content=content)

    def event(self, openid: str, event: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {"Event": event, **extra}
        if key is not None:
            fields["EventKey"] = key
        return self.message(openid, "event", **fields)

    def signed_query(
        self, body_xml: str, *, timestamp: str | None = None, nonce: str | None = None, openid: str | None = None
    ) -> tuple[dict[str, str], str]:
        """Query string and body for one push, signed (and encrypted in safe mode)."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**10))
        query = {"signature": wechat_signature(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if openid:
            query["openid"] = openid
        if not self.safe_mode:
            return query, body_xml
        assert self.crypto is not None
        encrypted = self.crypto.encrypt(body_xml)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = wechat_signature(self.token, timestamp, nonce, encrypted)
        return query, to_xml({"ToUserName": self.account, "Encrypt": encrypted})

    async def push(self, fields: dict[str, Any], *, same_query_on_retry: bool = True) -> Delivery:
        """Deliver like WeChat: wait `reply_timeout`, retry up to `attempts` times in total."""
        assert self._session is not None
        assert self.endpoint is not None
        openid = str(fields["FromUserName"])
        if fields.get("MsgType") != "event" or fields.get("Event") not in ("unsubscribe", "TEMPLATESENDJOBFINISH"):
            self.last_interaction[openid] = time.time()
        delivery = Delivery(fields=fields)
        plain = to_xml(fields)
        query, body = self.signed_query(plain, openid=openid)
        for attempt in range(self.attempts):
            if attempt and not same_query_on_retry:
                query, body = self.signed_query(plain, openid=openid)
            started = time.monotonic()
            try:
                async with self._session.post(
                    self.endpoint,
                    params=query,
                    data=body.encode(),
                    timeout=aiohttp.ClientTimeout(total=self.reply_timeout),
                ) as response:
                    text = await response.text()
                    delivery.attempts.append(Attempt(response.status, text, time.monotonic() - started))
            except (TimeoutError, aiohttp.ClientError):
                delivery.attempts.append(Attempt(None, "", time.monotonic() - started))
                continue
            if response.status != 200:
                delivery.error = f"HTTP {response.status}"
                return delivery
            self._accept_reply(delivery, text, openid)
            return delivery
        delivery.error = "no reply within 5 s after all retries"
        return delivery

    def _accept_reply(self, delivery: Delivery, text: str, openid: str) -> None:
        if text in ("", "success"):
            return
        try:
            reply = xml_fields(text)
            if self.safe_mode:
                assert self.crypto is not None
                expected = wechat_signature(self.token, reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
                if expected != reply["MsgSignature"]:
                    raise ValueError("reply msg_signature mismatch")
                inner, app_id = self.crypto.decrypt(reply["Encrypt"])
                if app_id != self.app_id:
                    raise ValueError("reply encrypted for another AppId")
                reply = xml_fields(inner)
        except (ValueError, KeyError, ElementTree.ParseError) as exc:
            delivery.error = f"invalid passive reply: {exc}"
            return
        if reply.get("ToUserName") != openid or reply.get("FromUserName") != self.account:
            delivery.error = "passive reply addressed wrongly"
            return
        msgtype = reply.get("MsgType", "")
        if msgtype == "news":
            articles = reply.get("Articles") or []
            if int(reply.get("ArticleCount") or 0) != len(articles) or len(articles) > 1:
                delivery.error = "news reply to a user message may carry one article"
                return
            # Shown with the custom-API key names, so tests read both kinds alike.
            shown = [{key.lower(): value for key, value in article.items()} for article in articles]
            self.chat(openid).append(Shown("passive", "news", articles=shown))
        elif msgtype == "text":
            self.chat(openid).append(Shown("passive", "text", content=reply.get("Content", "")))
        else:
            delivery.error = f"unsupported reply type {msgtype!r}"
            return
        delivery.reply = reply

    async def verify_url(self, echostr: str = "echo-1234") -> tuple[int, str]:
        """What the console does when the server URL is saved."""
        assert self._session is not None
        assert self.endpoint is not None
        timestamp, nonce = str(int(time.time())), "998877"
        query = {
            "signature": wechat_signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "echostr": echostr,
        }
        async with self._session.get(self.endpoint, params=query) as response:
            return response.status, await response.text()

    # --- the API ---------------------------------------------------------------------------
    def _check_token(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        expires = self.tokens.get(token)
        if expires is None:
            return self._error(40001, "invalid credential, access_token is invalid or not latest")
        if expires <= time.time():
            return self._error(42001, "access_token expired")
        return None

    @staticmethod
    def _error(code: int, message: str) -> web.Response:
        return web.json_response({"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(6)}"})

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        query = request.query
        if query.get("grant_type") != "client_credential":
            return self._error(40002, "invalid grant_type")
        if query.get("appid") != self.app_id:
            return self._error(40013, "invalid appid")
        if query.get("secret") != self.app_secret:
            return self._error(40125, "invalid appsecret")
        token = secrets.token_urlsafe(48)
        self.tokens[token] = time.time() + self.token_ttl
        return web.json_response({"access_token": token, "expires_in": self.token_ttl})

    async def _json(self, request: web.Request) -> dict[str, Any]:
        body = await request.read()
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        data = await self._json(request)
        self.calls.append(("custom_send", data))
        openid = str(data.get("touser") or "")
        if time.time() - self.last_interaction.get(openid, 0) > 48 * 3600:
            return self._error(45015, "response out of time limit or subscription is canceled")
        if self.custom_send_delay:
            await asyncio.sleep(self.custom_send_delay)
        msgtype = data.get("msgtype")
        if msgtype == "text":
            content = str((data.get("text") or {}).get("content") or "")
            if not content:
                return self._error(44004, "empty content")
            self.chat(openid).append(Shown("custom", "text", content=content))
        elif msgtype == "news":
            articles = list((data.get("news") or {}).get("articles") or [])
            if len(articles) > 1:
                return self._error(45008, "article size out of limit")
            self.chat(openid).append(Shown("custom", "news", articles=articles))
        else:
            return self._error(40008, "invalid message type")
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu_create(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        data = await self._json(request)
        buttons = data.get("button")
        if not isinstance(buttons, list) or not buttons or len(buttons) > 3:
            return self._error(40016, "invalid button size")  # at most 3 top-level buttons
        for button in buttons:
            if len(str(button.get("name", "")).encode()) > 16:
                return self._error(40018, "invalid button name size")
            subs = button.get("sub_button") or []
            if len(subs) > 5:
                return self._error(40023, "invalid sub button size")
            for sub in subs:
                if len(str(sub.get("name", "")).encode()) > 60:
                    return self._error(40018, "invalid button name size")
            if not subs and button.get("type") == "click" and not button.get("key"):
                return self._error(40019, "invalid button key size")
        self.menu = data
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu_get(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        if self.menu is None:
            return self._error(46003, "menu no exist")
        return web.json_response({"menu": self.menu})

    async def _menu_delete(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        self.menu = None
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _template_send(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        data = await self._json(request)
        if data.get("template_id") not in self.template_ids:
            return self._error(40037, "invalid template_id")
        self.templates_sent.append(data)
        openid = str(data.get("touser"))
        lines = [f"{k}: {v.get('value')}" for k, v in (data.get("data") or {}).items()]
        self.chat(openid).append(Shown("template", "template", content="\n".join(lines)))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": len(self.templates_sent) + 200228332})

    async def _media_upload(self, request: web.Request) -> web.Response:
        if (error := self._check_token(request)) is not None:
            return error
        form = await request.post()
        if "media" not in form:
            return self._error(41005, "media data missing")
        return web.json_response(
            {
                "type": request.query.get("type", "image"),
                "media_id": secrets.token_hex(16),
                "created_at": int(time.time()),
            }
        )

    async def _authorize(self, request: web.Request) -> web.Response:
        """The consent page: the configured `oauth_user` agrees at once and is sent back."""
        query = request.query
        if query.get("appid") != self.app_id or self.oauth_user is None:
            return web.Response(status=400, text="appid or user missing")
        code = secrets.token_hex(16)
        self.oauth_codes[code] = {**self.oauth_user, "scope": query.get("scope", "snsapi_base")}
        target = urlparse(query["redirect_uri"])
        params = parse_qs(target.query)
        params.update({"code": [code], "state": [query.get("state", "")]})
        raise web.HTTPFound(target._replace(query=urlencode(params, doseq=True)).geturl())

    async def _oauth_token(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("appid") != self.app_id or query.get("secret") != self.app_secret:
            return self._error(40125, "invalid appsecret")
        user = self.oauth_codes.pop(query.get("code", ""), None)  # a code works once
        if user is None:
            return self._error(40029, "invalid code")
        access = secrets.token_hex(20)
        self.oauth_tokens[access] = user
        answer = {
            "access_token": access,
            "expires_in": 7200,
            "refresh_token": secrets.token_hex(20),
            "openid": user["openid"],
            "scope": user["scope"],
        }
        if user.get("unionid"):
            answer["unionid"] = user["unionid"]
        return web.json_response(answer)

    async def _userinfo(self, request: web.Request) -> web.Response:
        user = self.oauth_tokens.get(request.query.get("access_token", ""))
        if user is None or user.get("scope") != "snsapi_userinfo":
            return self._error(40001, "invalid credential")
        return web.json_response(
            {
                "openid": user["openid"],
                "nickname": user.get("nickname", ""),
                "sex": 0,
                "province": "",
                "city": "",
                "country": "",
                "headimgurl": "",
                "privilege": [],
                "unionid": user.get("unionid", ""),
            },
            dumps=lambda v: json.dumps(v, ensure_ascii=False),
        )
