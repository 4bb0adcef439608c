"""Each kind of WeChat push becomes the right dialog input (or none)."""

from __future__ import annotations

from bot.wechat.users import WeChatUsers
from tests.wechat.conftest import HarnessFactory


async def test_subscribe_with_qr_scene_starts_with_scene(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    delivery = await h.sim.push(h.sim.event("oNew", "subscribe", "qrscene_promo2024", Ticket="TICKET"))
    assert delivery.reply is not None
    [start] = h.dialogs.seen
    assert (start.kind, start.command, start.args) == ("command", "start", "promo2024")
    user = await WeChatUsers(h.db).get("oNew")
    assert user is not None
    assert user.subscribed
    assert user.scene == "promo2024"


async def test_unsubscribe_is_recorded_and_not_answered(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    await h.sim.push(h.sim.text("oBye", "hi"))
    delivery = await h.sim.push(h.sim.event("oBye", "unsubscribe"))
    assert delivery.attempts[-1].body == "success"
    assert len(h.dialogs.seen) == 1
    user = await WeChatUsers(h.db).get("oBye")
    assert user is not None
    assert not user.subscribed
    assert not await WeChatUsers(h.db).window_open("oBye")


async def test_menu_clicks_map_to_dialog_commands(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    for key in ("CC_PRODUCTS", "CC_CART", "CC_ORDERS", "CC_HUMAN", "pop"):
        await h.sim.push(h.sim.event("oMenu", "CLICK", key))
    seen = [(m.kind, m.command or m.payload) for m in h.dialogs.seen]
    assert seen == [
        ("button", "pop"),
        ("command", "cart"),
        ("command", "orders"),
        ("command", "human"),
        ("button", "pop"),
    ]


async def test_view_and_template_finished_events_are_acknowledged_only(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    view = await h.sim.push(h.sim.event("oV", "VIEW", "https://shop.example/p/1"))
    done = await h.sim.push(h.sim.event("oV", "TEMPLATESENDJOBFINISH", None, MsgID=200228332, Status="success"))
    assert view.attempts[-1].body == done.attempts[-1].body == "success"
    assert h.dialogs.seen == []
    assert await WeChatUsers(h.db).window_open("oV")  # VIEW is an interaction


async def test_voice_uses_recognition_or_asks_for_text(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    await h.sim.push(h.sim.message("oVoice", "voice", MediaId="m1", Format="amr", Recognition="我要买耳机"))
    delivery = await h.sim.push(h.sim.message("oVoice", "voice", MediaId="m2", Format="amr"))
    assert [m.text for m in h.dialogs.seen] == ["我要买耳机"]
    assert delivery.reply is not None
    assert "语音" in delivery.reply["Content"]


async def test_image_location_and_link(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    await h.sim.push(h.sim.message("oM", "image", PicUrl="https://mmbiz.example/pic.jpg", MediaId="m"))
    await h.sim.push(
        h.sim.message("oM", "location", Location_X="31.2304", Location_Y="121.4737", Scale="15", Label="上海市黄浦区")
    )
    await h.sim.push(h.sim.message("oM", "link", Title="好物推荐", Description="d", Url="https://example.com/a"))
    image, location, link = h.dialogs.seen
    assert image.kind == "image"
    assert image.image_urls == ("https://mmbiz.example/pic.jpg",)
    assert (location.kind, location.latitude, location.longitude) == ("location", 31.2304, 121.4737)
    assert link.text == "好物推荐 https://example.com/a"


async def test_unsupported_message_gets_polite_text(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    delivery = await h.sim.push(h.sim.message("oVid", "video", MediaId="v", ThumbMediaId="t"))
    assert delivery.reply is not None
    assert "文字" in delivery.reply["Content"]
    assert h.dialogs.seen == []
