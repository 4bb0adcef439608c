"""A follower's chat with the official account in the terminal, against the WeChat simulator.

chatcart runs unchanged with `chatcart serve`, its WeChat settings pointing at the simulator's
API; what the person types is pushed to chatcart's webhook signed (and, in safe mode, encrypted)
as WeChat does, and passive replies, customer-service messages and template messages are
printed as the chat would show them.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from typing import Any

from simulators.terminal import say, typed_lines
from simulators.wechat_server import Shown, WeChatSimulator

APP_ID = "wxsimulated0000001"
APP_SECRET = "simulated-app-secret"  # noqa: S105 - a simulator's own credential, printed for the user
TOKEN = "simulated-token"  # noqa: S105
ENCODING_AES_KEY = base64.b64encode(b"chatcart-wechat-simulator-key-32").decode().rstrip("=")
TEMPLATES = {
    "CHATCART_WECHAT_TEMPLATE_ORDER_PAID": "sim-template-order-paid",
    "CHATCART_WECHAT_TEMPLATE_SHIPPED": "sim-template-shipped",
    "CHATCART_WECHAT_TEMPLATE_DELIVERED": "sim-template-delivered",
    "CHATCART_WECHAT_TEMPLATE_AFTERSALES": "sim-template-aftersales",
}

HELP = """Type a message and press Enter.
  !subscribe      follow the account (the welcome message)
  !menu           the menu chatcart published (`chatcart wechat menu push`)
  !click KEY      press a menu button by its key
  !verify         the URL check WeChat runs when the server address is saved
  !help, !quit"""


def settings_for(simulator: WeChatSimulator, *, safe: bool) -> dict[str, str]:
    """The environment that points chatcart's WeChat channel at the simulator."""
    values = {
        "CHATCART_WECHAT_APP_ID": APP_ID,
        "CHATCART_WECHAT_APP_SECRET": APP_SECRET,
        "CHATCART_WECHAT_TOKEN": TOKEN,
        "CHATCART_WECHAT_API_BASE": simulator.base_url,
        "CHATCART_WECHAT_OAUTH_BASE": simulator.base_url,
        **TEMPLATES,
    }
    if safe:
        values["CHATCART_WECHAT_ENCODING_AES_KEY"] = ENCODING_AES_KEY
    return values


def describe(shown: Shown) -> str:
    if shown.msgtype == "news":
        return "\n".join(
            f"[card] {a.get('title', '')} - {a.get('description', '')} <{a.get('url', '')}>" for a in shown.articles
        )
    if shown.msgtype == "template":
        return f"[template message]\n{shown.content}"
    return shown.content


def menu_keys(menu: Mapping[str, Any] | None) -> list[str]:
    lines: list[str] = []
    buttons = menu.get("button") if menu else None
    for button in buttons if isinstance(buttons, list) else []:
        for item in button.get("sub_button") or [button]:
            target = item.get("key") or item.get("url") or ""
            lines.append(f"{button.get('name')} / {item.get('name')}: {item.get('type')} {target}")
    return lines


async def run_wechat_chat(*, port: int, endpoint: str, openid: str, safe: bool) -> None:
    simulator = WeChatSimulator(
        app_id=APP_ID, app_secret=APP_SECRET, token=TOKEN, encoding_aes_key=ENCODING_AES_KEY if safe else None
    )
    simulator.template_ids.update(TEMPLATES.values())
    simulator.endpoint = endpoint
    simulator.oauth_user = {"openid": openid, "nickname": "Sim"}
    await simulator.start(port)
    environment = " \\\n  ".join(f"{key}={value}" for key, value in settings_for(simulator, safe=safe).items())
    say(
        f"Simulated WeChat API on {simulator.base_url}, pushing to {endpoint}.\n"
        f"In another terminal start chatcart with:\n  {environment} \\\n  chatcart serve --demo\n\n" + HELP
    )

    async def follow() -> None:
        shown = 0
        while True:
            chat = simulator.chat(openid)
            for message in chat[shown:]:
                say(f"{message.via}: {describe(message)}")
            shown = len(chat)
            await asyncio.sleep(0.1)

    follower = asyncio.create_task(follow())
    try:
        async for line in typed_lines():
            if not line:
                continue
            if line in ("!quit", "!q"):
                break
            if line == "!help":
                say(HELP)
                continue
            if line == "!menu":
                say("\n".join(menu_keys(simulator.menu)) or "no menu published yet")
                continue
            if line == "!verify":
                status, body = await simulator.verify_url()
                say(f"URL check: HTTP {status} {'passed' if body == 'echo-1234' else 'FAILED: ' + body[:200]}")
                continue
            if line == "!subscribe":
                fields = simulator.event(openid, "subscribe")
            elif line.startswith("!click "):
                fields = simulator.event(openid, "CLICK", key=line.split(maxsplit=1)[1])
            elif line.startswith("!"):
                say(f"unknown command {line.split()[0]}\n{HELP}")
                continue
            else:
                fields = simulator.text(openid, line)
            delivery = await simulator.push(fields)
            if not delivery.answered:
                say(f"WeChat shows: 该公众号暂时无法提供服务，请稍后再试 ({delivery.error})")
    finally:
        follower.cancel()
        await simulator.stop()
