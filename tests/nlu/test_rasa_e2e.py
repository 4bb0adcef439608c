"""The Rasa engine end to end: real Rasa 3.6 server (built/trained by rasa/build.sh if needed).

Slow the first time on a machine (virtualenv + training: 10-20 minutes); afterwards the cached
virtualenv and model make this a ~1-2 minute test (server start-up).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.engine import FALLBACK_INTENT, INTENTS
from nlu.evaluate import evaluate_files
from nlu.rasa_http import CircuitBreaker, RasaHttpEngine
from nlu.rasa_process import RasaServer, free_port
from nlu.training_data import DATA_DIR

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[RasaServer]:
    with RasaServer(startup_timeout=600) as server:
        yield server


async def test_parse_against_real_rasa(rasa_server: RasaServer, engine: BuiltinNluEngine) -> None:
    rasa = RasaHttpEngine(rasa_server.url, fallback=engine, timeout=10.0)
    try:
        result = await rasa.parse("我要退货")
        data = result.to_rasa_dict()
        en = await rasa.parse("where is my order 20261125-0042?")
    finally:
        await rasa.aclose()
    assert rasa.breaker.state == CircuitBreaker.CLOSED  # answered by Rasa, not the fallback
    assert result.intent.name == "return_goods"
    assert {s.name for s in result.intent_ranking} <= {*INTENTS, FALLBACK_INTENT}
    assert set(data) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert en.intent.name == "order_status"
    assert en.first("order_id") == "20261125-0042"
    assert all(e.extractor != "chatcart.regex" for e in en.entities)  # entities came from Rasa


async def test_real_rasa_held_out_accuracy(rasa_server: RasaServer, engine: BuiltinNluEngine) -> None:
    rasa = RasaHttpEngine(rasa_server.url, fallback=engine, timeout=10.0)
    try:
        report = await evaluate_files(rasa, [DATA_DIR / "test" / "zh.yml", DATA_DIR / "test" / "en.yml"])
    finally:
        await rasa.aclose()
    assert rasa.breaker.state == CircuitBreaker.CLOSED
    assert report.intent_accuracy >= 0.80, report.confusions[:10]


async def test_rasa_down_falls_back_to_builtin(engine: BuiltinNluEngine) -> None:
    rasa = RasaHttpEngine(
        f"http://127.0.0.1:{free_port()}",
        fallback=engine,
        timeout=1.0,
        breaker=CircuitBreaker(failure_threshold=1, reset_after=60),
    )
    try:
        first = await rasa.parse("我要退货")
        second = await rasa.parse("转人工")
    finally:
        await rasa.aclose()
    assert first.intent.name == "return_goods"
    assert second.intent.name == "human_agent"
    assert rasa.breaker.state == CircuitBreaker.OPEN
