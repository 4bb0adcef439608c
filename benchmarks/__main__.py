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
MODULES = ["commerce_bench", "catalog_bench", "nlu_bench", "dialog_bench", "telegram_bench", "wechat_bench", "admin_bench"]


async def _run(names: list[str], uri: str) -> list[BenchSection]:
    context = BenchContext(mongo_uri=uri)
    sections: list[BenchSection] = []
    try:
        for name in names:
            try:
                module = importlib.import_module(f"benchmarks.{name}")
            except ModuleNotFoundError as exc:
                if exc.name == f"benchmarks.{name}":
                    continue
                raise
            started = time.perf_counter()
            section: BenchSection = await module.run(context)
            section.note(f"_{name} took {time.perf_counter() - started:.1f} s._")
            sections.append(section)
            print(section.markdown(), flush=True)
    finally:
        await context.close()
    return sections


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--only", default="", help="comma-separated module names")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or MODULES
    uri = os.environ.get("MONGODB_URI")
    if uri:
        sections = asyncio.run(_run(names, uri))
        database = "MONGODB_URI"
    else:
        with EmbeddedMongo(":memory:", cache_size="1G") as server:
            sections = asyncio.run(_run(names, server.uri))
        database = "embedded SecantusDB (secantusd-py, in-memory storage)"
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
        ]
        args.output.write_text("\n".join(header) + "\n".join(s.markdown() for s in sections) + "\n")


if __name__ == "__main__":
    main()
