"""Evaluate an engine on Rasa-format YAML: intent accuracy, macro-F1, per-intent P/R/F1, entity F1.

Entities are matched by type plus either overlapping spans or equal (normalised) values, so an
annotation of "两百块" with value 200 matches a prediction of the span "两百块" or value "200".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlu.engine import Entity, NluEngine
from nlu.text import detect_language
from nlu.training_data import AnnotatedEntity, Example, load_files


@dataclass
class Scores:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self, support: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }
        data["support"] = self.true_positive + self.false_negative if support is None else support
        return data


@dataclass
class EvaluationReport:
    n: int
    intent_accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, Any]]
    entity_f1: float
    entity_precision: float
    entity_recall: float
    per_entity: dict[str, dict[str, Any]]
    confusions: list[dict[str, Any]]
    per_language: dict[str, dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "intent_accuracy": round(self.intent_accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_intent": self.per_intent,
            "entity_f1": round(self.entity_f1, 4),
            "entity_precision": round(self.entity_precision, 4),
            "entity_recall": round(self.entity_recall, 4),
            "per_entity": self.per_entity,
            "confusions": self.confusions,
            "per_language": self.per_language,
            "errors": self.errors,
        }


def _same_value(gold: AnnotatedEntity, predicted: Entity) -> bool:
    return str(gold.value).strip().lower() == str(predicted.value).strip().lower()


def match_entities(gold: Sequence[AnnotatedEntity], predicted: Sequence[Entity]) -> tuple[int, int, int, Counter[str]]:
    """(tp, fp, fn, per-type tp counter) for one example."""
    unmatched = list(predicted)
    tp_by_type: Counter[str] = Counter()
    for annotation in gold:
        hit = next(
            (
                p
                for p in unmatched
                if p.entity == annotation.entity
                and ((p.start < annotation.end and annotation.start < p.end) or _same_value(annotation, p))
            ),
            None,
        )
        if hit is not None:
            unmatched.remove(hit)
            tp_by_type[annotation.entity] += 1
    tp = sum(tp_by_type.values())
    return tp, len(unmatched), len(gold) - tp, tp_by_type


async def evaluate_examples(engine: NluEngine, examples: Sequence[Example], max_errors: int = 200) -> EvaluationReport:
    per_intent: dict[str, Scores] = defaultdict(Scores)
    per_entity: dict[str, Scores] = defaultdict(Scores)
    confusion: Counter[tuple[str, str]] = Counter()
    language_totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    support: Counter[str] = Counter()
    entity_totals = Scores()
    errors: list[dict[str, Any]] = []
    correct = 0
    for example in examples:
        result = await engine.parse(example.text)
        predicted = result.intent.name
        language = detect_language(example.text)
        language_totals[language][0] += 1
        support[example.intent] += 1
        if predicted == example.intent:
            correct += 1
            language_totals[language][1] += 1
            per_intent[example.intent].true_positive += 1
        else:
            per_intent[example.intent].false_negative += 1
            per_intent[predicted].false_positive += 1
            confusion[(example.intent, predicted)] += 1
            if len(errors) < max_errors:
                errors.append(
                    {
                        "text": example.text,
                        "expected": example.intent,
                        "predicted": predicted,
                        "confidence": round(result.intent.confidence, 4),
                    }
                )
        tp, fp, fn, tp_by_type = match_entities(example.entities, result.entities)
        entity_totals.true_positive += tp
        entity_totals.false_positive += fp
        entity_totals.false_negative += fn
        gold_types = Counter(annotation.entity for annotation in example.entities)
        predicted_types = Counter(entity.entity for entity in result.entities)
        for name in set(gold_types) | set(predicted_types):
            per_entity[name].true_positive += tp_by_type[name]
            per_entity[name].false_negative += gold_types[name] - tp_by_type[name]
            per_entity[name].false_positive += max(0, predicted_types[name] - tp_by_type[name])
    total = len(examples)
    labels = sorted(set(support) | {name for name, scores in per_intent.items() if scores.false_positive})
    macro_f1 = sum(per_intent[label].f1 for label in labels) / len(labels) if labels else 0.0
    return EvaluationReport(
        n=total,
        intent_accuracy=correct / total if total else 0.0,
        macro_f1=macro_f1,
        per_intent={label: per_intent[label].to_dict(support[label]) for label in labels},
        entity_f1=entity_totals.f1,
        entity_precision=entity_totals.precision,
        entity_recall=entity_totals.recall,
        per_entity={name: scores.to_dict() for name, scores in sorted(per_entity.items())},
        confusions=[
            {"expected": gold, "predicted": predicted, "count": count}
            for (gold, predicted), count in confusion.most_common(25)
        ],
        per_language={
            lang: {"n": n, "intent_accuracy": round(ok / n, 4) if n else 0.0}
            for lang, (n, ok) in sorted(language_totals.items())
        },
        errors=errors,
    )


async def evaluate_files(engine: NluEngine, paths: Sequence[Path]) -> EvaluationReport:
    return await evaluate_examples(engine, load_files(paths).examples)


def format_report(report: EvaluationReport) -> str:
    """A plain-text table for terminals."""
    lines = [
        f"examples: {report.n}",
        f"intent accuracy: {report.intent_accuracy:.4f}   macro-F1: {report.macro_f1:.4f}",
        f"entity F1: {report.entity_f1:.4f} (precision {report.entity_precision:.4f}, "
        f"recall {report.entity_recall:.4f})",
    ]
    for language, stats in report.per_language.items():
        lines.append(f"  {language}: n={stats['n']} accuracy={stats['intent_accuracy']:.4f}")
    lines += ["", f"{'intent':<20} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for name, stats in report.per_intent.items():
        lines.append(
            f"{name:<20} {stats['precision']:>9.3f} {stats['recall']:>7.3f} {stats['f1']:>7.3f} {stats['support']:>8}"
        )
    if report.per_entity:
        lines += ["", f"{'entity':<20} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
        for name, stats in report.per_entity.items():
            lines.append(
                f"{name:<20} {stats['precision']:>9.3f} {stats['recall']:>7.3f} {stats['f1']:>7.3f} "
                f"{stats['support']:>8}"
            )
    if report.confusions:
        lines += ["", "most confused (expected -> predicted):"]
        lines += [f"  {c['expected']} -> {c['predicted']}: {c['count']}" for c in report.confusions[:15]]
    return "\n".join(lines)
