"""Messages the bot did not understand, kept for staff to label (`nlu_review`).

Every text message that ended in the fallback, in a flow's "not understood", or was acted on with
low confidence is kept, grouped by its normalised text (case, width, digits and punctuation
folded): one document per group with a counter and the last few occurrences, each with its
conversation link (channel + conversation id). The write rides in the turn's own write batch, so
it costs no round trip. Staff label a group with an intent in the admin ("Unrecognised messages");
labelled groups become training examples (`labelled_examples`, `chatcart nlu export-reviewed`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from pymongo import DESCENDING, IndexModel
from rapidfuzz import fuzz

from core.batch import WriteBatch
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow
from nlu.engine import INTENTS

COLLECTION = "nlu_review"
INDEXES: list[CollectionIndexes] = [
    CollectionIndexes(COLLECTION, [IndexModel([("status", DESCENDING), ("last_at", DESCENDING)], name="status_last")])
]
FALLBACK_INTENT = "nlu_fallback"
LABELS: tuple[str, ...] = INTENTS  # what staff may label a message with
REVIEW_CONFIDENCE = 0.5  # an intent acted on below this confidence is worth a look too
EXAMPLES_KEPT = 5
MAX_TEXT = 300
SIMILAR = 85  # rapidfuzz ratio above which two groups are shown as one
Status = Literal["open", "labelled", "ignored"]

_PUNCTUATION = re.compile(r"[\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d")


def group_key(text: str) -> str:
    """The text with case, width, digits, punctuation and spacing folded: one key per phrasing."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", text[:MAX_TEXT]).lower()
    folded = _DIGITS.sub("0", folded)
    return _PUNCTUATION.sub(" ", folded).strip()


@dataclass(frozen=True)
class Occurrence:
    text: str
    channel: str
    conversation_id: str
    at: datetime
    intent: str
    confidence: float


@dataclass(frozen=True)
class ReviewGroup:
    key: str
    text: str
    lang: str
    count: int
    status: Status
    last_at: datetime
    examples: list[Occurrence]
    label: str | None = None
    labelled_by: str | None = None


@dataclass
class SimilarGroups:
    """Groups whose texts are nearly the same, shown and labelled together."""

    groups: list[ReviewGroup] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [group.key for group in self.groups]

    @property
    def count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def text(self) -> str:
        return max(self.groups, key=lambda group: group.count).text

    @property
    def texts(self) -> list[str]:
        return [group.text for group in self.groups]

    @property
    def examples(self) -> list[Occurrence]:
        merged = [example for group in self.groups for example in group.examples]
        return sorted(merged, key=lambda example: example.at, reverse=True)[:EXAMPLES_KEPT]

    @property
    def last_at(self) -> datetime:
        return max(group.last_at for group in self.groups)

    @property
    def guess(self) -> str:
        """The intent the NLU leaned to most often (pre-selected in the label form)."""
        votes: dict[str, int] = {}
        for example in self.examples:
            if example.intent != FALLBACK_INTENT:
                votes[example.intent] = votes.get(example.intent, 0) + 1
        return max(votes, key=lambda name: votes[name]) if votes else ""


class TrainerStatus(Protocol):
    @property
    def state(self) -> str: ...  # idle | running | done | failed
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def reviewed_examples(self) -> int: ...
    @property
    def seconds(self) -> float | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def rollback_available(self) -> bool: ...
    @property
    def action(self) -> str | None: ...


class ModelTrainer(Protocol):
    """Retrains the NLU model with labelled examples in the background (nlu.retrain.ModelUpdater)."""

    @property
    def status(self) -> TrainerStatus: ...
    def start(self, examples: Mapping[str, Sequence[str]]) -> bool: ...
    async def rollback(self) -> bool: ...


def needs_review(kind: str, text: str, final_intent: str, nlu_intent: str | None, confidence: float) -> bool:
    """Whether a turn's text message should be kept for review."""
    if kind != "text" or nlu_intent is None or not group_key(text):
        return False
    if final_intent == FALLBACK_INTENT or final_intent.endswith(":not_understood"):
        return True
    if nlu_intent == FALLBACK_INTENT:
        return True  # the NLU gave up even if the dialog made a guess (e.g. searched the words)
    return final_intent == nlu_intent and confidence < REVIEW_CONFIDENCE


