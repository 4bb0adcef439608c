"""Stock levels and the movements that change them.

Lifecycle of a unit bought online:
  reserve (order created)   available -= q, reserved += q
  commit  (order paid)      reserved  -= q            (the unit is sold)
  release (order cancelled) reserved  -= q, available += q
Each reservation is remembered on the stock document as `holds.<ref> = q`, so commit and
release can only ever happen once per reservation, whoever retries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commerce.errors import ValidationFailed
from core.mongo import Document, as_utc, utcnow

# Refs become part of a field name (`holds.<ref>`): keep them to safe characters.
_REF = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_LINE_QUANTITY = 100_000


def check_ref(ref: str) -> str:
    if not _REF.match(ref):
        raise ValidationFailed("invalid stock reference", details={"ref": ref[:80]})
    return ref


def normalize_lines(lines: Mapping[str, int]) -> dict[str, int]:
    """Positive integer quantities per SKU, refusing anything else."""
    result: dict[str, int] = {}
    for sku, qty in lines.items():
        if not isinstance(sku, str) or not sku or len(sku) > 100:
            raise ValidationFailed("invalid SKU", details={"sku": str(sku)[:100]})
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 < qty <= MAX_LINE_QUANTITY:
            raise ValidationFailed("quantity must be a positive whole number", details={"sku": sku, "quantity": qty})
        result[sku] = result.get(sku, 0) + qty
    return result


@dataclass(frozen=True, slots=True)
class StockLevel:
    sku: str
    available: int = 0
    reserved: int = 0

    @property
    def in_stock(self) -> bool:
        return self.available > 0

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> StockLevel:
        return cls(
            sku=str(doc["_id"]), available=int(doc.get("available") or 0), reserved=int(doc.get("reserved") or 0)
        )


@dataclass(frozen=True, slots=True)
class StockShortage:
    sku: str
    requested: int
    available: int

    def to_dict(self) -> dict[str, Any]:
        return {"sku": self.sku, "requested": self.requested, "available": self.available}


@dataclass(frozen=True, slots=True)
class Movement:
    """One line of the stock ledger."""

    sku: str
    delta_available: int
    delta_reserved: int
    reason: str
    ref: str | None = None
    actor: str = "system"
    kind: str = "adjust"  # reserve | commit | release | adjust | set
    at: datetime = field(default_factory=utcnow)

    def ledger_id(self) -> str | None:
        """Reservation movements happen at most once per (ref, sku, kind): a stable id makes
        re-recording them harmless."""
        if self.ref and self.kind in ("reserve", "commit", "release"):
            return f"{self.ref}:{self.kind}:{self.sku}"
        return None

    def to_doc(self) -> Document:
        doc: Document = {
            "sku": self.sku,
            "delta_available": self.delta_available,
            "delta_reserved": self.delta_reserved,
            "reason": self.reason,
            "ref": self.ref,
            "actor": self.actor,
            "kind": self.kind,
            "at": self.at,
        }
        ledger_id = self.ledger_id()
        if ledger_id:
            doc["_id"] = ledger_id
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Movement:
        return cls(
            sku=str(doc["sku"]),
            delta_available=int(doc["delta_available"]),
            delta_reserved=int(doc["delta_reserved"]),
            reason=str(doc.get("reason") or ""),
            ref=doc.get("ref"),
            actor=str(doc.get("actor") or "system"),
            kind=str(doc.get("kind") or "adjust"),
            at=as_utc(doc["at"]),
        )
