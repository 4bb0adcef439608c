"""An Alipay open-platform gateway simulator (aiohttp on a free loopback port), for tests and
benchmarks.

As the gateway: GET `/gateway.do?...` for page pay and wap pay (the signed URL the customer's
browser opens: the signature is checked and the trade recorded), and POST `/gateway.do` for
alipay.trade.query, alipay.trade.refund, alipay.trade.fastpay.refund.query, alipay.trade.close
and alipay.data.dataservice.bill.downloadurl.query, with the real answer shapes
(`{"<method>_response": {...}, "sign": ...}`, codes 10000 / 40004 with sub codes such as
ACQ.TRADE_NOT_EXIST, 20000 for a system error). Requests are checked with the app's public
key (RSA2 over the sorted `k=v&k=v` string without `sign`); answers are signed with Alipay's
key over the exact text of the response object. The bill is a zip holding a GBK CSV.

As Alipay calling the shop: `pay()` builds the async notification form (signed without `sign`
and `sign_type`) and `deliver()` POSTs it, returning the status and the shop's answer text.

The crypto here is written from the documentation with `cryptography`, independently of
chatcart's `commerce.payments.signing`.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from simulators.gateway_common import (
    CHINA,
    new_rsa_key,
    post_notification,
    serve_on_loopback,
    sha256_rsa,
    sha256_rsa_valid,
)


def sign_string(params: dict[str, str], exclude: tuple[str, ...]) -> bytes:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in exclude and params[k] != "").encode()


@dataclass
class AliTrade:
    out_trade_no: str
    total_amount: str
    subject: str
    notify_url: str
    product_code: str
    status: str = "WAIT_BUYER_PAY"
    trade_no: str = ""
    passback_params: str = ""
    paid_at: datetime | None = None


@dataclass
class AliRefund:
    out_request_no: str
    out_trade_no: str
    amount: str
    at: datetime


@dataclass
class AlipayGateway:
    app_id: str = "2021000000000001"
    alipay_key: rsa.RSAPrivateKey = field(default_factory=new_rsa_key)
    app_public_key: rsa.RSAPublicKey | None = None
    fail_next: int = 0
    delay_seconds: float = 0.0
    trades: dict[str, AliTrade] = field(default_factory=dict)
    refunds: dict[str, AliRefund] = field(default_factory=dict)
    runner: web.AppRunner | None = None
    base_url: str = ""

    @property
    def gateway(self) -> str:
        return f"{self.base_url}/gateway.do"

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/gateway.do", self._page)
        app.router.add_post("/gateway.do", self._api)
        app.router.add_get("/bill/{day}.zip", self._bill_file)
        self.runner, self.base_url = await serve_on_loopback(app)
        return self.base_url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def _verified(self, params: dict[str, str]) -> bool:
        if self.app_public_key is None or params.get("app_id") != self.app_id or params.get("sign_type") != "RSA2":
            return False
        return sha256_rsa_valid(self.app_public_key, params.get("sign", ""), sign_string(params, ("sign",)))

    # --- the customer's browser ------------------------------------------------------------------
    async def _page(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if not self._verified(params):
            return web.Response(text="错误代码 invalid-signature 错误原因: 验签出错", status=200)
        biz = json.loads(params["biz_content"])
        no = biz["out_trade_no"]
        if no not in self.trades:
            self.trades[no] = AliTrade(
                no,
                biz["total_amount"],
                biz.get("subject", ""),
                params.get("notify_url", ""),
                biz["product_code"],
                passback_params=str(biz.get("passback_params") or ""),
            )
        return web.Response(
            text=f"<html><body>支付宝收银台 {biz['total_amount']}</body></html>", content_type="text/html"
        )

    # --- the API -----------------------------------------------------------------------------------
    def _answer(self, method: str, response: dict[str, Any]) -> web.Response:
        key = method.replace(".", "_") + "_response"
        inner = json.dumps(response, ensure_ascii=False, separators=(",", ":"))
        signature = sha256_rsa(self.alipay_key, inner.encode())
        text = '{"' + key + '":' + inner + ',"sign":"' + signature + '"}'
        return web.Response(text=text, content_type="application/json", charset="utf-8")

    @staticmethod
    def _business_error(sub_code: str, sub_msg: str) -> dict[str, Any]:
        return {"code": "40004", "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}

    async def _api(self, request: web.Request) -> web.Response:
        params = dict(parse_qsl((await request.read()).decode("utf-8")))
        method = params.get("method", "")
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        if self.fail_next > 0:
            self.fail_next -= 1
            return self._answer(
                method, {"code": "20000", "msg": "Service Currently Unavailable", "sub_code": "isp.unknow-error"}
            )
        if not self._verified(params):
            error = {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
                "sub_msg": "验签出错",
            }
            key = method.replace(".", "_") + "_response"
            return web.json_response({key: error})  # Alipay does not sign this answer
        biz = json.loads(params.get("biz_content") or "{}")
        handler = {
            "alipay.trade.query": self._query,
            "alipay.trade.refund": self._refund,
            "alipay.trade.fastpay.refund.query": self._refund_query,
            "alipay.trade.close": self._close,
            "alipay.data.dataservice.bill.downloadurl.query": self._bill,
        }.get(method)
        if handler is None:
            return self._answer(method, {"code": "40004", "msg": "Business Failed", "sub_code": "isv.invalid-method"})
        return self._answer(method, handler(biz))

    def _query(self, biz: dict[str, Any]) -> dict[str, Any]:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:  # the customer never opened the cashier page
            return self._business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
        answer = {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": trade.out_trade_no,
            "trade_status": trade.status,
            "total_amount": trade.total_amount,
            "buyer_logon_id": "159****5620",
        }
        if trade.trade_no:
            answer["trade_no"] = trade.trade_no
            answer["send_pay_date"] = (
                (trade.paid_at or datetime.now(UTC)).astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            )
        return answer

    def _refund(self, biz: dict[str, Any]) -> dict[str, Any]:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return self._business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade.status not in ("TRADE_SUCCESS", "TRADE_CLOSED") or not trade.trade_no:
            return self._business_error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        no = str(biz.get("out_request_no") or trade.out_trade_no)
        existing = self.refunds.get(no)
        fund_change = "N"
        if existing is None:
            refunded = sum(Decimal(r.amount) for r in self.refunds.values() if r.out_trade_no == trade.out_trade_no)
            amount = Decimal(str(biz.get("refund_amount") or "0"))
            if amount <= 0 or refunded + amount > Decimal(trade.total_amount):
                return self._business_error("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            self.refunds[no] = existing = AliRefund(no, trade.out_trade_no, f"{amount:.2f}", datetime.now(UTC))
            fund_change = "Y"
            if refunded + amount == Decimal(trade.total_amount):
                trade.status = "TRADE_CLOSED"
        return {
            "code": "10000",
            "msg": "Success",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_logon_id": "159****5620",
            "fund_change": fund_change,
            "refund_fee": existing.amount,
        }

    def _refund_query(self, biz: dict[str, Any]) -> dict[str, Any]:
        refund = self.refunds.get(str(biz.get("out_request_no") or ""))
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return self._business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
        answer: dict[str, Any] = {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no}
        if refund is not None:
            answer.update(
                {
                    "trade_no": trade.trade_no,
                    "out_request_no": refund.out_request_no,
                    "refund_amount": refund.amount,
                    "total_amount": trade.total_amount,
                    "refund_status": "REFUND_SUCCESS",
                }
            )
        return answer

    def _close(self, biz: dict[str, Any]) -> dict[str, Any]:
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None:
            return self._business_error("ACQ.TRADE_NOT_EXIST", "交易不存在")
        if trade.status != "WAIT_BUYER_PAY":
            return self._business_error("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        trade.status = "TRADE_CLOSED"
        return {"code": "10000", "msg": "Success", "out_trade_no": trade.out_trade_no}

    def _bill(self, biz: dict[str, Any]) -> dict[str, Any]:
        day = str(biz.get("bill_date") or "")
        return {"code": "10000", "msg": "Success", "bill_download_url": f"{self.base_url}/bill/{day}.zip"}

    async def _bill_file(self, request: web.Request) -> web.Response:
        day = date.fromisoformat(request.match_info["day"])
        return web.Response(body=self.bill_zip(day), content_type="application/zip")

    def bill_zip(self, day: date) -> bytes:
        header = (
            "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
            "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
            "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注"
        )
        lines = [f"#支付宝业务明细查询\n#账号：[20880000000000000156]\n#起始日期：[{day} 00:00:00]\n", header]
        for trade in self.trades.values():
            if trade.paid_at is None or trade.paid_at.astimezone(CHINA).date() != day:
                continue
            when = trade.paid_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(
                f"{trade.trade_no}\t,{trade.out_trade_no}\t,交易,{trade.subject},{when},{when},,,,,159****5620,"
                f"{trade.total_amount},{trade.total_amount},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,-0.06,0.00,"
            )
        for refund in self.refunds.values():
            if refund.at.astimezone(CHINA).date() != day:
                continue
            trade = self.trades[refund.out_trade_no]
            when = refund.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")
            lines.append(
                f"{trade.trade_no}\t,{trade.out_trade_no}\t,退款,{trade.subject},{when},{when},,,,,159****5620,"
                f"{trade.total_amount},-{refund.amount},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,"
                f"{refund.out_request_no},0.06,0.00,"
            )
        lines.append("#-----------------------------------------业务明细列表结束------------------------------------")
        lines.append(f"#导出时间：[{datetime.now(CHINA):%Y-%m-%d %H:%M:%S}]")
        detail = "\n".join(lines).encode("gbk")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            stamp = day.strftime("%Y%m%d")
            archive.writestr(f"20880000000000000156_{stamp}_业务明细.csv".encode("gbk").decode("cp437"), detail)
            archive.writestr(f"20880000000000000156_{stamp}_业务明细(汇总).csv".encode("gbk").decode("cp437"), b"")
        return buffer.getvalue()

    # --- Alipay calling the shop -------------------------------------------------------------------
    def pay(
        self, out_trade_no: str, *, total_amount: str | None = None, status: str = "TRADE_SUCCESS"
    ) -> tuple[str, bytes]:
        """The customer pays: returns (notify URL, form body) of the async notification."""
        trade = self.trades[out_trade_no]
        if trade.status == "TRADE_CLOSED" and not trade.trade_no:
            raise ValueError("Alipay's cashier refuses a closed trade")
        if not trade.trade_no:
            trade.trade_no = datetime.now(CHINA).strftime("%Y%m%d") + "22001" + secrets.token_hex(7)[:13]
            trade.paid_at = datetime.now(UTC)
        trade.status = status if status != "TRADE_FINISHED" else trade.status
        now = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        params = {
            "notify_time": now,
            "notify_type": "trade_status_sync",
            "notify_id": "ac05099524730693a8b330c5ecf72da9" + secrets.token_hex(8),
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "sign_type": "RSA2",
            "trade_no": trade.trade_no,
            "out_trade_no": trade.out_trade_no,
            "buyer_id": "2088102122524333",
            "buyer_logon_id": "159****5620",
            "seller_id": "2088101106499364",
            "trade_status": status,
            "total_amount": total_amount or trade.total_amount,
            "receipt_amount": total_amount or trade.total_amount,
            "buyer_pay_amount": total_amount or trade.total_amount,
            "subject": trade.subject,
            "gmt_create": now,
            "gmt_payment": now,
            "fund_bill_list": '[{"amount":"' + trade.total_amount + '","fundChannel":"ALIPAYACCOUNT"}]',
        }
        if trade.passback_params:
            params["passback_params"] = trade.passback_params
        params["sign"] = sha256_rsa(self.alipay_key, sign_string(params, ("sign", "sign_type")))
        return trade.notify_url, urlencode(params).encode()

    @staticmethod
    async def deliver(url: str, body: bytes) -> tuple[int, str]:
        return await post_notification(url, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
