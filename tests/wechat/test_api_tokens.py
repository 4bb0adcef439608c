"""Access token: cached, shared between processes, refreshed once when WeChat rejects it."""

from __future__ import annotations

import asyncio

import pytest

from bot.wechat.api import WeChatApi, WeChatApiError
from core.mongo import Database
from tests.wechat.conftest import APP_ID, APP_SECRET, HarnessFactory


def _api(db: Database, base: str) -> WeChatApi:
    return WeChatApi(db, app_id=APP_ID, app_secret=APP_SECRET, api_base=base)


async def test_token_is_fetched_once_and_shared_by_processes(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    first, second = _api(h.db, h.sim.base_url), _api(h.db, h.sim.base_url)  # two "processes"
    try:
        h.sim.last_interaction["oA"] = 1e12  # window open
        await asyncio.gather(*(api.send_text("oA", f"m{i}") for i, api in enumerate([first, second] * 5)))
        assert h.sim.token_requests == 1
        assert len(h.sim.texts("oA")) == 10
    finally:
        await first.close()
        await second.close()


async def test_expired_token_mid_flight_is_refreshed_and_call_retried(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    api = h.channel.api
    h.sim.last_interaction["oB"] = 1e12
    await api.send_text("oB", "one")
    h.sim.expire_tokens()  # 42001 on the next call
    await api.send_text("oB", "two")
    h.sim.revoke_tokens()  # 40001 on the next call
    await api.send_text("oB", "three")
    assert h.sim.texts("oB") == ["one", "two", "three"]
    assert h.sim.token_requests == 3


async def test_other_processes_pick_up_the_refreshed_token(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    other = _api(h.db, h.sim.base_url)
    try:
        h.sim.last_interaction["oC"] = 1e12
        await h.channel.api.send_text("oC", "a")
        h.sim.revoke_tokens()
        await h.channel.api.send_text("oC", "b")  # refreshes
        await other.send_text("oC", "c")  # reads the new token from MongoDB, no fetch
        assert h.sim.token_requests == 2
    finally:
        await other.close()


async def test_wrong_secret_is_reported_not_retried_forever(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    api = WeChatApi(h.db, app_id=APP_ID, app_secret="wrong", api_base=h.sim.base_url)
    try:
        with pytest.raises(WeChatApiError) as caught:
            await api.send_text("oD", "x")
        assert caught.value.errcode == 40125
    finally:
        await api.close()


async def test_custom_send_outside_48h_window_reports_45015(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    h.sim.close_window("oE")
    with pytest.raises(WeChatApiError) as caught:
        await h.channel.api.send_text("oE", "late")
    assert caught.value.errcode == 45015


async def test_menu_push_get_delete(make_harness: HarnessFactory) -> None:
    from bot.wechat.menu import default_menu

    h = await make_harness()
    await h.channel.api.create_menu(default_menu("zh"))
    assert h.sim.menu is not None
    names = [b["name"] for b in h.sim.menu["button"]]
    assert names == ["商品", "购物车", "我的"]
    assert [s["name"] for s in h.sim.menu["button"][2]["sub_button"]] == ["我的订单", "联系客服"]
    assert (await h.channel.api.get_menu())["menu"] == h.sim.menu
    await h.channel.api.create_menu(default_menu("en"))
    await h.channel.api.delete_menu()
    assert h.sim.menu is None


async def test_media_upload_returns_media_id(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    media_id = await h.channel.api.upload_media("image", "p.png", b"\x89PNG....", "image/png")
    assert len(media_id) == 32
