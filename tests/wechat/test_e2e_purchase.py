"""A whole purchase over WeChat (safe mode) on the real container: browse, choose, add, check
out, pay, get the payment confirmation as a chat push and the shipping notice as a template
message once the 48-hour window is closed."""

from __future__ import annotations

import uuid
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from pymongo import MongoClient

from bot.wechat import TemplateIds, WeChatChannel, WeChatConfig
from bot.wechat.channel import WECHAT_CHANNEL
from chatcart.bootstrap import Container, running_container
from chatcart.embedded_db import free_port
from chatcart.settings import Settings
from chatcart.web import mount_wechat
from commerce.catalog.demo import demo_store_data
from commerce.customers.model import IdentityKind
from dialogs.shop_adapter import CommerceSandbox
from simulators.wechat_server import WeChatSimulator
from tests.wechat.conftest import AES_KEY, APP_ID, APP_SECRET, TOKEN

OPENID = "oE2eBuyer000001"


async def test_whole_purchase_over_wechat(mongo_uri: str, tmp_path: Path) -> None:
    db_name = f"test_wx_e2e_{uuid.uuid4().hex[:8]}"
    port = free_port()  # known up front: payment links, product links and OAuth need the public URL
    base = f"http://127.0.0.1:{port}"
    settings = Settings(mongodb_uri=mongo_uri, db_name=db_name, data_dir=tmp_path, public_base_url=base)
    sim = WeChatSimulator(app_id=APP_ID, app_secret=APP_SECRET, token=TOKEN, encoding_aes_key=AES_KEY)
    await sim.start()
    sim.template_ids.update({"TPL_PAID", "TPL_SHIP"})
    try:
        async with running_container(settings) as container:
            assert (await container.commerce.catalog.import_catalog(demo_store_data())).ok
            app = web.Application()
            config = WeChatConfig(
                app_id=APP_ID,
                app_secret=APP_SECRET,
                token=TOKEN,
                encoding_aes_key=AES_KEY,
                api_base=sim.base_url,
                oauth_base=sim.base_url,
                public_base_url=base,
                templates=TemplateIds(order_paid="TPL_PAID", order_shipped="TPL_SHIP"),
            )
            channel = mount_wechat(app, container, config)
            assert channel is not None
            assert app[WECHAT_CHANNEL] is channel
            server = TestServer(app, host="127.0.0.1", port=port)
            await server.start_server()  # runs the start-up hook (indexes)
            sim.endpoint = base + config.path
            try:
                await _purchase(sim, channel, container, base)
            finally:
                await server.close()  # runs the clean-up hook (closes the channel)
    finally:
        await sim.stop()
        MongoClient(mongo_uri).drop_database(db_name)


async def _say(sim: WeChatSimulator, channel: WeChatChannel, text: str) -> str:
    delivery = await sim.push(sim.text(OPENID, text))
    assert delivery.answered, delivery.error
    assert len(delivery.attempts) == 1  # answered passively within the 5 s
    await channel.processor.drain()
    return "\n".join(m.content or m.articles[0]["title"] for m in sim.chat(OPENID))


async def _purchase(sim: WeChatSimulator, channel: WeChatChannel, container: Container, base: str) -> None:
    follow = await sim.push(sim.event(OPENID, "subscribe", "qrscene_launch"))
    assert follow.reply is not None
    assert "您好" in follow.reply["Content"]

    chat = await _say(sim, channel, "我想买手机")
    assert "极光手机 X1" in chat
    news = [m for m in sim.chat(OPENID) if m.msgtype == "news"]
    assert news
    assert all(len(m.articles) == 1 for m in news)
    article = news[0].articles[0]
    assert article["picurl"] == base + "/media/products/P100.png"

    # Opening the article: silent OAuth, then the product page.
    sim.oauth_user = {"openid": OPENID, "unionid": "uE2eUnion"}
    async with aiohttp.ClientSession() as browser, browser.get(article["url"]) as page:
        assert page.status == 200
        assert str(page.url).startswith(base + "/p/P100")
        assert "极光手机 X1" in await page.text()

    for step in ("1", "2", "3", "1", "张三 13800138000 上海市浦东新区世纪大道100号", "1", "1"):
        chat = await _say(sim, channel, step)
    assert "请确认订单" in chat
    chat = await _say(sim, channel, "1")
    assert "/wechat/oauth/start?next=%2Fpay%2Fsandbox%2Fsbx_" in chat  # the pay page, through OAuth

    customers = container.commerce.customers
    customer = await customers.find_by_identity(IdentityKind.WECHAT_OPENID, OPENID)
    assert customer is not None
    assert customer.identity(IdentityKind.WECHAT_UNIONID) == "uE2eUnion"

    sandbox = CommerceSandbox(container.commerce)
    before = len(sim.chat(OPENID))
    assert await sandbox.settle_latest_payment(customer.id, True) is not None
    await container.commerce.events.dispatch_once()
    await channel.processor.drain()
    pushed = sim.chat(OPENID)[before:]
    assert pushed
    assert all(m.via == "custom" for m in pushed)
    assert not sim.templates_sent

    await channel.users.window_closed(OPENID)
    sim.close_window(OPENID)
    assert await sandbox.ship_latest(customer.id) is not None
    await container.commerce.events.dispatch_once()
    assert [t["template_id"] for t in sim.templates_sent] == ["TPL_SHIP"]
    assert sim.templates_sent[0]["touser"] == OPENID
