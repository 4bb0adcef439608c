"""WeChat official-account channel configuration.

Built from the typed settings (`CHATCART_WECHAT_*`) by `chatcart.bootstrap.wechat_config`, or
directly in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commerce.events import AfterSaleChanged, DomainEvent, OrderDelivered, OrderPaid, OrderRefunded, OrderShipped

DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_OAUTH_BASE = "https://open.weixin.qq.com"


@dataclass(frozen=True)
class TemplateIds:
    """Template-message ids chosen in the WeChat admin console (模板消息), one per notice."""

    order_paid: str | None = None
    order_shipped: str | None = None
    order_delivered: str | None = None
    aftersales: str | None = None

    def for_event(self, event: DomainEvent) -> str | None:
        match event:
            case OrderPaid():
                return self.order_paid
            case OrderShipped():
                return self.order_shipped
            case OrderDelivered():
                return self.order_delivered
            case AfterSaleChanged() | OrderRefunded():
                return self.aftersales
        return None


@dataclass(frozen=True)
class WeChatConfig:
    app_id: str
    app_secret: str
    token: str
    encoding_aes_key: str | None = None  # 43 characters; set = safe/compatible mode available
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    public_base_url: str = "http://127.0.0.1:8080"
    templates: TemplateIds = field(default_factory=TemplateIds)
    # WeChat waits 5 s for the passive reply; keep a margin for network and encryption.
    reply_budget_seconds: float = 4.0
    timestamp_tolerance_seconds: int = 300
    max_body_bytes: int = 64 * 1024
    # How long finished answers are kept for retries and duplicate deliveries.
    inbox_ttl_seconds: int = 24 * 3600
    # Customer-service messages are allowed for 48 h after the user's last interaction.
    service_window_seconds: int = 48 * 3600
    api_timeout_seconds: float = 10.0
    # Wrap product links in OAuth (snsapi_base) so product pages know the shopper.
    oauth_product_links: bool = True
    path: str = "/wechat"

    def __post_init__(self) -> None:
        if not self.app_id or not self.app_secret or not self.token:
            raise ValueError("WeChat app id, app secret and token are required")
        if self.encoding_aes_key is not None and len(self.encoding_aes_key) != 43:
            raise ValueError("the WeChat EncodingAESKey must be 43 characters long")
        if not 0 < self.reply_budget_seconds < 5:
            raise ValueError("the passive-reply budget must be between 0 and 5 seconds")

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")
