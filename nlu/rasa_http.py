"""Rasa engine: `POST /model/parse` on a Rasa server, with a circuit breaker to the builtin engine.

When Rasa is slow or down, customers must still get answers: after `failure_threshold`
consecutive failures the breaker opens and every parse goes to the fallback engine for
`reset_after` seconds; then one trial request is let through (half-open) to probe Rasa again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import aiohttp

from core.logging_setup import get_logger
from nlu.engine import FALLBACK_INTENT, Entity, IntentScore, NluEngine, ParseResult, boost_expected
from nlu.text import MAX_EXTRACT_CHARS, detect_language

log = get_logger(__name__)


class CircuitBreaker:
    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"

    def __init__(
        self,
        name: str = "rasa",
        *,
        failure_threshold: int = 3,
        reset_after: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = self.CLOSED

    @property
    def state(self) -> str:
        if self._state == self.OPEN and self._clock() - self._opened_at >= self.reset_after:
            return self.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """True when a request may go to the protected service (closed, or a half-open probe)."""
        state = self.state
        if state == self.HALF_OPEN:
            # Let exactly one probe through; re-arm the timer so concurrent callers keep falling back.
            self._opened_at = self._clock()
            return True
        return state == self.CLOSED

    def record_success(self) -> None:
        if self._state != self.CLOSED:
            log.info("circuit_closed", circuit=self.name)
        self._state = self.CLOSED
        self._failures = 0

    def record_failure(self, reason: str) -> None:
        self._failures += 1
        if self._state == self.OPEN or self._failures >= self.failure_threshold:
            if self._state != self.OPEN:
                log.warning(
                    "circuit_opened",
                    circuit=self.name,
                    failures=self._failures,
                    reason=reason,
                    retry_after_seconds=self.reset_after,
                )
            self._state = self.OPEN
            self._opened_at = self._clock()


def rasa_payload_to_result(payload: dict[str, Any], text: str, lang_hint: str | None) -> ParseResult:
    """Convert Rasa's `/model/parse` JSON to a ParseResult (quantities become ints)."""
    intent_data = payload.get("intent") or {}
    intent = IntentScore(str(intent_data.get("name") or "nlu_fallback"), float(intent_data.get("confidence") or 0.0))
    ranking = [
        IntentScore(str(item.get("name")), float(item.get("confidence") or 0.0))
        for item in payload.get("intent_ranking") or []
        if isinstance(item, dict) and item.get("name")
    ] or [intent]
    entities: list[Entity] = []
    for item in payload.get("entities") or []:
        if not isinstance(item, dict) or "entity" not in item:
            continue
        start, end = int(item.get("start", 0)), int(item.get("end", 0))
        value = item.get("value")
        if item["entity"] == "quantity" and isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        entities.append(
            Entity(str(item["entity"]), value, start, end, str(item.get("extractor") or "rasa"), text[start:end])
        )
    return ParseResult(text, intent, ranking, entities, detect_language(text, lang_hint))


def apply_expectations(result: ParseResult, expected: frozenset[str] | None) -> ParseResult:
    """Rasa's reading re-ranked by the step's expectations, by the builtin engine's rule.

    Rasa's FallbackClassifier puts `nlu_fallback` on top with its threshold as confidence; it
    stays there unless the re-weighted best intent reaches that threshold (as in the builtin
    engine, where the fallback is decided after the re-weighting).
    """
    if not expected:
        return result
    boosted = boost_expected(result.intent_ranking, expected)
    if not boosted:
        return result
    fallback = next((score for score in result.intent_ranking if score.name == FALLBACK_INTENT), None)
    if fallback is not None and result.intent.name == FALLBACK_INTENT and boosted[0].confidence < fallback.confidence:
        return ParseResult(result.text, result.intent, [fallback, *boosted], result.entities, result.language)
    return ParseResult(result.text, boosted[0], boosted, result.entities, result.language)


class RasaHttpEngine:
    def __init__(
        self,
        url: str,
        *,
        fallback: NluEngine,
        timeout: float = 2.0,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.fallback = fallback
        self.breaker = breaker or CircuitBreaker("rasa")
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def parse(
        self,
        text: str,
        *,
        lang_hint: str | None = None,
        expected_intents: frozenset[str] | None = None,
    ) -> ParseResult:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        if not self.breaker.allow():
            return await self.fallback.parse(text, lang_hint=lang_hint, expected_intents=expected_intents)
        try:
            async with self._client().post(f"{self.url}/model/parse", json={"text": text[:MAX_EXTRACT_CHARS]}) as resp:
                if resp.status != 200:
                    raise aiohttp.ClientResponseError(resp.request_info, resp.history, status=resp.status)
                payload = await resp.json(content_type=None)
            if not isinstance(payload, dict):
                raise ValueError("Rasa answered with something other than a JSON object")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self.breaker.record_failure(type(exc).__name__)
            log.warning("rasa_parse_failed", url=self.url, error=type(exc).__name__)
            return await self.fallback.parse(text, lang_hint=lang_hint, expected_intents=expected_intents)
        self.breaker.record_success()
        return apply_expectations(rasa_payload_to_result(payload, text, lang_hint), expected_intents)

    def update_vocabulary(
        self,
        products: list[str],
        brands: list[str],
        categories: list[str],
        synonyms: dict[str, str] | None = None,
    ) -> None:
        # The Rasa model's vocabulary is fixed at training time; the fallback stays current.
        self.fallback.update_vocabulary(products, brands, categories, synonyms)

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
