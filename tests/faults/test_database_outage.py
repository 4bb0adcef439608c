"""Fault injection: the database goes away under a running app and comes back.

Issue 17: requests hung for serverSelectionTimeoutMS=10000 and then answered 500, /healthz
included. Now: 503 with a JSON error and Retry-After within ~2 s, /healthz about the process,
/readyz about the database, and recovery without a restart."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from chatcart.bootstrap import running_container
from chatcart.embedded_db import EmbeddedMongo
from chatcart.settings import Settings
from chatcart.web import build_app

Client = TestClient[web.Request, web.Application]
ANSWER_WITHIN_SECONDS = 2.5


@dataclass
class Running:
    server: EmbeddedMongo
    client: Client


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[Running]:
    server = EmbeddedMongo(str(tmp_path / "db"), sync_on_commit=False)
    await asyncio.to_thread(server.start)
    settings = Settings(mongodb_uri=server.uri, db_name=f"outage_{uuid.uuid4().hex[:8]}", data_dir=tmp_path)
    try:
        async with (
            running_container(settings, with_nlu=False, with_dialogs=False) as container,
            TestClient(TestServer(build_app(container))) as client,
        ):
            yield Running(server, client)
    finally:
        await asyncio.to_thread(server.stop)


async def _timed(call: Awaitable[ClientResponse]) -> tuple[float, ClientResponse]:
    started = time.monotonic()
    response = await call
    return time.monotonic() - started, response


async def test_an_outage_is_a_quick_503_and_recovery_is_automatic(running: Running) -> None:
    client = running.client
    assert (await client.get("/readyz")).status == 200
    assert (await client.get("/api/v1/products")).status == 200
    port = running.server.port

    await asyncio.to_thread(running.server.kill)
    health = await client.get("/healthz")
    assert health.status == 200  # the process is fine: no restart during a database outage
    elapsed, ready = await _timed(client.get("/readyz"))
    assert ready.status == 503
    assert elapsed < ANSWER_WITHIN_SECONDS
    for method, path, body in (("GET", "/api/v1/products", None), ("POST", "/api/v1/session", {"language": "zh"})):
        elapsed, response = await _timed(client.request(method, path, json=body))
        assert response.status == 503, await response.text()
        assert elapsed < ANSWER_WITHIN_SECONDS, (path, elapsed)
        assert response.headers["Retry-After"].isdigit()
        assert (await response.json())["error"]["code"] == "service_unavailable"

    await asyncio.to_thread(running.server.start, port)
    deadline = time.monotonic() + 15
    while (await client.get("/readyz")).status != 200:
        assert time.monotonic() < deadline, "did not recover by itself"
        await asyncio.sleep(0.2)
    assert (await client.get("/api/v1/products")).status == 200
    assert (await client.post("/api/v1/session", json={"language": "zh"})).status == 201
