"""The web chat over a real aiohttp server: page, WebSocket frames, sign-in codes, uploads."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from bot.webchat import OtpService, session_user, setup_webchat
from core.mongo import Database
from dialogs.engine import DialogEngine
from tests.dialogs.conftest import make_engine
from tests.dialogs.fake_shop import FakeShop


class CapturingSender:
    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    async def send_code(self, destination: str, code: str) -> None:
        self.codes[destination] = code


@pytest.fixture
async def client(
    db: Database, nlu: Any, tmp_path: Path
) -> AsyncIterator[tuple[TestClient[Any, Any], CapturingSender, DialogEngine]]:
    engine = make_engine(db, FakeShop(), nlu)
    codes = CapturingSender()
    app = web.Application()
    otp = OtpService(db, sms=codes, email=codes, secret="test-secret-test-secret")
    setup_webchat(app, engine, otp=otp, media_dir=tmp_path)
    test_client: TestClient[Any, Any] = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client, codes, engine
    await test_client.close()


async def test_page_is_served_with_texts_inlined(client: Any) -> None:
    http, _, _ = client
    response = await http.get("/chat")
    body = await response.text()
    assert response.status == 200
    assert "__CHATCART_TEXTS__" not in body
    assert "店铺小助手" in body


async def test_chat_over_websocket(client: Any) -> None:
    http, _, _ = client
    ws = await http.ws_connect("/chat/ws")
    await ws.send_json({"type": "text", "text": "你好"})
    assert (await ws.receive_json())["code"] == "hello_first"
    await ws.send_json({"type": "hello", "token": None, "lang": "zh"})
    welcome = await ws.receive_json()
    assert welcome["type"] == "welcome"
    assert len(welcome["token"]) >= 20
    greeting = await ws.receive_json()  # first open: the shop's welcome, not an empty page
    assert greeting["type"] == "replies"
    assert "购物" in greeting["replies"][0]["text"] or "助手" in greeting["replies"][0]["text"]
    assert greeting["replies"][0]["buttons"]
    await ws.send_json({"type": "text", "text": "有没有耳机"})
    frame = await ws.receive_json()
    assert frame["type"] == "replies"
    assert frame["replies"][0]["type"] == "carousel"
    payload = frame["replies"][0]["items"][0]["buttons"][0]["payload"]
    await ws.send_json({"type": "button", "payload": payload, "label": "x"})
    frame = await ws.receive_json()
    assert frame["replies"][0]["type"] == "product"
    await ws.send_json({"type": "text", "text": "x" * 5000})  # too long: refused and said so, connection stays
    assert await ws.receive_json() == {"type": "error", "code": "too_long", "max": 2000}
    await ws.send_json({"type": "button", "payload": ""})  # any other bad frame is named too
    assert await ws.receive_json() == {"type": "error", "code": "bad_frame"}
    await ws.send_json({"type": "text", "text": "谢谢"})
    thanks = await ws.receive_json()
    assert (thanks["type"], thanks["lang"]) == ("replies", "zh")
    await ws.send_json({"type": "text", "text": "/lang en"})  # the page's texts follow the conversation
    assert (await ws.receive_json())["lang"] == "en"
    await ws.close()


async def test_static_assets_and_a_strict_policy(client: Any) -> None:
    http, _, _ = client
    page = await http.get("/chat")
    policy = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    body = await page.text()
    assert '<script src="/chat/static/chat.js">' in body
    for name, kind in (("chat.js", "javascript"), ("chat.css", "css")):
        asset = await http.get(f"/chat/static/{name}")
        assert asset.status == 200
        assert kind in asset.headers["Content-Type"]
    assert (await http.get("/chat/static/chat.html")).status == 404
    assert (await http.get("/chat/static/..%2fserver.py")).status == 404


async def test_reopening_shows_the_history_as_the_customer_saw_it(client: Any) -> None:
    http, _, engine = client
    ws = await http.ws_connect("/chat/ws")
    await ws.send_json({"type": "hello", "lang": "zh"})
    token = (await ws.receive_json())["token"]
    await ws.receive_json()  # greeting
    await ws.send_json({"type": "text", "text": "有没有耳机"})
    carousel = (await ws.receive_json())["replies"][0]
    first = carousel["items"][0]
    await ws.send_json({"type": "button", "payload": first["buttons"][0]["payload"], "label": first["title"]})
    await ws.receive_json()
    await ws.close()

    again = await http.ws_connect("/chat/ws")
    await again.send_json({"type": "hello", "token": token, "lang": "zh"})
    assert (await again.receive_json())["type"] == "welcome"
    history = await again.receive_json()
    assert history["type"] == "history"
    messages = history["messages"]
    customer = [m["text"] for m in messages if m["who"] == "customer"]
    assert customer == ["有没有耳机", first["title"]]  # no "/start", no "[p:...]" codes
    kinds = [m["reply"]["type"] for m in messages if m["who"] == "bot"]
    assert kinds[0] == "text"  # the welcome
    assert "carousel" in kinds
    assert kinds[-1] == "product"
    # Pushed while the page was closed: in the history, once.
    from dialogs.messages import TextReply
    from dialogs.outbound import ChannelAddress

    await engine.outbound.send(ChannelAddress("webchat", session_user(token)), [TextReply(text="已发货")])
    await again.close()
    third = await http.ws_connect("/chat/ws")
    await third.send_json({"type": "hello", "token": token})
    await third.receive_json()
    texts = [m["reply"].get("text") for m in (await third.receive_json())["messages"] if m["who"] == "bot"]
    assert texts.count("已发货") == 1
    await third.close()


async def test_agent_messages_carry_the_agents_name(client: Any) -> None:
    http, _, engine = client
    ws = await http.ws_connect("/chat/ws")
    await ws.send_json({"type": "hello", "lang": "zh"})
    token = (await ws.receive_json())["token"]
    await ws.receive_json()
    await ws.send_json({"type": "text", "text": "/human"})
    await ws.receive_json()
    cid = f"webchat:{session_user(token)}"
    await engine.handoff.take_over(cid, "staff-1", "小李")
    joined = (await ws.receive_json())["replies"][0]
    assert joined == {**joined, "type": "handoff", "status": "agent", "agent_name": "小李"}
    assert "小李" in joined["text"]
    await engine.handoff.agent_send(cid, "staff-1", "您好", "小李")
    said = (await ws.receive_json())["replies"][0]
    assert (said["text"], said["agent_name"]) == ("您好", "小李")
    await engine.handoff.release(cid, "staff-1", "小李")
    left = (await ws.receive_json())["replies"][0]
    assert (left["status"], left["agent_name"]) == ("released", "小李")
    assert "小李" in left["text"]
    # A card an agent sends from the console is signed too (the chat draws it in the agent's row).
    from dialogs.messages import ProductCard
    from dialogs.outbound import ChannelAddress

    card = ProductCard(product_id="P1", title="耳机")
    await engine.outbound.send(
        ChannelAddress("webchat", session_user(token)), [card], sender="agent", agent_id="staff-1", agent_name="小李"
    )
    pushed = (await ws.receive_json())["replies"][0]
    assert (pushed["type"], pushed["agent_name"]) == ("product", "小李")
    await ws.close()


async def test_reconnect_with_token_keeps_the_conversation(client: Any) -> None:
    http, _, _engine = client
    ws = await http.ws_connect("/chat/ws")
    await ws.send_json({"type": "hello"})
    token = (await ws.receive_json())["token"]
    await ws.receive_json()  # greeting
    await ws.send_json({"type": "text", "text": "/lang en"})
    await ws.receive_json()
    await ws.close()
    again = await http.ws_connect("/chat/ws")
    await again.send_json({"type": "hello", "token": token})
    welcome = await again.receive_json()
    assert welcome["token"] == token
    assert welcome["lang"] == "en"
    await again.close()


async def test_sign_in_with_a_one_time_code(client: Any) -> None:
    http, codes, _ = client
    ws = await http.ws_connect("/chat/ws")
    await ws.send_json({"type": "hello"})
    await ws.receive_json()
    await ws.receive_json()  # greeting
    await ws.send_json({"type": "otp_request", "identifier": "not a phone"})
    assert (await ws.receive_json())["type"] == "otp_failed"
    await ws.send_json({"type": "otp_request", "identifier": "13800138000"})
    assert (await ws.receive_json())["type"] == "otp_sent"
    await ws.send_json(
        {
            "type": "otp_verify",
            "identifier": "13800138000",
            "code": "000000" if codes.codes["13800138000"] != "000000" else "111111",
        }
    )
    assert (await ws.receive_json())["type"] == "otp_failed"
    await ws.send_json({"type": "otp_verify", "identifier": "13800138000", "code": codes.codes["13800138000"]})
    signed = await ws.receive_json()
    assert signed["type"] == "signed_in"
    assert signed["who"] == "13800138000"
    await ws.close()


async def test_upload_accepts_images_only(client: Any, tmp_path: Path) -> None:
    http, _, _ = client
    assert (await http.post("/chat/upload", data=b"hello")).status == 401
    bad = await http.post("/chat/upload", data=b"not an image", headers={"X-Chat-Token": "t" * 24})
    assert bad.status == 422
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    good = await http.post("/chat/upload", data=buffer.getvalue(), headers={"X-Chat-Token": "t" * 24})
    assert good.status == 200
    url = (await good.json())["url"]
    assert url.startswith("/media/chat/")
    assert (tmp_path / "chat" / url.rsplit("/", 1)[1]).exists()
