"""Daily reconciliation against the WeChat Pay simulator's bill, the CLI, and start-up errors."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from chatcart.payment_setup import PaymentSetupError, build_providers
from chatcart.settings import Settings
from commerce.money import Money
from commerce.payments.alerts import AlertKind
from commerce.payments.reconcile import DailyReconciliation
from core.mongo import Database
from simulators.gateway_common import private_pem, public_pem

from .conftest import Keys, ProviderShop

CHINA = timezone(timedelta(hours=8))


async def plant_a_day(shop: ProviderShop) -> dict[str, str]:
    """Four payments and a refund, with one difference of each kind. Returns payment ids by role."""
    sim, payments = shop.wechat, shop.commerce.payments
    ids: dict[str, str] = {}
    for role in ("matched", "lost_notification", "unknown_to_wechat", "wrong_amount"):
        order = await shop.order(quantity=1)
        payment = await payments.start(order.number, provider="wechatpay")
        ids[role] = payment.id
        url, headers, body = sim.pay(payment.id)
        if role != "lost_notification":
            assert (await sim.deliver(url, headers, body))[0] == 204
    sim.trades.pop(ids["unknown_to_wechat"])  # the shop says paid; WeChat's bill does not
    sim.trades[ids["wrong_amount"]].total += 1  # the bill says one fen more
    paid = await shop.commerce.orders.get((await payments.get(ids["matched"])).order_id)
    await payments.refund(paid, Money(1000, "CNY"), reason="partial", actor="staff")
    return ids


async def test_a_day_with_planted_differences(provider_shop: ProviderShop) -> None:
    shop = provider_shop
    ids = await plant_a_day(shop)
    today = datetime.now(CHINA).date()
    report = (await shop.commerce.reconciler.reconcile(today, "wechatpay")).to_dict()
    assert list(report)[:6] == [
        "date",
        "provider",
        "matched",
        "missing_in_shop",
        "missing_in_provider",
        "amount_mismatch",
    ]
    assert (report["date"], report["provider"]) == (today.isoformat(), "wechatpay")

    def payment_ids(key: str) -> list[str]:
        return sorted(entry.get("payment_id", "") for entry in report[key] if entry["kind"] == "payment")

    assert payment_ids("matched") == [ids["matched"]]
    assert [e["kind"] for e in report["matched"]].count("refund") == 1
    assert payment_ids("missing_in_shop") == [ids["lost_notification"]]
    assert payment_ids("missing_in_provider") == [ids["unknown_to_wechat"]]
    assert payment_ids("amount_mismatch") == [ids["wrong_amount"]]
    mismatch = report["amount_mismatch"][0]
    shop_total = (await shop.commerce.payments.get(ids["wrong_amount"])).amount
    assert mismatch["shop_amount"] == shop_total.to_decimal_string()
    assert mismatch["amount"] == Money(shop_total.amount + 1, "CNY").to_decimal_string()
    for entries in (report["matched"], report["missing_in_shop"], report["amount_mismatch"]):
        for entry in entries:
            assert {"trade_no", "order", "amount"} <= set(entry)
            assert entry["trade_no"].startswith("4200")
            assert entry["order"]
    # staff see it in the admin's alerts, and the report is kept
    [alert] = [a for a in await shop.commerce.payments.alerts.recent() if a.kind is AlertKind.RECONCILIATION]
    assert "1 missing in the shop" in alert.detail
    assert (await shop.commerce.reconciler.recent())[0]["differences"] == 3


async def test_the_daily_job_reconciles_yesterday_once(provider_shop: ProviderShop) -> None:
    shop = provider_shop
    reconciler = shop.commerce.reconciler
    first = DailyReconciliation(reconciler, timezone_name="Asia/Shanghai", after_hour=10)
    second = DailyReconciliation(reconciler, timezone_name="Asia/Shanghai", after_hour=10)
    morning = datetime.now(CHINA).replace(hour=8, minute=0).astimezone(UTC)
    assert await first.run_once(morning) == []  # the bills are not out yet
    noon = morning + timedelta(hours=4)
    done = await first.run_once(noon)
    assert [(r.provider, r.date) for r in done] == [
        ("wechatpay", (noon.astimezone(CHINA).date() - timedelta(days=1)).isoformat()),
        ("alipay", (noon.astimezone(CHINA).date() - timedelta(days=1)).isoformat()),
    ]
    assert await second.run_once(noon) == []
    assert await first.run_once(noon + timedelta(hours=1)) == []


def key_files(tmp_path: Path, keys: Keys) -> dict[str, str]:
    files = {
        "merchant.pem": private_pem(keys.merchant),
        "platform_pub.pem": public_pem(keys.platform),
        "app.pem": private_pem(keys.app),
        "alipay_pub.pem": public_pem(keys.alipay),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: str(tmp_path / name) for name in files}


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatcart.cli",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_cli_reconcile_prints_the_report_as_json(
    provider_shop: ProviderShop, keys: Keys, tmp_path: Path, mongo_uri: str, db: Database
) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    await plant_a_day(shop)
    files = key_files(tmp_path, keys)
    env = {
        "MONGODB_URI": mongo_uri,
        "CHATCART_DB_NAME": db.name,
        "CHATCART_DATA_DIR": str(tmp_path),
        "CHATCART_PAYMENT_PROVIDERS": '["wechatpay","sandbox"]',
        "CHATCART_WECHATPAY_MCHID": sim.mchid,
        "CHATCART_WECHATPAY_APPID": sim.appid,
        "CHATCART_WECHATPAY_APIV3_KEY": sim.apiv3_key.decode(),
        "CHATCART_WECHATPAY_PRIVATE_KEY_FILE": files["merchant.pem"],
        "CHATCART_WECHATPAY_CERT_SERIAL": sim.merchant_serial,
        "CHATCART_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE": files["platform_pub.pem"],
        "CHATCART_WECHATPAY_PLATFORM_PUBLIC_KEY_ID": sim.platform_key_id,
        "CHATCART_WECHATPAY_API_BASE": sim.base_url,
    }
    today = datetime.now(CHINA).date().isoformat()
    code, out, err = await run_cli(env, "payments", "reconcile", "--date", today, "--provider", "wechatpay", "--json")
    assert code == 1, err  # differences were found
    report = json.loads(out)
    assert (report["date"], report["provider"]) == (today, "wechatpay")
    assert [len(report[k]) for k in ("missing_in_shop", "missing_in_provider", "amount_mismatch")] == [1, 1, 1]
    # a key that cannot be read stops the command with one line naming the setting
    env["CHATCART_WECHATPAY_PRIVATE_KEY_FILE"] = str(tmp_path / "missing.pem")
    code, out, err = await run_cli(env, "payments", "reconcile", "--date", today, "--json")
    assert code != 0
    assert out == ""
    assert err.strip().splitlines() == [
        f"Error: CHATCART_WECHATPAY_PRIVATE_KEY_FILE: cannot read {tmp_path / 'missing.pem'} (FileNotFoundError)"
    ]


def test_missing_or_wrong_keys_name_their_setting(tmp_path: Path, keys: Keys) -> None:
    files = key_files(tmp_path, keys)
    base: dict[str, Any] = {
        "payment_providers": ["alipay"],
        "alipay_app_id": "2021000000000001",
        "alipay_app_private_key_file": files["app.pem"],
        "alipay_public_key_file": files["alipay_pub.pem"],
    }
    assert set(build_providers(Settings.model_validate(base))) == {"alipay"}
    cases: dict[str, dict[str, Any]] = {
        "CHATCART_ALIPAY_APP_ID": {"alipay_app_id": None},
        "CHATCART_ALIPAY_PUBLIC_KEY_FILE": {"alipay_public_key_file": files["app.pem"]},  # a private key
        "CHATCART_ALIPAY_APP_PRIVATE_KEY_FILE": {"alipay_app_private_key_file": str(tmp_path / "nope.pem")},
        "CHATCART_PAYMENT_PROVIDERS": {"payment_providers": ["paypal"]},
        "CHATCART_WECHATPAY_APIV3_KEY": {"payment_providers": ["wechatpay"]},
    }
    for setting, change in cases.items():
        with pytest.raises(PaymentSetupError) as failed:
            build_providers(Settings.model_validate({**base, **change}))
        message = failed.value.message
        assert message.startswith(setting)
        assert "\n" not in message
        assert "PRIVATE KEY" not in message  # never a key's content
