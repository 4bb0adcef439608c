"""Runtime configuration: `CHATCART_*` environment variables and an optional `.env` file.

`MONGODB_URI` is honoured as well as `CHATCART_MONGODB_URI` because it is the name every
MongoDB tool (and our test suite) already uses.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATCART_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- database -------------------------------------------------------------------
    mongodb_uri: str | None = Field(default=None, validation_alias=AliasChoices("CHATCART_MONGODB_URI", "MONGODB_URI"))
    db_name: str = "chatcart"
    data_dir: Path = Path("var")
    embedded_storage_path: str | None = None  # default: <data_dir>/db; ":memory:" for tests
    embedded_command: str = "secantusd-py"
    embedded_cache_size: str = "256M"
    embedded_change_streams: bool = False  # true: keep an oplog (change streams) at ~20% more CPU per write
    embedded_sync_on_commit: bool = True  # fsync every commit: acknowledged writes survive a crash

    # --- HTTP -----------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8080
    public_base_url: str | None = None  # e.g. https://shop.example.com (webhooks, payment links)
    max_request_bytes: int = 1_000_000

    # --- optional services ------------------------------------------------------------
    redis_url: str | None = None

    # --- commerce -----------------------------------------------------------------------
    default_currency: str = "CNY"
    unpaid_order_timeout_minutes: int = 30
    payment_sandbox_secret: SecretStr | None = None  # generated into <data_dir>/secrets.json if unset
    payment_notify_tolerance_seconds: int = 300
    # Payment providers offered to customers, in this order (the first is the default).
    payment_providers: list[str] = Field(default_factory=lambda: ["sandbox"])
    payment_status_poll_seconds: float = 60.0  # how often payments nobody notified about are queried
    payment_reconcile_hour: int = 10  # shop-time hour after which yesterday's statements are reconciled
    wechatpay_mchid: str | None = None
    wechatpay_appid: str | None = None
    wechatpay_apiv3_key: SecretStr | None = None
    wechatpay_private_key_file: Path | None = None
    wechatpay_cert_serial: str | None = None
    wechatpay_platform_public_key_file: Path | None = None
    wechatpay_platform_public_key_id: str | None = None
    wechatpay_api_base: str = "https://api.mch.weixin.qq.com"
    alipay_app_id: str | None = None
    alipay_app_private_key_file: Path | None = None
    alipay_public_key_file: Path | None = None
    alipay_gateway: str = "https://openapi.alipay.com/gateway.do"
    shop_timezone: str = "Asia/Shanghai"  # order numbers count days in the shop's time zone
    pricing_tier_percent: dict[str, Decimal] = Field(
        default_factory=lambda: {"regular": Decimal(100), "vip": Decimal(95), "enterprise": Decimal(90)}
    )
    shop_cities: list[str] = Field(default_factory=lambda: ["上海"])  # where same-city delivery is offered
    # The store of "pick up in store" (shown to customers who choose it; both languages).
    store_address_zh: str = "上海市黄浦区南京东路100号"
    store_address_en: str = "100 East Nanjing Road, Huangpu, Shanghai"
    store_hours_zh: str = "每天 10:00-21:00"
    store_hours_en: str = "daily 10:00-21:00"
    shipping_methods_file: Path | None = None  # YAML list of methods; unset = express / same_city / pickup
    cart_max_line_quantity: int = 99
    cart_max_lines: int = 50
    aftersales_window_days: int = 7

    # --- NLU ----------------------------------------------------------------------------
    nlu_engine: Literal["builtin", "rasa"] = "builtin"
    nlu_threshold: float = 0.35
    nlu_model_dir: Path | None = None  # default: <data_dir>/nlu
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 2.0

    # --- Telegram (bot/telegram) ---------------------------------------------------------------
    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None  # generated into <data_dir>/secrets.json if unset
    telegram_provider_token: SecretStr | None = None  # Telegram Payments; unset = payment links only
    telegram_api_base: str | None = None  # e.g. a local Bot API server; unset = api.telegram.org
    telegram_global_rate_per_second: float = 30  # Telegram's documented broadcast limits
    telegram_chat_rate_per_second: float = 1
    telegram_group_rate_per_minute: float = 20
    telegram_outbox_lease_seconds: float = 30
    telegram_outbox_concurrency: int = 8
    telegram_webhook_replies: bool = True  # the last text reply of a turn rides in the webhook response

    # --- WeChat official account (bot/wechat) -------------------------------------------------
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_token: SecretStr | None = None
    wechat_encoding_aes_key: SecretStr | None = None  # set = safe mode (AES)
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_template_order_paid: str | None = None
    wechat_oauth_base: str = "https://open.weixin.qq.com"
    wechat_template_shipped: str | None = None
    wechat_template_delivered: str | None = None
    wechat_template_aftersales: str | None = None
    wechat_reply_budget_seconds: float = 4.0  # WeChat waits 5 s for the passive reply

    # --- admin and agents (admin_web) ---------------------------------------------------------
    agent_idle_timeout_minutes: int = 10
    admin_secret: SecretStr | None = None  # CSRF key; generated into <data_dir>/secrets.json if unset
    admin_low_stock_threshold: int = 5

    # --- conversations (dialogs) and web chat ---------------------------------------------------
    dialog_page_size: int = 5
    dialog_failures_before_human: int = 2
    webchat_otp_secret: SecretStr | None = None  # one-time sign-in codes; generated locally if unset
    sms_provider: Literal["sandbox"] = "sandbox"  # sandbox writes codes to the server log

    # --- logging ------------------------------------------------------------------------
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def base_url(self) -> str:
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @cached_property
    def storage_path(self) -> str:
        return self.embedded_storage_path or str(self.data_dir / "db")
