"""User simulator benchmark: task success of simulated customers (tests/simulation).

Goal-driven, agenda-based customers (buy with options, coupons, failed payments, cart edits
by description, cancellations, tracking, returns, refunds, handoff, side questions) talk to
the real DialogEngine over the terminal channel on the outsider catalog and are scored on
the end state in the database. Reported per language and goal kind: task success and the
average number of customer messages. Issue 14's target is >= 95 % per language.

CHATCART_BENCH_USERSIM_PER_LANG (default 1000) conversations per language,
CHATCART_BENCH_USERSIM_SEED (default 14), CHATCART_BENCH_USERSIM_CONCURRENCY (default 4).
Run alone with `python -m benchmarks --only usersim_bench`.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks.harness import BenchContext, BenchSection

LANGS = ("zh", "en")


async def run(context: BenchContext) -> BenchSection:
    from chatcart.bootstrap import running_container
    from chatcart.settings import Settings
    from tests.simulation.goals import GOAL_KINDS
    from tests.simulation.run import run_population, tally
    from tests.simulation.shop import stock_the_shop

    per_lang = int(os.environ.get("CHATCART_BENCH_USERSIM_PER_LANG", "1000"))
    seed = int(os.environ.get("CHATCART_BENCH_USERSIM_SEED", "14"))
    concurrency = int(os.environ.get("CHATCART_BENCH_USERSIM_CONCURRENCY", "4"))
    section = BenchSection(f"User simulator ({per_lang} conversations per language, seed {seed})")
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            mongodb_uri=context.mongo_uri,
            db_name=f"bench_usersim_{uuid.uuid4().hex[:8]}",
            data_dir=Path(data_dir),
            payment_sandbox_secret="benchmark-sandbox-secret",  # noqa: S106 - a throwaway sandbox
        )
        async with running_container(settings) as container:
            await stock_the_shop(container)
            started = time.perf_counter()
            results = await run_population(container, per_lang, LANGS, seed, concurrency=concurrency)
            elapsed = time.perf_counter() - started
            await context.client.drop_database(settings.db_name)
    table = tally(results)
    rows = []
    for kind in (*GOAL_KINDS, "all"):
        row: list[object] = [f"**{kind}**" if kind == "all" else kind]
        for lang in LANGS:
            counts = table.get((lang, kind))
            if counts is None:
                row += ["-", "-"]
                continue
            row += [f"{counts.rate:.1%} ({counts.passed}/{counts.total})", f"{counts.turns / counts.total:.1f}"]
        rows.append(row)
    section.table(["goal", "zh success", "zh turns", "en success", "en turns"], rows)
    for lang in LANGS:
        section.figures[f"{lang}_success"] = round(table[(lang, "all")].rate, 4)
    section.note(
        "Success = the end state in the database matches the goal (orders with their SKUs, quantities "
        "and status; cart; after-sales requests; handoff), and a tracking answer names the order or its "
        "shipping. Turns = customer messages (shop-side events such as the sandbox payment are not counted). "
        f"{len(results)} conversations in {elapsed:.0f} s. Target (issue 14): >= 95 % per language."
    )
    return section
