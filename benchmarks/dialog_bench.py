"""Dialog benchmark: whole conversations through the DialogEngine (embedded DB, builtin NLU).

Each simulated customer searches, picks a product and a colour, checks out with a one-line
address, confirms, pays (sandbox notify path) and asks for the order status. Measured: the
latency of every customer turn inside `DialogEngine.handle_turn` (NLU, state load/save with
optimistic concurrency, transcript, commerce calls; no channel I/O), sequentially and with
many customers at once. Target: p99 <= 50 ms per turn.

Latency depends on the machine and its load; so the sequential phase also measures what does
not: database commands per turn (a command listener), and the CPU a turn costs in this process
(`time.process_time`) and in the embedded database server (its /proc times), each summed over
the turns alone. The concurrent phase counts its aborted transactions (write conflicts).

Run alone with `python -m benchmarks --only dialog_bench`; `run(context)` returns a BenchSection.
CHATCART_BENCH_DIALOG_CUSTOMERS (default 40) and CHATCART_BENCH_DIALOG_CONCURRENCY (default 20).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import BenchContext, BenchSection, process_cpu_seconds, summary_ms

CONVERSATION_ZH = [
    "你好",
    "有没有蓝牙耳机",
    "第一个",
    "黑色的加入购物车",
    "购物车",
    "结账",
    "张三 13800138000 上海市浦东新区世纪大道100号",
    "@快递",
    "不用了",
    "确认",
    "!pay",
    "我的订单到哪了",
]
CONVERSATION_EN = [
    "hello",
    "do you have power banks?",
    "the first one",
    "add the 20000mAh one to my cart",
    "checkout",
    "John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai",
    "@Express",
    "WELCOME10",
    "yes",
    "!pay",
    "where is my order?",
]


async def _shop(db: Any, data_dir: Path) -> Any:
    from chatcart.bootstrap import build_commerce, build_dialog_engine, build_nlu, nlu_vocabulary
    from chatcart.settings import Settings
    from commerce.catalog.demo import seed_demo_store
    from commerce.promotions.service import seed_demo_coupons
    from commerce.services import CommerceConfig, ensure_all_indexes

    await ensure_all_indexes(db)
    sandbox_secret = "benchmark-sandbox-secret"  # noqa: S105 - a throwaway database
    commerce = build_commerce(db, CommerceConfig(sandbox_secret=sandbox_secret))
    await seed_demo_store(commerce, data_dir)
    await seed_demo_coupons(commerce.promotions)
    nlu = build_nlu(Settings(data_dir=data_dir))
    nlu.update_vocabulary(**nlu_vocabulary(await commerce.catalog.vocabulary()))
    engine = build_dialog_engine(commerce=commerce, nlu=nlu, db=db)
    await engine.start()
    return commerce, engine


class _TurnMeter:
    """Commands and CPU of each engine turn while `on` (turns one at a time: with turns
    overlapping, neither the command listener nor the process clocks can tell whose work is whose)."""

    def __init__(self, context: BenchContext, engine: Any) -> None:
        self.on = False
        self.commands: list[int] = []
        self.cpu: list[float] = []
        self.server: list[float] = []
        handle_turn = engine.handle_turn

        async def measured(message: Any) -> Any:
            if not self.on:
                return await handle_turn(message)
            server = process_cpu_seconds(context.server_pid) if context.server_pid else None
            cpu = time.process_time()
            with context.counter.measure() as commands:
                result = await handle_turn(message)
            self.cpu.append(time.process_time() - cpu)
            self.commands.append(commands.count)
            after = process_cpu_seconds(context.server_pid) if context.server_pid else None
            if server is not None and after is not None:
                self.server.append(after - server)
            return result

        setattr(engine, "handle_turn", measured)  # noqa: B010 - wraps the engine's own turn only


async def _conversation(commerce: Any, engine: Any, user: str, lines: list[str], samples: list[float]) -> int:
    from bot.terminal.runner import ChatRunner
    from dialogs.shop_adapter import CommerceSandbox

    runner = ChatRunner(
        engine,
        engine.services.shop,
        CommerceSandbox(commerce),
        user=user,
        dispatch_events=commerce.events.dispatch_once,
    )
    errors = 0
    for line in lines:
        output = await runner.run_line(line)
        if output is None:
            continue
        if not line.startswith("!"):  # shop-side actions are not dialog turns
            samples.append(runner.engine_seconds)
        errors += output.intent == "error"
    return errors


async def run(context: BenchContext) -> BenchSection:
    customers = int(os.environ.get("CHATCART_BENCH_DIALOG_CUSTOMERS", "40"))
    concurrency = int(os.environ.get("CHATCART_BENCH_DIALOG_CONCURRENCY", "20"))
    section = BenchSection(f"Dialog engine ({customers} conversations, builtin NLU, channel I/O excluded)")
    async with context.fresh_db() as db:
        with tempfile.TemporaryDirectory() as tmp:
            commerce, engine = await _shop(db, Path(tmp))
            # Warm-up: NLU caches, indexes, first-time code paths.
            await _conversation(commerce, engine, "warmup", CONVERSATION_ZH, [])
            meter = _TurnMeter(context, engine)

            sequential: list[float] = []
            errors = 0
            meter.on = True
            started = time.perf_counter()
            for index in range(customers):
                lines = CONVERSATION_ZH if index % 2 == 0 else CONVERSATION_EN
                errors += await _conversation(commerce, engine, f"seq-{index}", lines, sequential)
            seq_elapsed = time.perf_counter() - started
            meter.on = False

            parallel: list[float] = []
            gate = asyncio.Semaphore(concurrency)

            async def one(index: int) -> int:
                async with gate:
                    lines = CONVERSATION_ZH if index % 2 == 0 else CONVERSATION_EN
                    return await _conversation(commerce, engine, f"par-{index}", lines, parallel)

            started = time.perf_counter()
            with context.counter.measure() as concurrent:
                errors += sum(await asyncio.gather(*(one(i) for i in range(customers))))
            par_elapsed = time.perf_counter() - started

    seq, par = summary_ms(sequential), summary_ms(parallel)
    section.table(
        ["mode", "turns", "turns/s", "p50 ms", "p99 ms", "mean ms"],
        [
            [
                "sequential",
                len(sequential),
                round(len(sequential) / seq_elapsed, 1),
                seq["p50_ms"],
                seq["p99_ms"],
                seq["mean_ms"],
            ],
            [
                f"{concurrency} customers at once",
                len(parallel),
                round(len(parallel) / par_elapsed, 1),
                par["p50_ms"],
                par["p99_ms"],
                par["mean_ms"],
            ],
        ],
    )
    turns = len(meter.commands)
    commands = sum(meter.commands) / turns
    cpu_ms = sum(meter.cpu) / turns * 1000
    server_ms = sum(meter.server) / turns * 1000 if meter.server else None
    aborted = concurrent.commands.count("abortTransaction")
    section.table(
        ["sequential turns", "DB commands per turn (mean / max)", "chatcart CPU ms per turn", "DB server CPU ms"],
        [
            [
                turns,
                f"{commands:.2f} / {max(meter.commands)}",
                round(cpu_ms, 2),
                "-" if server_ms is None else round(server_ms, 2),
            ]
        ],
    )
    section.note(
        f"With {concurrency} at once: {len(concurrent.commands) / len(parallel):.2f} commands per turn (every command "
        f"of the phase, the shop side's events and payments included, over its turns), {aborted} aborted "
        "transactions. Per-turn budgets of a whole purchase: tests/dialogs/test_turn_budget.py."
    )
    target = "met" if seq["p99_ms"] <= 50 else "NOT met"
    section.note(f"Target p99 <= 50 ms per turn (sequential): {target}. Script errors: {errors}.")
    section.figures.update(
        {
            "dialog_turns_per_s": round(len(sequential) / seq_elapsed, 1),
            "dialog_p99_ms": seq["p99_ms"],
            "dialog_parallel_p99_ms": par["p99_ms"],
            "dialog_errors": errors,
            "dialog_commands_per_turn": round(commands, 2),
            "dialog_cpu_ms_per_turn": round(cpu_ms, 2),
            "dialog_server_cpu_ms_per_turn": None if server_ms is None else round(server_ms, 2),
            "dialog_parallel_aborted_transactions": aborted,
        }
    )
    return section
