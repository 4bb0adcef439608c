"""The HTTP endpoint WeChat calls (`GET/POST /wechat`): verification, checks, passive replies.

Every request must carry a valid signature and a fresh timestamp; a (timestamp, nonce) may
not carry two different bodies. Safe mode (`encrypt_type=aes`) also checks `msg_signature`,
decrypts, and encrypts the reply. A request failing a check gets 403 and nothing is done.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.wechat.config import WeChatConfig
from bot.wechat.crypto import CryptoError, MessageCrypto, signature_ok
from bot.wechat.inbound import Inbound, InboundRejected, parse_inbound
from bot.wechat.processor import WeChatProcessor
from bot.wechat.render import WxText, passive_xml
from bot.wechat.replay import NonceGuard, timestamp_fresh
from bot.wechat.xmlsafe import XmlRejected, parse_wechat_xml
from core.logging_setup import get_logger
from core.outage import is_database_outage
from dialogs.i18n import t

log = get_logger("bot.wechat.endpoint")

SUCCESS = "success"  # tells WeChat "no passive reply, do not retry"
WECHAT_DELIVERIES = 3  # WeChat tries a message three times when it gets no answer
WECHAT_WAIT_MARGIN_SECONDS = 1.5  # beyond the reply budget (4 s by default): past WeChat's 5 s


def _forbidden(reason: str) -> web.Response:
    log.warning("wechat.request_refused", reason=reason)
    return web.Response(status=403, text="forbidden")


def _bad_request(reason: str) -> web.Response:
    log.warning("wechat.request_rejected", reason=reason)
    return web.Response(status=400, text="bad request")


class WeChatEndpoint:
    def __init__(self, config: WeChatConfig, processor: WeChatProcessor, guard: NonceGuard) -> None:
        self.config = config
        self.processor = processor
        self.guard = guard
        self.crypto = (
            MessageCrypto(config.token, config.encoding_aes_key, config.app_id) if config.encoding_aes_key else None
        )
        # Deliveries of each message seen while the database was unreachable (see _outage).
        self._outage_attempts: dict[str, int] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.get(self.config.path, self.verify), web.post(self.config.path, self.receive)]

    def _signed_and_fresh(self, request: web.Request) -> str | None:
        """None when the request is authentic and fresh, else the reason to refuse it."""
        query = request.query
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_ok(query.get("signature", ""), self.config.token, timestamp, nonce):
            return "bad signature"
        if not timestamp_fresh(timestamp, self.config.timestamp_tolerance_seconds):
            return "stale timestamp"
        return None

    async def _outage(self, inbound: Inbound, deadline: float, *, encrypted: bool, nonce: str) -> web.Response:
        """The database is unreachable. WeChat delivers a message it got no answer for within
        5 s up to three times: the first deliveries are held past that (WeChat retries, so a
        short outage loses nothing), the last one gets a polite "try again later" as its reply."""
        key = inbound.dedup_key
        attempts = self._outage_attempts.pop(key, 0) + 1
        if attempts < WECHAT_DELIVERIES:
            self._outage_attempts[key] = attempts
            while len(self._outage_attempts) > 1000:
                self._outage_attempts.pop(next(iter(self._outage_attempts)))
            log.warning("wechat.message_deferred", key=key, attempt=attempts, reason="database unavailable")
            # Past WeChat's wait (the reply budget is set below it): no answer means a retry.
            await asyncio.sleep(max(0.0, deadline - asyncio.get_running_loop().time()) + WECHAT_WAIT_MARGIN_SECONDS)
            return web.Response(status=503, text="temporarily unavailable", headers={"Retry-After": "5"})
        log.warning("wechat.message_refused", key=key, reason="database unavailable")
        xml = passive_xml(WxText(t("error.unavailable", "zh")), openid=inbound.openid, account=inbound.account)
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypted_reply(xml, nonce=nonce)
        return web.Response(text=xml, content_type="application/xml")

    async def verify(self, request: web.Request) -> web.Response:
        """URL verification when the server address is saved in the WeChat console: echo `echostr`."""
        refused = self._signed_and_fresh(request)
        if refused:
            return _forbidden(refused)
        echostr = request.query.get("echostr", "")
        if not echostr or len(echostr) > 256:
            return _bad_request("missing echostr")
        return web.Response(text=echostr, content_type="text/plain")

    async def receive(self, request: web.Request) -> web.StreamResponse:
        deadline = asyncio.get_running_loop().time() + self.config.reply_budget_seconds
        limit = self.config.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return web.Response(status=413, text="too large")
        body = await request.content.read(limit + 1)
        if len(body) > limit:
            return web.Response(status=413, text="too large")
        refused = self._signed_and_fresh(request)
        if refused:
            return _forbidden(refused)
        query = request.query
        timestamp, nonce = query["timestamp"], query["nonce"]
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        try:
            fields = parse_wechat_xml(body, max_bytes=limit)
            if encrypted:
                if self.crypto is None:
                    return _bad_request("safe mode used but no EncodingAESKey configured")
                cipher = fields.get("Encrypt")
                if not isinstance(cipher, str) or not self.crypto.verify(
                    query.get("msg_signature", ""), timestamp, nonce, cipher
                ):
                    return _forbidden("bad msg_signature")
                fields = parse_wechat_xml(self.crypto.decrypt(cipher), max_bytes=limit)
            inbound = parse_inbound(fields)
        except CryptoError as exc:
            return _forbidden(str(exc))
        except (XmlRejected, InboundRejected) as exc:
            return _bad_request(str(exc))
        if query.get("openid") and query["openid"] != inbound.openid:
            return _forbidden("openid mismatch")
        try:
            admitted = await self.guard.admit(timestamp, nonce, body)
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            return await self._outage(inbound, deadline, encrypted=encrypted, nonce=nonce)  # nothing is processed
        if not admitted:
            return _forbidden("replayed nonce")

        try:
            answer = await self.processor.answer(inbound, deadline)
        except Exception as exc:  # WeChat shows "service unavailable" for errors: answer "success" instead
            if is_database_outage(exc):
                return await self._outage(inbound, deadline, encrypted=encrypted, nonce=nonce)
            log.exception("wechat.answer_failed", key=inbound.dedup_key)
            return web.Response(text=SUCCESS, content_type="text/plain")
        if answer.passive is None:
            return web.Response(text=SUCCESS, content_type="text/plain")
        xml = passive_xml(answer.passive, openid=inbound.openid, account=inbound.account)
        if encrypted and self.crypto is not None:
            xml = self.crypto.encrypted_reply(xml, nonce=nonce)
        response = web.Response(text=xml, content_type="application/xml")
        if answer.followups:
            # Send the rest only once the passive reply is on its way, so it shows first.
            await response.prepare(request)
            await response.write_eof()
            self.processor.spawn(self.processor.send_custom(inbound.openid, answer.followups, inbound.dedup_key))
        return response
