"""The Rasa adapter against a fake Rasa server, and its circuit breaker (no real Rasa needed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from nlu.engine import IntentScore, NluEngine, ParseResult
from nlu.rasa_http import CircuitBreaker, RasaHttpEngine, apply_expectations, rasa_payload_to_result
from nlu.rasa_process import free_port

RASA_REPLY: dict[str, Any] = {
    "text": "来两件黑色的",
    "intent": {"name": "add_to_cart", "confidence": 0.91},
    "intent_ranking": [{"name": "add_to_cart", "confidence": 0.91}, {"name": "search_product", "confidence": 0.05}],
    "entities": [
        {"entity": "quantity", "value": "2", "start": 1, "end": 3, "extractor": "DIETClassifier"},
        {"entity": "color", "value": "黑色", "start": 3, "end": 5, "extractor": "DIETClassifier"},
    ],
}


class StubEngine:
    """Stands in for the builtin fallback and records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.vocabulary: list[list[str]] = []

    async def parse(
        self, text: str, *, lang_hint: str | None = None, expected_intents: frozenset[str] | None = None
    ) -> ParseResult:
        self.calls.append(text)
        intent = IntentScore("greet", 0.99)
        return ParseResult(text, intent, [intent], [], "zh")

    def update_vocabulary(
        self, products: list[str], brands: list[str], categories: list[str], synonyms: dict[str, str] | None = None
    ) -> None:
        self.vocabulary.append(products)


class FakeRasa:
    def __init__(self) -> None:
        self.requests = 0
        self.mode = "ok"  # ok | error | slow | garbage

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.json()
        if self.mode == "error":
            return web.json_response({"error": "boom"}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(1.0)
        if self.mode == "garbage":
            return web.Response(text="<html>not json</html>")
        return web.json_response({**RASA_REPLY, "text": body["text"]})


@pytest.fixture
async def fake_rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    app = web.Application()
    app.router.add_post("/model/parse", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_consecutive_failures_and_probes_after_reset() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker("test", failure_threshold=3, reset_after=30, clock=clock)
    assert breaker.allow()
    breaker.record_failure("x")
    breaker.record_success()  # a success resets the count
    breaker.record_failure("x")
    breaker.record_failure("x")
    assert breaker.state == CircuitBreaker.CLOSED
    breaker.record_failure("x")
    assert breaker.state == CircuitBreaker.OPEN
    assert not breaker.allow()
    clock.now += 30
    assert breaker.state == CircuitBreaker.HALF_OPEN
    assert breaker.allow()  # one probe
    assert not breaker.allow()  # concurrent callers keep falling back
    breaker.record_failure("still down")
    assert breaker.state == CircuitBreaker.OPEN
    clock.now += 31
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == CircuitBreaker.CLOSED


def test_payload_conversion() -> None:
    result = rasa_payload_to_result(RASA_REPLY, "来两件黑色的", None)
    assert result.intent == IntentScore("add_to_cart", 0.91)
    assert [s.name for s in result.intent_ranking] == ["add_to_cart", "search_product"]
    assert result.first("quantity") == 2
    assert result.entities[1].raw == "黑色"
    assert result.language == "zh"
    empty = rasa_payload_to_result({"intent": None, "entities": None}, "hi", "en")
    assert empty.intent.name == "nlu_fallback"
    assert empty.entities == []


async def test_adapter_parses_through_rasa(fake_rasa: tuple[FakeRasa, str]) -> None:
    fake, url = fake_rasa
    fallback = StubEngine()
    engine = RasaHttpEngine(url, fallback=fallback, timeout=2.0)
    assert isinstance(engine, NluEngine)
    try:
        result = await engine.parse("来两件黑色的")
    finally:
        await engine.aclose()
    assert result.intent.name == "add_to_cart"
    assert result.first("color") == "黑色"
    assert fake.requests == 1
    assert fallback.calls == []


@pytest.mark.parametrize("mode", ["error", "slow", "garbage"])
async def test_failures_fall_back_and_open_the_circuit(fake_rasa: tuple[FakeRasa, str], mode: str) -> None:
    fake, url = fake_rasa
    fake.mode = mode
    fallback = StubEngine()
    engine = RasaHttpEngine(
        url, fallback=fallback, timeout=0.3, breaker=CircuitBreaker(failure_threshold=2, reset_after=60)
    )
    try:
        for _ in range(4):
            assert (await engine.parse("你好")).intent.name == "greet"
    finally:
        await engine.aclose()
    assert fake.requests == 2  # after two failures the breaker stops calling Rasa
    assert len(fallback.calls) == 4
    assert engine.breaker.state == CircuitBreaker.OPEN


async def test_rasa_down_uses_builtin_fallback() -> None:
    fallback = StubEngine()
    engine = RasaHttpEngine(f"http://127.0.0.1:{free_port()}", fallback=fallback, timeout=0.5)
    try:
        result = await engine.parse("hello")
    finally:
        await engine.aclose()
    assert result.intent.name == "greet"
    assert fallback.calls == ["hello"]


def test_vocabulary_updates_reach_the_fallback() -> None:
    fallback = StubEngine()
    RasaHttpEngine("http://127.0.0.1:1", fallback=fallback).update_vocabulary(["X"], [], [], None)
    assert fallback.vocabulary == [["X"]]


def _rasa_result(*scores: tuple[str, float]) -> ParseResult:
    ranking = [IntentScore(name, confidence) for name, confidence in scores]
    return ParseResult("嗯", ranking[0], ranking, [], "zh")


def test_expectations_rerank_close_rasa_readings() -> None:
    result = apply_expectations(
        _rasa_result(("chitchat", 0.45), ("affirm", 0.40), ("greet", 0.1)), frozenset({"affirm"})
    )
    assert result.intent.name == "affirm"
    assert abs(sum(score.confidence for score in result.intent_ranking) - 0.95) < 1e-9  # the mass is kept


def test_expectations_do_not_override_a_clear_rasa_reading() -> None:
    result = apply_expectations(_rasa_result(("track_shipment", 0.8), ("affirm", 0.15)), frozenset({"affirm", "deny"}))
    assert result.intent.name == "track_shipment"


def test_rasa_fallback_stays_unless_the_expected_reading_reaches_its_threshold() -> None:
    weak = _rasa_result(("nlu_fallback", 0.35), ("greet", 0.3), ("affirm", 0.1))
    assert apply_expectations(weak, frozenset({"affirm"})).intent.name == "nlu_fallback"
    close = _rasa_result(("nlu_fallback", 0.35), ("greet", 0.3), ("affirm", 0.28))
    assert apply_expectations(close, frozenset({"affirm"})).intent.name == "affirm"
    assert apply_expectations(close, None) is close
