"""The outsider corpus (tests/conversations/outsider/): conversations written by someone who
never saw the dialog flows, on a kitchenware / outdoor / cosmetics shop the flows were not
written for. Each script is a `chatcart chat --script` file with two header comments:

    #lang zh|en                      the conversation's language (passed as --lang)
    #expect {...}                    the end state a competent shop assistant reaches
                                     (see tests/conversations/end_state.py)

A line ending in a backslash continues on the next one (one pasted multi-line message).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatcart.cli.chat import join_continued, run_script
from tests.conversations.end_state import mismatches

OUTSIDER = Path(__file__).parent / "outsider"
CATALOG = OUTSIDER / "catalog.json"
SCRIPTS = sorted((OUTSIDER / "scripts").glob("*.txt"))
FLOOR_FILE = OUTSIDER / "floor.json"


@dataclass(frozen=True)
class Corpus:
    """One shop's catalog, the conversations written for it, and their per-language floor."""

    name: str
    folder: Path

    @property
    def catalog(self) -> Path:
        return self.folder / "catalog.json"

    @property
    def scripts(self) -> list[Path]:
        return sorted((self.folder / "scripts").glob("*.txt"))

    @property
    def floor_file(self) -> Path:
        return self.folder / "floor.json"


# Later outsiders' shops, each written by someone who had seen neither the flows nor the
# other corpora (outsider/shops/<name>/): other domains, other option languages.
MORE_SHOPS = [Corpus(folder.name, folder) for folder in sorted((OUTSIDER / "shops").glob("*")) if folder.is_dir()]


@dataclass
class Script:
    path: Path
    lang: str
    expect: dict[str, Any]
    lines: list[str]


@dataclass
class Outcome:
    script: Script
    turns: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.problems and not self.error


def load(path: Path) -> Script:
    lang = ""
    expect: dict[str, Any] | None = None
    lines: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#lang"):
            lang = raw.removeprefix("#lang").strip()
        elif raw.startswith("#expect"):
            expect = json.loads(raw.removeprefix("#expect"))
        else:
            lines.append(raw)
    if lang not in ("zh", "en") or expect is None:
        raise ValueError(f"{path.name}: needs a '#lang zh|en' and an '#expect {{...}}' line")
    return Script(path, lang, expect, lines)


async def run_one(container: Any, script: Script) -> Outcome:
    outcome = Outcome(script)
    try:
        results = await run_script(container, script.lines, user=f"outsider-{uuid.uuid4().hex[:8]}", lang=script.lang)
    except Exception as exc:  # a crash is a failed conversation, reported with the rest
        outcome.error = f"{type(exc).__name__}: {exc}"
        return outcome
    *outcome.turns, final = results
    outcome.summary = final["summary"]
    outcome.problems = mismatches(script.expect, outcome.summary)
    return outcome


def success_by_lang(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """lang -> (passed, total)."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        tally[outcome.script.lang][0] += outcome.passed
        tally[outcome.script.lang][1] += 1
    return {lang: (passed, total) for lang, (passed, total) in sorted(tally.items())}


def turn_line(turn: dict[str, Any], width: int = 220) -> str:
    said = " / ".join(r["text"].replace("\n", " ⏎ ") for r in turn["replies"]) or "(no reply)"
    buttons = [b["label"] for r in turn["replies"] for b in r["buttons"]]
    shown = f" [buttons: {', '.join(buttons[:8])}]" if buttons else ""
    text = turn["input"].replace("\n", " ⏎ ")
    return f"{turn['turn']:>2}. `{text}` -> {turn['intent']}: {said[:width]}{shown}"


def failure_text(outcome: Outcome) -> str:
    lines = [f"### {outcome.script.path.name} ({outcome.script.lang})"]
    if outcome.error:
        lines.append(f"- crashed: {outcome.error}")
    for problem in outcome.problems:
        lines.append(f"- {problem}")
    lines.append("")
    lines.extend(turn_line(turn) for turn in outcome.turns)
    return "\n".join(lines)


def script_count_by_lang() -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for path in SCRIPTS:
        counts[load(path).lang] += 1
    return dict(counts)


def all_lines_of(script: Script) -> list[str]:
    """The customer's turns as the runner sees them (continuations joined, comments dropped)."""
    return [line for line in join_continued(script.lines) if line.strip() and not line.strip().startswith("#")]
