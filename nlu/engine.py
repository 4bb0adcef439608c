"""The NLU contract shared by every engine: parse results in Rasa's shape, and the engine protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

FALLBACK_INTENT = "nlu_fallback"

# What the step a conversation is on expects ("yes"/"no" at a confirmation) is a prior, not an
# override: the expected intents' confidences are multiplied by this and the ranking renormalised,
# so an expected reading wins among close candidates while a clear off-topic message (more than
# this many times as likely as any expected intent) still wins.
EXPECTED_INTENT_BOOST = 2.0

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "help",
    "affirm",
    "deny",
    "chitchat",
    "search_product",
    "product_info",
    "recommend",
    "add_to_cart",
    "view_cart",
    "remove_from_cart",
    "checkout",
    "ask_promotion",
    "use_coupon",
    "pay",
    "payment_problem",
    "order_status",
    "track_shipment",
    "cancel_order",
    "change_address",
    "return_goods",
    "exchange_goods",
    "refund",
    "shipping_info",
    "invoice",
    "human_agent",
    "complaint",
)

ENTITY_TYPES: tuple[str, ...] = (
    "product",
    "category",
    "brand",
    "color",
    "size",
    "quantity",
    "price_min",
    "price_max",
    "order_id",
    "tracking_no",
    "coupon_code",
    "phone",
    "email",
)


@dataclass(frozen=True)
class IntentScore:
    name: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(float(self.confidence), 6)}


@dataclass(frozen=True)
class Entity:
    entity: str
    value: Any
    start: int
    end: int
    extractor: str
    raw: str  # the surface text, text[start:end]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "extractor": self.extractor,
        }


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: IntentScore
    intent_ranking: list[IntentScore] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    language: str = "zh"  # "zh" | "en"

    def to_rasa_dict(self) -> dict[str, Any]:
        """Rasa's `/model/parse` JSON plus the detected `language`."""
        return {
            "text": self.text,
            "intent": self.intent.to_dict(),
            "intent_ranking": [score.to_dict() for score in self.intent_ranking],
            "entities": [entity.to_dict() for entity in self.entities],
            "language": self.language,
        }

    def entity_values(self, name: str) -> list[Any]:
        return [entity.value for entity in self.entities if entity.entity == name]

    def first(self, name: str) -> Any | None:
        values = self.entity_values(name)
        return values[0] if values else None


def boost_expected(
    ranking: Sequence[IntentScore],
    expected: frozenset[str] | None,
    boost: float = EXPECTED_INTENT_BOOST,
) -> list[IntentScore]:
    """`ranking` re-weighted by the step's expectations (see EXPECTED_INTENT_BOOST), best first.

    The ranking's total confidence is kept (a truncated Rasa ranking stays truncated), and an
    `nlu_fallback` entry is left out of the re-weighting: the caller decides the fallback again.
    """
    if not expected or not any(score.name in expected for score in ranking):
        return list(ranking)
    scored = [score for score in ranking if score.name != FALLBACK_INTENT]
    weighted = [score.confidence * (boost if score.name in expected else 1.0) for score in scored]
    total, new_total = sum(score.confidence for score in scored), sum(weighted)
    scale = total / new_total if new_total > 0 else 1.0
    boosted = [IntentScore(score.name, value * scale) for score, value in zip(scored, weighted, strict=True)]
    return sorted(boosted, key=lambda score: score.confidence, reverse=True)


@runtime_checkable
class NluEngine(Protocol):
    async def parse(
        self,
        text: str,
        *,
        lang_hint: str | None = None,
        expected_intents: frozenset[str] | None = None,
    ) -> ParseResult:
        """Intent and entities of `text`.

        `expected_intents`: what the conversation's current step expects as an answer (e.g.
        affirm/deny at a confirmation); engines favour them among close readings
        (`boost_expected`), never over a clearly different one.
        """
        ...

    def update_vocabulary(
        self,
        products: list[str],
        brands: list[str],
        categories: list[str],
        synonyms: dict[str, str] | None = None,
    ) -> None: ...
