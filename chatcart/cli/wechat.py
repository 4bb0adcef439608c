"""`chatcart wechat ...`: publish the custom menu, check the account set-up."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from chatcart.cli.common import db_uri_option, load_settings, print_json, run
from chatcart.settings import Settings

if TYPE_CHECKING:
    from bot.wechat.config import WeChatConfig


def _config(settings: Settings) -> WeChatConfig:
    from chatcart.bootstrap import wechat_config

    config = wechat_config(settings)
    if config is None:
        raise click.ClickException(
            "WeChat is not configured: set CHATCART_WECHAT_APP_ID, CHATCART_WECHAT_APP_SECRET "
            "and CHATCART_WECHAT_TOKEN (see README, 微信公众号)."
        )
    return config


async def _with_api(db_uri: str | None, action: str, lang: str) -> Any:
    from bot.wechat.api import WeChatApi, WeChatApiError
    from bot.wechat.menu import default_menu
    from chatcart.database import open_database

    settings = load_settings(db_uri)
    config = _config(settings)
    async with open_database(settings) as handle:
        api = WeChatApi(
            handle.db,
            app_id=config.app_id,
            app_secret=config.app_secret,
            api_base=config.api_base,
            timeout_seconds=config.api_timeout_seconds,
        )
        try:
            if action == "push":
                menu = default_menu("en" if lang == "en" else "zh")
                await api.create_menu(menu)
                return {"published": True, "menu": menu}
            if action == "show":
                return await api.get_menu()
            if action == "delete":
                await api.delete_menu()
                return {"deleted": True}
            if action == "check":
                await api.tokens.get()
                expires = await api.tokens.expires_at()
                return {
                    "app_id": config.app_id,
                    "token_ok": True,
                    "token_expires_at": expires,
                    "safe_mode": config.encoding_aes_key is not None,
                    "server_url": f"{config.base_url}{config.path}",
                }
            raise click.ClickException(f"unknown action {action}")
        except WeChatApiError as exc:
            raise click.ClickException(f"WeChat refused: {exc.errcode} {exc.errmsg}") from None
        finally:
            await api.close()


@click.group()
def wechat() -> None:
    """WeChat official account (微信公众号) tools."""


@wechat.group()
def menu() -> None:
    """The custom menu: 商品 / 购物车 / 我的 (我的订单, 联系客服)."""


@menu.command("push")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Menu labels.")
@db_uri_option
def menu_push(lang: str, db_uri: str | None) -> None:
    """Publish chatcart's menu to the account (replaces the current one)."""
    result = run(_with_api(db_uri, "push", lang))
    click.echo(json.dumps(result["menu"], ensure_ascii=False, indent=2))
    click.echo("menu published / 菜单已发布")


@menu.command("show")
@db_uri_option
def menu_show(db_uri: str | None) -> None:
    """Print the menu currently published."""
    print_json(run(_with_api(db_uri, "show", "zh")))


@menu.command("delete")
@db_uri_option
def menu_delete(db_uri: str | None) -> None:
    """Remove the custom menu."""
    print_json(run(_with_api(db_uri, "delete", "zh")))


@wechat.command("check")
@db_uri_option
def check(db_uri: str | None) -> None:
    """Check the credentials by fetching an access token (the token itself is never printed)."""
    print_json(run(_with_api(db_uri, "check", "zh")))
