"""Run every benchmark and write docs/benchmarks.md.

python -m benchmarks [--output docs/benchmarks.md] [--only catalog,commerce]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.harness import BenchContext, BenchSection
from chatcart.embedded_db import EmbeddedMongo

# Order matters only for reading: database round trips first, then throughput/latency.
MODULES = [
    "commerce_bench",
    "payments_bench",
    "catalog_bench",
    "nlu_bench",
    "dialog_bench",
    "usersim_bench",
    "telegram_bench",
    "wechat_bench",
    "admin_bench",
    "durability_bench",
    "soak_bench",
]


async def _run_module(name: str, uri: str, server_pid: int | None = None) -> BenchSection | None:
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None
        raise
    context = BenchContext(mongo_uri=uri, server_pid=server_pid)
    started = time.perf_counter()
    try:
        section: BenchSection = await module.run(context)
    finally:
        await context.close()
    section.note(f"_{name} took {time.perf_counter() - started:.1f} s._")
    print(section.markdown(), flush=True)
    return section


def _run_all(names: list[str]) -> list[BenchSection]:
    """Each module gets a fresh embedded server, so one benchmark's data (100k orders) and cache
    pressure cannot slow the next; with MONGODB_URI they all share that server."""
    sections: list[BenchSection] = []
    uri = os.environ.get("MONGODB_URI")
    for name in names:
        if uri:
            section = asyncio.run(_run_module(name, uri))
        else:
            with EmbeddedMongo(":memory:", cache_size="1G", sync_on_commit=False) as server:
                section = asyncio.run(_run_module(name, server.uri, server.pid))
        if section is not None:
            sections.append(section)
    return sections


PERFORMANCE_NOTES = Path(__file__).with_name("performance_notes.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--only", default="", help="comma-separated module names")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or MODULES
    sections = _run_all(names)
    database = (
        "MONGODB_URI"
        if os.environ.get("MONGODB_URI")
        else (
            "embedded SecantusDB (secantusd-py, standalone: no oplog, in-memory storage without fsync per "
            "commit, a fresh server per module; durability_bench measures the durable set-up)"
        )
    )
    if args.output:
        header = [
            "# Benchmarks",
            "",
            f"Produced by `make bench` (`{Path(sys.executable).name} -m benchmarks"
            f"{' --only ' + args.only if args.only else ''} --output {args.output}`) on "
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"database: {database}.",
            "",
            "Database commands per operation are counted with a PyMongo command listener and do not",
            "depend on the machine; throughput and latency do (the machines are shared and noisy).",
            "",
            "",
        ]
        notes = PERFORMANCE_NOTES.read_text("utf-8")  # hand-written; kept at the end of every run's file
        figures = "\n".join(header) + "\n".join(s.markdown() for s in sections)
        args.output.write_text(figures.rstrip("\n") + "\n\n" + notes)


if __name__ == "__main__":
    main()
