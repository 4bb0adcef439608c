"""OAuth binding of openid/unionid, template notices when the 48-h window is closed, outbound pushes."""

from __future__ import annotations

import aiohttp
import pytest

from bot.wechat.oauth import COOKIE, WeChatIdentity, WeChatSession, safe_next
from bot.wechat.sender import ServiceWindowClosed
from commerce.customers.model import IdentityKind
from commerce.events import OrderDelivered, OrderPaid, OrderShipped
from commerce.money import Money
from commerce.orders.events import StoredEvent
from dialogs.messages import TextReply
from dialogs.outbound import ChannelAddress
from tests.wechat.conftest import Harness, HarnessFactory


async def _follow_oauth(h_base: str, path: str) -> tuple[str, aiohttp.CookieJar]:
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session, session.get(h_base + path) as response:
        return str(response.url), jar


@pytest.mark.parametrize("scope", ["snsapi_base", "snsapi_userinfo"])
async def test_oauth_binds_openid_and_unionid_to_the_customer(make_harness: HarnessFactory, scope: str) -> None:
    h = await make_harness()
    base = str(h.server.make_url("")).rstrip("/")
    h.channel.oauth.base_url = base  # the callback must come back to this test server
    h.sim.oauth_user = {"openid": "oOauth1", "unionid": "uUnion1", "nickname": "小明"}
    existing = await h.customers.identify(IdentityKind.WECHAT_UNIONID, "uUnion1")  # known from another app
    final_url, jar = await _follow_oauth(base, f"/wechat/oauth/start?next=/p/EAR-1&scope={scope}")
    assert final_url == base + "/p/EAR-1"  # no product route mounted here: 404 is fine, the path matters
    cookie = next(c for c in jar if c.key == COOKIE)
    identity = h.channel.session.decode(cookie.value)
    assert identity is not None
    assert identity.openid == "oOauth1"
    customer = await h.customers.find_by_identity(IdentityKind.WECHAT_OPENID, "oOauth1")
    assert customer is not None
    assert customer.id == identity.customer_id == existing.id
    assert customer.identity(IdentityKind.WECHAT_UNIONID) == "uUnion1"


async def test_oauth_state_is_single_use_and_redirects_stay_local(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    base = str(h.server.make_url("")).rstrip("/")
    async with (
        aiohttp.ClientSession() as session,
        session.get(base + "/wechat/oauth/callback?code=abc&state=deadbeef") as response,
    ):
        assert response.status == 400
    assert safe_next("https://evil.example/") == "/"
    assert safe_next("//evil.example/") == "/"
    assert safe_next("/pay/1?x=2") == "/pay/1?x=2"


def test_session_cookie_is_tamper_proof() -> None:
    session = WeChatSession("secret")
    value = session.encode(WeChatIdentity("oA", "C1"))
    assert session.decode(value) == WeChatIdentity("oA", "C1")
    assert session.decode(value.replace("oA", "oB")) is None
    assert WeChatSession("other").decode(value) is None
    assert session.decode(value, now=10**12) is None  # expired


async def _customer_with_openid(h: Harness, openid: str) -> str:
    customer = await h.customers.identify(IdentityKind.WECHAT_OPENID, openid)
    return str(customer.id)


async def test_template_sent_only_when_window_closed(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    h.sim.template_ids.update({"TPL_PAID", "TPL_SHIP"})
    customer_id = await _customer_with_openid(h, "oTpl")
    await h.sim.push(h.sim.text("oTpl", "hi"))  # window open
    paid = StoredEvent(
        "e1", OrderPaid(customer_id=customer_id, order_id="o1", number="A100", total=Money(89900, "CNY"))
    )
    assert not await h.channel.notifier.notify(paid)
    await h.channel.users.window_closed("oTpl")
    assert await h.channel.notifier.notify(paid)
    shipped = StoredEvent(
        "e2", OrderShipped(customer_id=customer_id, order_id="o1", number="A100", carrier="SF", tracking_no="SF123")
    )
    assert await h.channel.notifier.notify(shipped)
    first, second = h.sim.templates_sent
    assert first["template_id"] == "TPL_PAID"
    assert first["touser"] == "oTpl"
    assert first["data"]["keyword1"]["value"] == "A100"
    assert "899" in first["data"]["keyword2"]["value"]
    assert second["data"]["keyword2"]["value"] == "SF SF123"
    delivered = StoredEvent("e3", OrderDelivered(customer_id=customer_id, order_id="o1", number="A100"))
    assert not await h.channel.notifier.notify(delivered)  # no template id configured for it


async def test_outbound_sender_pushes_within_window_and_refuses_outside(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    await h.sim.push(h.sim.text("oPush", "hi"))
    address = ChannelAddress("wechat", "oPush")
    await h.channel.sender.send(address, [TextReply(text="客服：您好，有什么可以帮您？")])
    assert h.sim.texts("oPush")[-1] == "客服：您好，有什么可以帮您？"
    await h.channel.users.window_closed("oPush")
    with pytest.raises(ServiceWindowClosed):
        await h.channel.sender.send(address, [TextReply(text="too late")])
    assert "too late" not in h.sim.texts("oPush")
