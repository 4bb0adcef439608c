"""The webhook as WeChat uses it: verification, plaintext and safe mode, forged and replayed requests."""

from __future__ import annotations

import time

import aiohttp
import pytest

from simulators.wechat_server import to_xml, wechat_signature
from tests.wechat.conftest import HarnessFactory


async def test_url_verification_echoes_echostr(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    assert await h.sim.verify_url("hello-4321") == (200, "hello-4321")


async def test_url_verification_with_wrong_signature_is_refused(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    h.sim.token = "not-the-token"
    status, body = await h.sim.verify_url("hello")
    assert status == 403
    assert "hello" not in body


@pytest.mark.parametrize("safe_mode", [False, True])
async def test_text_message_gets_passive_reply(make_harness: HarnessFactory, safe_mode: bool) -> None:
    h = await make_harness(safe_mode=safe_mode)
    delivery = await h.sim.push(h.sim.text("oUser1", "你好"))
    assert delivery.answered, delivery.error
    assert len(delivery.attempts) == 1
    assert delivery.reply is not None
    assert delivery.reply["Content"] == "echo: 你好"
    assert h.sim.texts("oUser1") == ["echo: 你好"]
    assert [m.text for m in h.dialogs.seen] == ["你好"]
    if safe_mode:
        assert "<Encrypt>" in delivery.attempts[0].body
        assert "你好" not in delivery.attempts[0].body


async def _post(h_url: str, query: dict[str, str], body: bytes) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(h_url, params=query, data=body) as response:
        return response.status, await response.text()


async def test_forged_signature_is_refused_and_nothing_processed(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "下单")))
    query["signature"] = "0" * 40
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 403
    assert h.dialogs.seen == []


async def test_forged_msg_signature_in_safe_mode_is_refused(make_harness: HarnessFactory) -> None:
    h = await make_harness(safe_mode=True)
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "下单")))
    query["msg_signature"] = wechat_signature("other-token", query["timestamp"], query["nonce"], "x")
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 403
    assert h.dialogs.seen == []


async def test_ciphertext_for_another_app_is_refused(make_harness: HarnessFactory) -> None:
    h = await make_harness(safe_mode=True)
    assert h.sim.crypto is not None
    h.sim.crypto.app_id = "wxSomeoneElse000"
    delivery = await h.sim.push(h.sim.text("oUser1", "hi"))
    assert delivery.attempts[0].status == 403
    assert h.dialogs.seen == []


async def test_stale_timestamp_is_refused(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    old = str(int(time.time()) - 3600)
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "hi")), timestamp=old)
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 403
    assert h.dialogs.seen == []


async def test_replayed_nonce_with_another_body_is_refused(make_harness: HarnessFactory) -> None:
    """Plaintext signatures do not cover the body: a captured query must not carry a new body."""
    h = await make_harness()
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "看看耳机")))
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 200
    forged = to_xml(h.sim.text("oVictim", "取消订单"))
    assert (await _post(h.sim.endpoint or "", query, forged.encode()))[0] == 403
    assert [m.channel_user_id for m in h.dialogs.seen] == ["oUser1"]


async def test_exact_replay_is_answered_once(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "看看耳机")))
    first = await _post(h.sim.endpoint or "", query, body.encode())
    second = await _post(h.sim.endpoint or "", query, body.encode())
    assert first[0] == second[0] == 200
    assert "echo: 看看耳机" in first[1]
    assert "echo: 看看耳机" in second[1]
    assert len(h.dialogs.seen) == 1


async def test_openid_in_query_must_match_sender(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "hi")), openid="oSomebodyElse")
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 403
    assert h.dialogs.seen == []


async def test_oversized_body_is_refused(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    query, body = h.sim.signed_query(to_xml(h.sim.text("oUser1", "x" * 70_000)))
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 413
    assert h.dialogs.seen == []


@pytest.mark.parametrize(
    "payload",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>gh</ToUserName><FromUserName>oU</FromUserName>'
        "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content><MsgId>1</MsgId></xml>",
        # XXE: read a local file
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh'
        "</ToUserName><FromUserName>oU</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        "<Content>&xxe;</Content><MsgId>2</MsgId></xml>",
        "<xml><ToUserName>gh</ToUserName><FromUserName>oU",  # truncated
        "<html><body>not wechat</body></html>",
        "<xml>" + "<a>" * 50 + "</a>" * 50 + "</xml>",  # deep nesting
    ],
)
async def test_malicious_xml_is_rejected(make_harness: HarnessFactory, payload: str) -> None:
    h = await make_harness()
    query, _ = h.sim.signed_query("")
    status, body = await _post(h.sim.endpoint or "", query, payload.encode())
    assert status == 400
    assert "root:" not in body
    assert h.dialogs.seen == []


async def test_malicious_xml_inside_safe_mode_envelope_is_rejected(make_harness: HarnessFactory) -> None:
    h = await make_harness(safe_mode=True)
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>gh'
        "</ToUserName><FromUserName>oU</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType>"
        "<Content>&xxe;</Content><MsgId>3</MsgId></xml>"
    )
    query, body = h.sim.signed_query(evil)
    assert (await _post(h.sim.endpoint or "", query, body.encode()))[0] == 400
    assert h.dialogs.seen == []
