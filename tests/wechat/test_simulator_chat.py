"""`python -m simulators wechat`: the settings it prints configure chatcart's WeChat channel for
the simulator, and what it prints of the chat reads like the chat."""

from __future__ import annotations

from bot.wechat.config import WeChatConfig
from chatcart.bootstrap import wechat_config
from chatcart.settings import Settings
from simulators.wechat_chat import APP_ID, APP_SECRET, TEMPLATES, TOKEN, describe, menu_keys, settings_for
from simulators.wechat_server import Shown, WeChatSimulator


def _configured(environment: dict[str, str]) -> WeChatConfig:
    values = {key.removeprefix("CHATCART_").lower(): value for key, value in environment.items()}
    settings = Settings.model_validate(values)  # the values alone: no environment, no .env file
    config = wechat_config(settings)
    assert config is not None
    return config


def test_printed_settings_point_the_channel_at_the_simulator_in_safe_mode() -> None:
    simulator = WeChatSimulator(app_id=APP_ID, app_secret=APP_SECRET, token=TOKEN)
    simulator.base_url = "http://127.0.0.1:8082"
    config = _configured(settings_for(simulator, safe=True))
    assert (config.app_id, config.app_secret, config.token) == (APP_ID, APP_SECRET, TOKEN)
    assert config.api_base == config.oauth_base == "http://127.0.0.1:8082"
    assert config.encoding_aes_key is not None
    assert len(config.encoding_aes_key) == 43
    assert config.templates.order_paid == TEMPLATES["CHATCART_WECHAT_TEMPLATE_ORDER_PAID"]
    assert _configured(settings_for(simulator, safe=False)).encoding_aes_key is None


def test_cards_templates_and_menu_are_printed_readably() -> None:
    card = Shown("custom", "news", articles=[{"title": "耳机", "description": "¥199.00", "url": "https://x/p/1"}])
    assert describe(card) == "[card] 耳机 - ¥199.00 <https://x/p/1>"
    assert describe(Shown("template", "template", content="first: paid")) == "[template message]\nfirst: paid"
    menu = {
        "button": [
            {"type": "click", "name": "商品", "key": "MENU_PRODUCTS"},
            {"name": "我的", "sub_button": [{"type": "click", "name": "我的订单", "key": "MENU_ORDERS"}]},
        ]
    }
    assert menu_keys(menu) == ["商品 / 商品: click MENU_PRODUCTS", "我的 / 我的订单: click MENU_ORDERS"]
    assert menu_keys(None) == []
