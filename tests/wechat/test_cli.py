"""`chatcart wechat menu push/show/delete` and `check` against the simulator."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from pymongo import MongoClient

from chatcart.cli import wechat as wechat_cli
from chatcart.cli.wechat import wechat
from chatcart.settings import Settings
from simulators.wechat_server import WeChatSimulator
from tests.wechat.conftest import APP_ID, APP_SECRET, TOKEN


@pytest.fixture
def simulator() -> Iterator[WeChatSimulator]:
    """The simulator on its own event loop thread: the CLI runs asyncio.run() itself."""
    import asyncio

    sim = WeChatSimulator(app_id=APP_ID, app_secret=APP_SECRET, token=TOKEN)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(sim.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(10)
    yield sim
    asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_menu_push_show_delete_and_check(
    simulator: WeChatSimulator, mongo_uri: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    db_name = f"test_wechat_cli_{uuid.uuid4().hex[:8]}"
    settings = Settings(
        wechat_app_id=APP_ID,
        wechat_app_secret=SecretStr(APP_SECRET),
        wechat_token=SecretStr(TOKEN),
        wechat_encoding_aes_key=None,
        wechat_api_base=simulator.base_url,
        public_base_url="https://shop.example",
        mongodb_uri=mongo_uri,
        db_name=db_name,
    )
    monkeypatch.setattr(wechat_cli, "load_settings", lambda db_uri=None: settings)
    request.addfinalizer(lambda: MongoClient(mongo_uri).drop_database(db_name))
    runner = CliRunner()
    pushed = runner.invoke(wechat, ["menu", "push"])
    assert pushed.exit_code == 0, pushed.output
    assert "菜单已发布" in pushed.output
    assert simulator.menu is not None
    assert simulator.menu["button"][0]["name"] == "商品"
    shown = runner.invoke(wechat, ["menu", "show"])
    assert json.loads(shown.output)["menu"] == simulator.menu
    assert runner.invoke(wechat, ["menu", "delete"]).exit_code == 0
    assert simulator.menu is None
    checked = runner.invoke(wechat, ["check"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert report["token_ok"] is True
    assert report["server_url"] == "https://shop.example/wechat"
    assert all(token not in checked.output for token in simulator.tokens)


def test_unconfigured_wechat_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wechat_cli, "load_settings", lambda db_uri=None: Settings(wechat_app_id=None))
    result = CliRunner().invoke(wechat, ["menu", "push"])
    assert result.exit_code != 0
    assert "CHATCART_WECHAT_APP_ID" in result.output
