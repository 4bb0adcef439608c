"""A small async client for the WeChat official-account HTTP API (aiohttp, base URL configurable).

wechatpy's client is blocking; this one covers what chatcart needs: access token, custom
(customer-service) messages, menu, template messages, web OAuth and media upload. A rejected
token (40001 invalid credential, 42001 expired) is refreshed once and the call retried.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.wechat.tokens import AccessTokenStore
from core.logging_setup import get_logger
from core.mongo import Database

log = get_logger("bot.wechat.api")

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential / invalid token / token expired
OUT_OF_WINDOW = 45015  # custom message outside the 48-hour customer-service window


class WeChatApiError(RuntimeError):
    def __init__(self, errcode: int, errmsg: str, path: str) -> None:
        super().__init__(f"WeChat API {path} failed: {errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path


class WeChatApi:
    def __init__(
        self,
        db: Database,
        *,
        app_id: str,
        app_secret: str,
        api_base: str = "https://api.weixin.qq.com",
        timeout_seconds: float = 10.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self.api_base = api_base.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session = session
        self._own_session = session is None
        self.tokens = AccessTokenStore(db, app_id, self._fetch_token)

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._own_session = True
        return self._session

    # --- plumbing ---------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        data: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        payload: bytes | aiohttp.FormData | None = data
        headers: dict[str, str] = {}
        if body is not None:
            # ensure_ascii=False: WeChat shows \\uXXXX escapes literally in some message types.
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        async with self._http().request(
            method, self.api_base + path, params=params, data=payload, headers=headers
        ) as response:
            text = await response.text()
        try:
            result = json.loads(text)
        except ValueError:
            raise WeChatApiError(-2, f"non-JSON answer (HTTP {response.status})", path) from None
        if not isinstance(result, dict):
            raise WeChatApiError(-2, "unexpected answer shape", path)
        errcode = int(result.get("errcode") or 0)
        if errcode != 0:
            raise WeChatApiError(errcode, str(result.get("errmsg", "")), path)
        return result

    async def _fetch_token(self) -> tuple[str, int]:
        result = await self._request(
            "GET",
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret},
        )
        return str(result["access_token"]), int(result.get("expires_in") or 7200)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        data_factory: Any = None,
    ) -> dict[str, Any]:
        """An authenticated call; on a rejected token refresh it and retry once."""
        for attempt in (1, 2):
            token = await self.tokens.get()
            query = {**(params or {}), "access_token": token}
            try:
                return await self._request(
                    method, path, params=query, body=body, data=data_factory() if data_factory else None
                )
            except WeChatApiError as exc:
                if exc.errcode in TOKEN_ERRORS and attempt == 1:
                    log.info("wechat.token_rejected", errcode=exc.errcode, path=path)
                    await self.tokens.invalidate(token)
                    continue
                raise
        raise AssertionError("unreachable")

    # --- customer-service messages -----------------------------------------------------------
    async def send_custom(self, openid: str, message: dict[str, Any]) -> None:
        await self.call("POST", "/cgi-bin/message/custom/send", body={"touser": openid, **message})

    async def send_text(self, openid: str, content: str) -> None:
        await self.send_custom(openid, {"msgtype": "text", "text": {"content": content}})

    # --- menu -------------------------------------------------------------------------------
    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("POST", "/cgi-bin/menu/create", body=menu)

    async def get_menu(self) -> dict[str, Any]:
        return await self.call("GET", "/cgi-bin/menu/get")

    async def delete_menu(self) -> None:
        await self.call("GET", "/cgi-bin/menu/delete")

    # --- template messages ------------------------------------------------------------------
    async def send_template(
        self, openid: str, template_id: str, data: dict[str, dict[str, str]], url: str | None = None
    ) -> int:
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        result = await self.call("POST", "/cgi-bin/message/template/send", body=body)
        return int(result.get("msgid") or 0)

    # --- web authorisation (OAuth 2) -----------------------------------------------------------
    async def oauth_exchange(self, code: str) -> dict[str, Any]:
        """code -> {access_token, openid, scope, unionid?}. Uses the AppSecret, not the access token."""
        return await self._request(
            "GET",
            "/sns/oauth2/access_token",
            params={"appid": self.app_id, "secret": self._secret, "code": code, "grant_type": "authorization_code"},
        )

    async def oauth_userinfo(self, access_token: str, openid: str, lang: str = "zh_CN") -> dict[str, Any]:
        return await self._request(
            "GET", "/sns/userinfo", params={"access_token": access_token, "openid": openid, "lang": lang}
        )

    # --- media --------------------------------------------------------------------------------
    async def upload_media(self, kind: str, filename: str, content: bytes, content_type: str) -> str:
        """Temporary media (image/voice/video/thumb) for image replies; returns the media_id."""

        def form() -> aiohttp.FormData:
            data = aiohttp.FormData()
            data.add_field("media", content, filename=quote(filename), content_type=content_type)
            return data

        result = await self.call("POST", "/cgi-bin/media/upload", params={"type": kind}, data_factory=form)
        return str(result["media_id"])