def cluster(groups: Sequence[ReviewGroup], threshold: int = SIMILAR) -> list[SimilarGroups]:
    """Greedy clustering by text similarity, most frequent groups first."""
    clusters: list[SimilarGroups] = []
    for group in sorted(groups, key=lambda g: (-g.count, g.key)):
        home = next(
            (c for c in clusters if fuzz.ratio(group.key, c.groups[0].key) >= threshold),
            None,
        )
        if home is None:
            clusters.append(SimilarGroups([group]))
        else:
            home.groups.append(group)
    return clusters


def _group(doc: Document) -> ReviewGroup:
    examples = [
        Occurrence(
            text=str(e.get("text", "")),
            channel=str(e.get("channel", "")),
            conversation_id=str(e.get("conversation_id", "")),
            at=as_utc(e["at"]),
            intent=str(e.get("intent", FALLBACK_INTENT)),
            confidence=float(e.get("confidence", 0.0)),
        )
        for e in doc.get("examples") or []
    ]
    return ReviewGroup(
        key=str(doc["_id"]),
        text=str(doc.get("text", "")),
        lang=str(doc.get("lang", "zh")),
        count=int(doc.get("count", 0)),
        status=doc.get("status", "open"),
        last_at=as_utc(doc["last_at"]),
        examples=list(reversed(examples)),
        label=doc.get("label"),
        labelled_by=doc.get("labelled_by"),
    )


class UnrecognisedMessages:
    def __init__(self, db: Database) -> None:
        self.collection = db[COLLECTION]

    def add(
        self,
        batch: WriteBatch,
        *,
        text: str,
        lang: str,
        channel: str,
        conversation_id: str,
        intent: str,
        confidence: float,
    ) -> None:
        """Count one occurrence in its group (created on first sight), in the turn's batch."""
        now = utcnow()
        text = text.strip()[:MAX_TEXT]
        occurrence: dict[str, Any] = {
            "text": text,
            "channel": channel,
            "conversation_id": conversation_id,
            "at": now,
            "intent": intent,
            "confidence": round(float(confidence), 4),
        }
        batch.update_one(
            COLLECTION,
            {"_id": group_key(text)},
            {
                "$inc": {"count": 1},
                "$set": {"last_at": now, "lang": lang},
                "$setOnInsert": {"text": text, "first_at": now, "status": "open"},
                "$push": {"examples": {"$each": [occurrence], "$slice": -EXAMPLES_KEPT}},
            },
            upsert=True,
        )

    async def groups(self, status: Status = "open", limit: int = 200) -> list[ReviewGroup]:
        cursor = self.collection.find({"status": status}).sort("last_at", DESCENDING).limit(limit)
        return [_group(doc) async for doc in cursor]

    async def similar_groups(self, status: Status = "open", limit: int = 200) -> list[SimilarGroups]:
        return cluster(await self.groups(status, limit))

    async def label(self, keys: Iterable[str], intent: str, staff_id: str) -> int:
        """Label groups with an intent (or ignore them with intent ""); returns how many changed."""
        keys = list(keys)
        update: dict[str, Any] = (
            {"status": "labelled", "label": intent, "labelled_by": staff_id, "labelled_at": utcnow()}
            if intent
            else {"status": "ignored", "label": None, "labelled_by": staff_id, "labelled_at": utcnow()}
        )
        result = await self.collection.update_many({"_id": {"$in": keys}}, {"$set": update})
        return int(result.modified_count)

    async def reopen(self, keys: Iterable[str]) -> int:
        result = await self.collection.update_many(
            {"_id": {"$in": list(keys)}}, {"$set": {"status": "open", "label": None}}
        )
        return int(result.modified_count)

    async def labelled_examples(self) -> dict[str, list[str]]:
        """intent -> the distinct texts staff labelled with it (group texts and their occurrences)."""
        result: dict[str, list[str]] = {}
        seen: set[str] = set()
        cursor = self.collection.find({"status": "labelled"}).sort("_id", 1)
        async for doc in cursor:
            intent = str(doc.get("label") or "")
            if not intent:
                continue
            texts = [str(doc.get("text", ""))] + [str(e.get("text", "")) for e in doc.get("examples") or []]
            for text in texts:
                key = group_key(text)
                if key and key not in seen:
                    seen.add(key)
                    result.setdefault(intent, []).append(text.strip())
        return result
