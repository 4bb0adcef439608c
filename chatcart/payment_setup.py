"""Real payment providers built from the settings (`CHATCART_PAYMENT_PROVIDERS` and the
`CHATCART_WECHATPAY_*` / `CHATCART_ALIPAY_*` settings). The sandbox is built by commerce itself.

Keys are read from files here, once, at start-up; their contents are never logged. A missing
setting, an unreadable file or a file that is not a key stops the start with one line that
names the setting (`PaymentSetupError`, shown by click as "Error: ...").
"""

from __future__ import annotations

from datetime import timedelta

import click

from chatcart.settings import Settings
from commerce.payments.alipay import AlipayConfig, AlipayProvider
from commerce.payments.model import PaymentProvider
from commerce.payments.signing import KeyFileError, load_private_key, load_public_key
from commerce.payments.wechatpay import WechatPayConfig, WechatPayProvider

KNOWN = ("sandbox", "wechatpay", "alipay")


class PaymentSetupError(click.ClickException):
    """One line naming the setting that is missing or wrong."""


def offered_providers(settings: Settings) -> list[str]:
    names = [name.strip().lower() for name in settings.payment_providers]
    unknown = [name for name in names if name not in KNOWN]
    if unknown or not names:
        raise PaymentSetupError(
            f"CHATCART_PAYMENT_PROVIDERS: unknown provider(s) {unknown or '[]'}; choose from {list(KNOWN)}"
        )
    return list(dict.fromkeys(names))


def _required(value: str | None, setting: str) -> str:
    if not value or not value.strip():
        raise PaymentSetupError(f"{setting} is not set (needed by CHATCART_PAYMENT_PROVIDERS)")
    return value.strip()


def build_providers(settings: Settings) -> dict[str, PaymentProvider]:
    """The configured real providers (not the sandbox)."""
    names = offered_providers(settings)
    ttl = timedelta(minutes=settings.unpaid_order_timeout_minutes)
    providers: dict[str, PaymentProvider] = {}
    try:
        if "wechatpay" in names:
            key = settings.wechatpay_apiv3_key.get_secret_value() if settings.wechatpay_apiv3_key else ""
            if len(key.encode()) != 32:
                raise PaymentSetupError("CHATCART_WECHATPAY_APIV3_KEY must be the 32-character APIv3 key")
            providers["wechatpay"] = WechatPayProvider(
                WechatPayConfig(
                    mchid=_required(settings.wechatpay_mchid, "CHATCART_WECHATPAY_MCHID"),
                    appid=_required(settings.wechatpay_appid, "CHATCART_WECHATPAY_APPID"),
                    apiv3_key=key.encode(),
                    private_key=load_private_key(
                        settings.wechatpay_private_key_file, "CHATCART_WECHATPAY_PRIVATE_KEY_FILE"
                    ),
                    cert_serial=_required(settings.wechatpay_cert_serial, "CHATCART_WECHATPAY_CERT_SERIAL"),
                    platform_public_key=load_public_key(
                        settings.wechatpay_platform_public_key_file, "CHATCART_WECHATPAY_PLATFORM_PUBLIC_KEY_FILE"
                    ),
                    platform_public_key_id=_required(
                        settings.wechatpay_platform_public_key_id, "CHATCART_WECHATPAY_PLATFORM_PUBLIC_KEY_ID"
                    ),
                    base_url=settings.base_url,
                    api_base=settings.wechatpay_api_base.rstrip("/"),
                    tolerance_seconds=settings.payment_notify_tolerance_seconds,
                    payment_ttl=ttl,
                )
            )
        if "alipay" in names:
            providers["alipay"] = AlipayProvider(
                AlipayConfig(
                    app_id=_required(settings.alipay_app_id, "CHATCART_ALIPAY_APP_ID"),
                    app_private_key=load_private_key(
                        settings.alipay_app_private_key_file, "CHATCART_ALIPAY_APP_PRIVATE_KEY_FILE"
                    ),
                    alipay_public_key=load_public_key(
                        settings.alipay_public_key_file, "CHATCART_ALIPAY_PUBLIC_KEY_FILE"
                    ),
                    base_url=settings.base_url,
                    gateway=settings.alipay_gateway,
                    payment_ttl=ttl,
                )
            )
    except KeyFileError as exc:
        raise PaymentSetupError(str(exc)) from None
    return providers
