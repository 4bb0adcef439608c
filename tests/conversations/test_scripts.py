"""Scripted conversations (tests/conversations/scripts/*.txt) through the `chat --script` path.

Scripts are plain `chatcart chat --script` files. Lines starting with `#?` are expectations
(comments to the CLI):

    #? reply ~ 支付成功          some reply of the turn above contains the text (case-insensitive)
    #? reply !~ text             no reply of the turn above contains it
    #? intent = checkout         how the turn above was understood
    #? type = payment_link       some reply of the turn above has this type
    #? summary orders.0.status = paid      a field of the final summary (`#` = length)
    #? lang = en                 (first line) run with --lang en
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chatcart.cli.chat import run_script

SCRIPTS = sorted((Path(__file__).parent / "scripts").glob("*.txt"))
# Conversations against a catalog the flows were not written for (see conftest.custom_shop).
CUSTOM_SCRIPTS = sorted((Path(__file__).parent / "scripts_custom").glob("*.txt"))


@dataclass
class Expectations:
    lang: str | None = None
    per_line: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)  # line index -> checks
    summary: list[tuple[str, str]] = field(default_factory=list)


def parse(path: Path) -> tuple[list[str], Expectations]:
    lines: list[str] = []
    expect = Expectations()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#?"):
            body = line[2:].strip()
            kind, _, rest = body.partition(" ")
            if kind == "lang":
                expect.lang = rest.split("=")[-1].strip()
            elif kind == "summary":
                target, _, value = rest.partition("=")
                expect.summary.append((target.strip(), value.strip()))
            else:
                for op in ("!~", "~", "="):
                    if rest.startswith(op):
                        expect.per_line.setdefault(len(lines) - 1, []).append((kind, op, rest[len(op) :].strip()))
                        break
                else:
                    raise ValueError(f"bad expectation in {path.name}: {raw}")
            continue
        lines.append(raw)
    return lines, expect


def lookup(summary: dict[str, Any], path: str) -> Any:
    value: Any = summary
    for part in path.split("."):
        if part == "#":
            return len(value)
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def check_turn(turn: dict[str, Any], checks: list[tuple[str, str, str]], where: str) -> None:
    texts = "\n".join(r["text"] + " " + " ".join(b["label"] for b in r["buttons"]) for r in turn["replies"]).lower()
    for kind, op, value in checks:
        if kind == "reply" and op == "~":
            assert value.lower() in texts, f"{where}: no reply contains {value!r}:\n{texts}"
        elif kind == "reply" and op == "!~":
            assert value.lower() not in texts, f"{where}: a reply contains {value!r}:\n{texts}"
        elif kind == "intent":
            assert turn["intent"] == value, f"{where}: intent {turn['intent']!r} != {value!r}"
        elif kind == "type":
            assert value in [r["type"] for r in turn["replies"]], f"{where}: no {value} reply"
        else:
            raise AssertionError(f"{where}: unknown check {kind}")


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
async def test_script(script: Path, shop: Any) -> None:
    await run_and_check(script, shop)


@pytest.mark.parametrize("script", CUSTOM_SCRIPTS, ids=[p.stem for p in CUSTOM_SCRIPTS])
async def test_custom_catalog_script(script: Path, custom_shop: Any) -> None:
    await run_and_check(script, custom_shop)


async def run_and_check(script: Path, shop: Any) -> None:
    lines, expect = parse(script)
    results = await run_script(shop, lines, user=f"t-{uuid.uuid4().hex[:8]}", lang=expect.lang)
    *turns, final = results
    by_line: dict[int, dict[str, Any]] = {}
    index = 0
    for number, line in enumerate(lines):
        if line.strip() and not line.strip().startswith("#"):
            by_line[number] = turns[index]
            index += 1
    assert index == len(turns)
    for number, checks in expect.per_line.items():
        turn = by_line.get(number)
        assert turn is not None, f"{script.name}: expectation after a non-turn line {number + 1}"
        check_turn(turn, checks, f"{script.name} turn {turn['turn']} ({turn['input']!r})")
    summary = final["summary"]
    for path, value in expect.summary:
        actual = lookup(summary, path)
        assert str(actual) == value, f"{script.name}: summary {path} = {actual!r}, expected {value!r}"
    for turn in turns:  # every turn answers (a silent bot is only right during a human handoff)
        assert turn["replies"] or summary["handoff"] != "none" or turn["input"].startswith("!"), turn


def test_there_are_enough_scripts() -> None:
    assert len(SCRIPTS) >= 30
    assert len(CUSTOM_SCRIPTS) >= 5
    langs = {parse(p)[1].lang or "zh" for p in SCRIPTS}
    assert langs == {"zh", "en"}


async def test_chat_orders_record_their_sales_channel(shop: Any) -> None:
    """Orders placed in a conversation carry the channel they were sold on (admin filters by it)."""
    script = SCRIPTS[0]
    lines, _ = parse(script)
    results = await run_script(shop, lines, user=f"t-{uuid.uuid4().hex[:8]}", lang="zh")
    numbers = [order["number"] for order in results[-1]["summary"]["orders"]]
    assert numbers, f"{script.name} places no order"
    stored = await shop.db.orders.find_one({"number": numbers[0]}, {"channel": 1})
    assert stored is not None
    assert stored["channel"] == "terminal"
