"""The custom menu (自定义菜单): 商品 / 购物车 / 我的订单 / 联系客服, and what each click means.

WeChat allows at most 3 top-level buttons (4 Chinese characters each) with up to 5 entries
below each, so "我的订单" and "联系客服" sit under a third button "我的".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.wechat.texts import wt
from dialogs.messages import IncomingMessage, Lang


@dataclass(frozen=True)
class MenuAction:
    label_key: str
    kind: Literal["command", "button"]
    value: str  # dialog command name, or button payload

    def incoming(self, openid: str) -> IncomingMessage:
        if self.kind == "command":
            # No "/cart" text: it would read as English to the engine's language guess.
            return IncomingMessage(channel="wechat", channel_user_id=openid, kind="command", command=self.value)
        return IncomingMessage.from_button("wechat", openid, self.value)


# CLICK event keys -> dialog input. "pop" is the dialogs' "popular products" button payload.
MENU_ACTIONS: dict[str, MenuAction] = {
    "CC_PRODUCTS": MenuAction("menu.products", "button", "pop"),
    "CC_CART": MenuAction("menu.cart", "command", "cart"),
    "CC_ORDERS": MenuAction("menu.orders", "command", "orders"),
    "CC_HUMAN": MenuAction("menu.human", "command", "human"),
}


def default_menu(lang: Lang = "zh") -> dict[str, Any]:
    """The menu JSON for `menu/create`: 商品, 购物车, and 我的 -> (我的订单, 联系客服)."""

    def click(key: str) -> dict[str, str]:
        return {"type": "click", "name": wt(MENU_ACTIONS[key].label_key, lang), "key": key}

    return {
        "button": [
            click("CC_PRODUCTS"),
            click("CC_CART"),
            {"name": wt("menu.mine", lang), "sub_button": [click("CC_ORDERS"), click("CC_HUMAN")]},
        ]
    }
