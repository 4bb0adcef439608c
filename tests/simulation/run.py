"""Simulated conversations against the real dialog engine, and their honest scoring.

`simulate()` runs one customer through the terminal channel (the same ChatRunner as
`chatcart chat --script`) and scores it on the end state only: the goal's expectation
(orders, cart, after-sales, handoff in the database) and, for tracking, that the answer
names the order or says it has shipped.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.terminal.runner import CHANNEL
from chatcart.cli.chat import make_runner
from dialogs.outbound import CollectingSender
from tests.conversations.end_state import mismatches
from tests.simulation.catalog_view import Product
from tests.simulation.goals import GOAL_KINDS, Goal, draw_goal
from tests.simulation.observe import asks_of
from tests.simulation.user import SimulatedCustomer

MAX_TURNS = 30
_COLLECTORS: dict[int, CollectingSender] = {}  # dialog engine -> the collector its runners share
SHIPPED_WORDS = r"shipped|on its way|in transit|已发货|运输中|派送中|配送中"


@dataclass
class SimResult:
    goal: Goal
    turns: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    customer_turns: int = 0
    gave_up: str = ""

    @property
    def success(self) -> bool:
        return not self.problems


async def simulate(container: Any, goal: Goal, rng: random.Random) -> SimResult:
    customer = SimulatedCustomer(goal, rng)
    runner = make_runner(container, user=f"sim-{uuid.uuid4().hex[:10]}", lang=goal.lang)
    # Every runner registers its own collector for the terminal channel and the last one wins;
    # customers talking at once share one (it keeps pushed messages per user), so nobody misses
    # the payment result or the shipping notice meant for them.
    collector = _COLLECTORS.setdefault(id(container.dialogs), CollectingSender())
    container.dialogs.outbound.register(CHANNEL, collector)
    runner.collector = collector
    result = SimResult(goal)
    replies: list[dict[str, Any]] = []
    track_reply = ""
    while result.customer_turns < MAX_TURNS:
        message = customer.next_message(asks_of(replies), replies)
        if message is None:
            break
        try:
            output = await runner.run_line(message)
        except Exception as exc:  # the engine failing a customer is a failed conversation, reported
            result.problems.append(f"the engine raised {type(exc).__name__}: {exc} on {message!r}")
            break
        if output is None:
            continue
        turn = output.to_json(await runner.current_lang())
        result.turns.append(turn)
        if not message.startswith("!"):
            result.customer_turns += 1
            replies = turn["replies"]
        else:  # a shop-side event: what the shop pushed is read, the last question stays open
            replies = turn["replies"] or replies
        if customer.agenda == [] and goal.kind == "track" and not track_reply and not message.startswith("!"):
            track_reply = "\n".join(r["text"] for r in turn["replies"])
    result.gave_up = customer.gave_up
    result.summary = (await runner.summary())["summary"]
    result.problems += mismatches(goal.expectation(), result.summary)
    if goal.kind == "track" and result.summary["orders"]:
        number = result.summary["orders"][0]["number"]
        if number not in track_reply and not re.search(SHIPPED_WORDS, track_reply, re.IGNORECASE):
            result.problems.append(
                f"tracking answer names neither order {number} nor its shipping: {track_reply[:200]!r}"
            )
    return result


def draw_goals(
    products: list[Product],
    count: int,
    lang: str,
    seed: int,
    coupons: dict[str, float],
    kinds: tuple[str, ...] = GOAL_KINDS,
) -> list[Goal]:
    """`count` goals in `lang`, the goal kinds in turn, options and phrasing at random."""
    rng = random.Random(f"{seed}-{lang}")
    return [draw_goal(kinds[i % len(kinds)], lang, products, rng, coupons) for i in range(count)]


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    turns: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def tally(results: list[SimResult]) -> dict[tuple[str, str], Tally]:
    """(lang, goal kind) -> counts; (lang, "all") for the language."""
    table: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for result in results:
        for key in ((result.goal.lang, result.goal.kind), (result.goal.lang, "all")):
            table[key].passed += result.success
            table[key].total += 1
            table[key].turns += result.customer_turns
    return dict(table)


def failure_text(result: SimResult, index: int) -> str:
    goal = result.goal
    wants = ", ".join(f"{w.sku.sku}×{w.qty}" for w in goal.wants)
    head = (
        f"### sim {goal.lang} #{index} {goal.kind} ({wants}; style {goal.style}, noise {goal.noise}, "
        f"address {goal.address.style}{', coupon ' + goal.coupon if goal.coupon else ''})"
    )
    lines = [head, *(f"- {p}" for p in result.problems)]
    if result.gave_up:
        lines.append(f"- customer {result.gave_up}")
    lines.append("")
    for turn in result.turns:
        said = " / ".join(r["text"].replace("\n", " ⏎ ") for r in turn["replies"]) or "(no reply)"
        buttons = [b["label"] for r in turn["replies"] for b in r["buttons"]]
        shown = f" [buttons: {', '.join(buttons[:8])}]" if buttons else ""
        text = turn["input"].replace("\n", " ⏎ ")
        lines.append(f"{turn['turn']:>2}. `{text}` -> {turn['intent']}: {said[:220]}{shown}")
    return "\n".join(lines)


async def run_population(
    container: Any,
    count: int,
    langs: tuple[str, ...],
    seed: int,
    *,
    concurrency: int = 1,
    kinds: tuple[str, ...] = GOAL_KINDS,
) -> list[SimResult]:
    """`count` simulated customers per language (goals of `kinds` in turn). Each conversation has
    its own random stream (seed, language, index), so results do not depend on `concurrency`."""
    import asyncio

    from tests.simulation.shop import COUPONS, sim_products

    products = sim_products()
    jobs = [
        (goal, random.Random(f"{seed}-{lang}-{index}-talk"))
        for lang in langs
        for index, goal in enumerate(draw_goals(products, count, lang, seed, COUPONS, kinds))
    ]
    gate = asyncio.Semaphore(concurrency)

    async def one(goal: Goal, rng: random.Random) -> SimResult:
        async with gate:
            return await simulate(container, goal, rng)

    return list(await asyncio.gather(*(one(goal, rng) for goal, rng in jobs)))


def tally_lines(results: list[SimResult]) -> list[str]:
    table = tally(results)
    rows = []
    for (lang, kind), t in sorted(table.items()):
        rows.append(
            f"{lang:<3} {kind:<17} {t.passed:>4}/{t.total:<4} {t.rate:7.1%}  {t.turns / max(t.total, 1):5.1f} turns"
        )
    return rows
