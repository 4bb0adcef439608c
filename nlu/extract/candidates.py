"""The unit every extractor produces, and the overlap resolution between extractors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nlu.engine import Entity

# Lower rank wins an overlap: exact formats first, then numbers, then vocabulary lookups.
PRIORITY = {
    "email": 0,
    "order_id": 1,
    "tracking_no": 2,
    "phone": 3,
    "coupon_code": 4,
    "price_min": 5,
    "price_max": 5,
    "quantity": 6,
    "size": 7,
    "color": 8,
    "product": 8,
    "brand": 8,
    "category": 8,
}


@dataclass(frozen=True)
class Candidate:
    entity: str
    value: Any
    start: int
    end: int
    extractor: str

    def overlaps(self, other: Candidate) -> bool:
        return self.start < other.end and other.start < self.end


CATALOG_EXTRACTOR = "chatcart.catalog"


def _rank(candidate: Candidate) -> float:
    # A name from the live catalog ("Zephyr X9", "小米手环9") outranks the numbers inside it.
    if candidate.extractor == CATALOG_EXTRACTOR:
        return 4.5
    return PRIORITY.get(candidate.entity, 9)


def resolve(candidates: list[Candidate], text: str) -> list[Entity]:
    """Keep the best non-overlapping candidates (priority, then longer span), in text order."""
    ranked = sorted(candidates, key=lambda c: (_rank(c), -(c.end - c.start), c.start))
    kept: list[Candidate] = []
    for candidate in ranked:
        if candidate.end <= candidate.start:
            continue
        if any(candidate.overlaps(existing) for existing in kept):
            continue
        kept.append(candidate)
    kept.sort(key=lambda c: (c.start, c.end))
    return [Entity(c.entity, c.value, c.start, c.end, c.extractor, text[c.start : c.end]) for c in kept]
