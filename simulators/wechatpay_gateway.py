"""A WeChat Pay API v3 gateway simulator (aiohttp on a free loopback port), for tests and
benchmarks.

As the API: Native / JSAPI / H5 orders, the order query by out_trade_no, close, domestic
refunds and their query, the trade bill (`/v3/bill/tradebill` + the download), with the real
answer shapes and error codes (SIGN_ERROR, ORDER_NOT_EXIST, RESOURCE_NOT_EXISTS, PARAM_ERROR).
Every request's `Authorization` (WECHATPAY2-SHA256-RSA2048) is checked with the merchant's
public key, and every answer is signed with the platform key (`Wechatpay-Signature` over
"timestamp\\nnonce\\nbody\\n", `Wechatpay-Serial` = the platform public key id).

As WeChat Pay calling the shop: `pay()` / `refund_settles()` build notifications exactly as
documented (envelope with `resource` AEAD_AES_256_GCM-encrypted with the APIv3 key, signed
headers) and `deliver()` POSTs them to the notify URL, returning the status.

The crypto here is written from the documentation with `cryptography`, independently of
chatcart's `commerce.payments.signing`, so the tests cross-check both.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import io
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from simulators.gateway_common import (
    CHINA,
    new_rsa_key,
    post_notification,
    serve_on_loopback,
    sha256_rsa,
    sha256_rsa_valid,
)


@dataclass
class Trade:
    out_trade_no: str
    total: int
    currency: str
    trade_type: str
    notify_url: str
    description: str
    state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: datetime | None = None
    payer_openid: str = ""
    attach: str = ""


@dataclass
class SimRefund:
    out_refund_no: str
    out_trade_no: str
    refund: int
    total: int
    notify_url: str
    refund_id: str
    status: str
    created: datetime


@dataclass
class WechatPayGateway:
    mchid: str = "1900000109"
    appid: str = "wxd678efh567hg6787"
    apiv3_key: bytes = field(default_factory=lambda: secrets.token_hex(16).encode())
    merchant_serial: str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
    platform_key_id: str = "PUB_KEY_ID_0114232134912410000000000001"
    platform_key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    merchant_public_key: rsa.RSAPublicKey | None = None
    refund_status: str = "SUCCESS"  # what a refund answers at once: SUCCESS or PROCESSING
    fail_next: int = 0  # answer this many requests with HTTP 500
    delay_seconds: float = 0.0  # answer this late (a timeout for the shop)
    trades: dict[str, Trade] = field(default_factory=dict)
    refunds: dict[str, SimRefund] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    runner: web.AppRunner | None = None
    base_url: str = ""

    # --- running ---------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v3/pay/transactions/{kind:(native|jsapi|h5)}", self._create)
        app.router.add_get("/v3/pay/transactions/out-trade-no/{no}", self._query)
        app.router.add_post("/v3/pay/transactions/out-trade-no/{no}/close", self._close)
        app.router.add_post("/v3/refund/domestic/refunds", self._refund)
        app.router.add_get("/v3/refund/domestic/refunds/{no}", self._query_refund)
        app.router.add_get("/v3/bill/tradebill", self._bill)
        app.router.add_get("/v3/billdownload/file", self._bill_file)
        self.runner, self.base_url = await serve_on_loopback(app)
        return self.base_url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    # --- signing ---------------------------------------------------------------------------------
    def signed_headers(self, body: bytes, *, timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        message = f"{stamp}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Timestamp": stamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": sha256_rsa(self.platform_key, message),
            "Wechatpay-Serial": self.platform_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def _answer(self, status: int, payload: dict[str, Any] | None) -> web.Response:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        headers = self.signed_headers(body)
        headers["Request-ID"] = secrets.token_hex(12)
        if payload is None:
            return web.Response(status=status, headers=headers)
        return web.Response(status=status, body=body, headers=headers, content_type="application/json")

    def _error(self, status: int, code: str, message: str) -> web.Response:
        return self._answer(status, {"code": code, "message": message})

    async def _checked(self, request: web.Request) -> tuple[bytes, web.Response | None]:
        """The request body after the merchant's signature checked out; else an error answer."""
        body = await request.read()
        self.requests.append((request.method, request.path_qs))
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail_next > 0:
            self.fail_next -= 1
            return body, self._error(500, "SYSTEM_ERROR", "系统错误")
        auth = request.headers.get("Authorization", "")
        schema, _, rest = auth.partition(" ")
        fields = dict(part.split("=", 1) for part in rest.split(",") if "=" in part)
        values = {k.strip(): v.strip().strip('"') for k, v in fields.items()}
        if schema != "WECHATPAY2-SHA256-RSA2048" or values.get("mchid") != self.mchid:
            return body, self._error(401, "SIGN_ERROR", "签名错误")
        if values.get("serial_no") != self.merchant_serial or self.merchant_public_key is None:
            return body, self._error(401, "SIGN_ERROR", "证书序列号错误")
        message = (
            f"{request.method}\n{request.path_qs}\n{values.get('timestamp')}\n{values.get('nonce_str')}\n".encode()
            + body
            + b"\n"
        )
        if not sha256_rsa_valid(self.merchant_public_key, values.get("signature", ""), message):
            return body, self._error(401, "SIGN_ERROR", "签名错误")
        return body, None

    # --- the API ---------------------------------------------------------------------------------
    async def _create(self, request: web.Request) -> web.Response:
        body, error = await self._checked(request)
        if error:
            return error
        data = json.loads(body)
        kind = request.match_info["kind"]
        if data.get("mchid") != self.mchid or data.get("appid") != self.appid:
            return self._error(400, "PARAM_ERROR", "mchid与appid不匹配")
        no = str(data.get("out_trade_no") or "")
        if kind == "jsapi" and not (data.get("payer") or {}).get("openid"):
            return self._error(400, "PARAM_ERROR", "输入源“/body/payer/openid”映射到值字段“用户标识”字符串规则校验失败")
        if no in self.trades:
            return self._error(400, "INVALID_REQUEST", "201 商户订单号重复")
        amount = data.get("amount") or {}
        self.trades[no] = Trade(
            no,
            int(amount.get("total") or 0),
            str(amount.get("currency") or "CNY"),
            kind.upper() if kind != "h5" else "MWEB",
            str(data.get("notify_url") or ""),
            str(data.get("description") or ""),
            payer_openid=str((data.get("payer") or {}).get("openid") or ""),
            attach=str(data.get("attach") or ""),
        )
        prepay = "wx" + secrets.token_hex(15)
        if kind == "native":
            return self._answer(200, {"code_url": f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(6)}"})
        if kind == "h5":
            return self._answer(
                200, {"h5_url": f"https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id={prepay}&package=1"}
            )
        return self._answer(200, {"prepay_id": prepay})

    def _transaction(self, trade: Trade) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "appid": self.appid,
            "mchid": self.mchid,
            "out_trade_no": trade.out_trade_no,
            "trade_type": trade.trade_type,
            "trade_state": trade.state,
            "trade_state_desc": {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭"}.get(trade.state, ""),
            "attach": trade.attach,
            "amount": {
                "total": trade.total,
                "payer_total": trade.total,
                "currency": trade.currency,
                "payer_currency": trade.currency,
            },
        }
        if trade.transaction_id:
            answer["transaction_id"] = trade.transaction_id
            answer["bank_type"] = "OTHERS"
            answer["success_time"] = (trade.success_time or datetime.now(UTC)).astimezone(CHINA).isoformat()
            answer["payer"] = {"openid": trade.payer_openid or "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
        return answer

    async def _query(self, request: web.Request) -> web.Response:
        _, error = await self._checked(request)
        if error:
            return error
        trade = self.trades.get(request.match_info["no"])
        if trade is None:
            return self._error(404, "ORDER_NOT_EXIST", "订单不存在")
        return self._answer(200, self._transaction(trade))

    async def _close(self, request: web.Request) -> web.Response:
        _, error = await self._checked(request)
        if error:
            return error
        trade = self.trades.get(request.match_info["no"])
        if trade is None:
            return self._error(404, "ORDER_NOT_EXIST", "订单不存在")
        if trade.state == "SUCCESS":
            return self._error(400, "ORDER_PAID", "订单已支付")
        trade.state = "CLOSED"
        return self._answer(204, None)

    def _refund_answer(self, refund: SimRefund) -> dict[str, Any]:
        trade = self.trades[refund.out_trade_no]
        return {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": trade.transaction_id,
            "out_trade_no": trade.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": refund.created.astimezone(CHINA).isoformat(),
            "status": refund.status,
            "amount": {
                "total": refund.total,
                "refund": refund.refund,
                "payer_total": refund.total,
                "payer_refund": refund.refund,
                "settlement_refund": refund.refund,
                "settlement_total": refund.total,
                "discount_refund": 0,
                "currency": trade.currency,
            },
        }

    async def _refund(self, request: web.Request) -> web.Response:
        body, error = await self._checked(request)
        if error:
            return error
        data = json.loads(body)
        trade = self.trades.get(str(data.get("out_trade_no") or ""))
        if trade is None or trade.state not in ("SUCCESS", "REFUND"):
            return self._error(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        no = str(data.get("out_refund_no") or "")
        existing = self.refunds.get(no)
        if existing is not None:  # the same out_refund_no: the same refund, never a second one
            return self._answer(200, self._refund_answer(existing))
        amount = data.get("amount") or {}
        refund_total = int(amount.get("refund") or 0)
        already = sum(r.refund for r in self.refunds.values() if r.out_trade_no == trade.out_trade_no)
        if int(amount.get("total") or 0) != trade.total or refund_total <= 0 or already + refund_total > trade.total:
            return self._error(400, "PARAM_ERROR", "退款金额不合法")
        refund = SimRefund(
            no,
            trade.out_trade_no,
            refund_total,
            trade.total,
            str(data.get("notify_url") or ""),
            "50" + secrets.token_hex(14),
            self.refund_status,
            datetime.now(UTC),
        )
        self.refunds[no] = refund
        trade.state = "REFUND"
        return self._answer(200, self._refund_answer(refund))

    async def _query_refund(self, request: web.Request) -> web.Response:
        _, error = await self._checked(request)
        if error:
            return error
        refund = self.refunds.get(request.match_info["no"])
        if refund is None:
            return self._error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return self._answer(200, self._refund_answer(refund))

    async def _bill(self, request: web.Request) -> web.Response:
        _, error = await self._checked(request)
        if error:
            return error
        day = request.query.get("bill_date", "")
        token = base64.urlsafe_b64encode(day.encode()).decode()
        content = self.bill(date.fromisoformat(day)).encode()
        return self._answer(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),  # noqa: S324 - WeChat's documented bill hash
                "download_url": f"{self.base_url}/v3/billdownload/file?token={token}",
            },
        )

    async def _bill_file(self, request: web.Request) -> web.Response:
        _, error = await self._checked(request)
        if error:
            return error
        day = date.fromisoformat(base64.urlsafe_b64decode(request.query["token"]).decode())
        return web.Response(body=self.bill(day).encode("utf-8"), content_type="text/plain")

    def bill(self, day: date) -> str:
        """The trade bill of a Beijing-time day: backtick-prefixed values, then the summary."""
        header = (
            "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
            "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
            "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
        )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        out.write(header + "\r\n")
        rows = 0

        def yuan(minor: int) -> str:
            return f"{minor / 100:.2f}"

        for trade in self.trades.values():
            when = trade.success_time.astimezone(CHINA) if trade.success_time else None
            if when is None or when.date() != day:
                continue
            base = [when.strftime("%Y-%m-%d %H:%M:%S"), self.appid, self.mchid, "0", "", trade.transaction_id]
            base += [trade.out_trade_no, trade.payer_openid or "oUpF8uMuAJO", trade.trade_type]
            writer.writerow(
                [f"`{v}" for v in [*base, "SUCCESS", "OTHERS", trade.currency, yuan(trade.total), "0.00"]]
                + [f"`{v}" for v in ["0", "0", "0.00", "0.00", "", "", trade.description, "", "0.00", "0.60%"]]
                + [f"`{v}" for v in [yuan(trade.total), "0.00", ""]]
            )
            rows += 1
        for refund in self.refunds.values():
            if refund.created.astimezone(CHINA).date() != day:
                continue
            trade = self.trades[refund.out_trade_no]
            base = [refund.created.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"), self.appid, self.mchid, "0", ""]
            base += [trade.transaction_id, trade.out_trade_no, trade.payer_openid or "oUpF8uMuAJO", trade.trade_type]
            writer.writerow(
                [f"`{v}" for v in [*base, "REFUND", "OTHERS", trade.currency, "0.00", "0.00"]]
                + [f"`{v}" for v in [refund.refund_id, refund.out_refund_no, yuan(refund.refund), "0.00", "ORIGINAL"]]
                + [f"`{v}" for v in [refund.status, trade.description, "", "0.00", "0.60%"]]
                + [f"`{v}" for v in [yuan(trade.total), yuan(refund.refund), ""]]
            )
            rows += 1
        out.write("总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n")
        out.write(f"`{rows},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00\r\n")
        return out.getvalue()

    # --- WeChat Pay calling the shop -------------------------------------------------------------
    def encrypt(self, plain: dict[str, Any], associated_data: str) -> dict[str, str]:
        nonce = secrets.token_urlsafe(9)[:12]
        data = json.dumps(plain, ensure_ascii=False).encode()
        ciphertext = AESGCM(self.apiv3_key).encrypt(nonce.encode(), data, associated_data.encode())
        return {
            "original_type": associated_data,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data,
            "nonce": nonce,
        }

    def envelope(self, event_type: str, summary: str, resource: dict[str, str]) -> bytes:
        return json.dumps(
            {
                "id": "EV-" + secrets.token_hex(10),
                "create_time": datetime.now(CHINA).isoformat(timespec="seconds"),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": resource,
            },
            ensure_ascii=False,
        ).encode()

    def pay(self, out_trade_no: str, *, paid_total: int | None = None) -> tuple[str, dict[str, str], bytes]:
        """The customer pays: the trade succeeds; returns (notify URL, headers, body)."""
        trade = self.trades[out_trade_no]
        if trade.state == "CLOSED":
            raise ValueError("WeChat Pay refuses to pay a closed order (ORDER_CLOSED)")
        if not trade.transaction_id:
            trade.state = "SUCCESS"
            trade.transaction_id = "4200" + secrets.token_hex(12)
            trade.success_time = datetime.now(UTC)
        plain = self._transaction(trade)
        if paid_total is not None:  # a tampering test: what the notification claims was paid
            plain["amount"]["total"] = plain["amount"]["payer_total"] = paid_total
        body = self.envelope("TRANSACTION.SUCCESS", "支付成功", self.encrypt(plain, "transaction"))
        return trade.notify_url, self.signed_headers(body), body

    def settle_refund(self, out_refund_no: str, status: str = "SUCCESS") -> tuple[str, dict[str, str], bytes]:
        refund = self.refunds[out_refund_no]
        refund.status = status
        trade = self.trades[refund.out_trade_no]
        plain = {
            "mchid": self.mchid,
            "out_trade_no": trade.out_trade_no,
            "transaction_id": trade.transaction_id,
            "out_refund_no": refund.out_refund_no,
            "refund_id": refund.refund_id,
            "refund_status": status,
            "success_time": datetime.now(CHINA).isoformat(timespec="seconds"),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": refund.total,
                "refund": refund.refund,
                "payer_total": refund.total,
                "payer_refund": refund.refund,
            },
        }
        event = {"SUCCESS": "REFUND.SUCCESS", "ABNORMAL": "REFUND.ABNORMAL", "CLOSED": "REFUND.CLOSED"}[status]
        body = self.envelope(event, "退款成功", self.encrypt(plain, "refund"))
        return refund.notify_url, self.signed_headers(body), body

    @staticmethod
    async def deliver(url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        """POST a notification as WeChat Pay does; (status, answer text)."""
        return await post_notification(url, body, {**headers, "Content-Type": "application/json"})
