"""Run simulated customers from the command line (a fresh embedded database each run):

    python -m tests.simulation [--count 40] [--lang zh,en] [--goal cart_edit,buy] [--seed 14] [--report FILE]

Prints success and average customer turns per language and goal kind; --report writes
every failed conversation with its transcript as Markdown.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import uuid
from pathlib import Path

from chatcart.bootstrap import running_container
from chatcart.embedded_db import EmbeddedMongo
from chatcart.settings import Settings
from tests.simulation.goals import GOAL_KINDS
from tests.simulation.run import failure_text, run_population, tally_lines
from tests.simulation.shop import stock_the_shop


async def main(
    uri: str, count: int, langs: tuple[str, ...], kinds: tuple[str, ...], seed: int, report: Path | None
) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(
            mongodb_uri=uri,
            db_name=f"usersim_{uuid.uuid4().hex[:8]}",
            data_dir=Path(data_dir),
            payment_sandbox_secret="simulation-secret",
        )
        async with running_container(settings) as container:
            await stock_the_shop(container)
            results = await run_population(container, count, langs, seed, kinds=kinds)
    print("\n".join(tally_lines(results)))
    if report:
        failed = [failure_text(r, i) for i, r in enumerate(results) if not r.success]
        report.write_text("# Simulator failures\n\n" + "\n\n".join(failed) + "\n", encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--lang", default="zh,en")
    parser.add_argument("--goal", default=",".join(GOAL_KINDS), help="goal kinds drawn in turn (default: all)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args()
    langs = tuple(lang.strip() for lang in args.lang.split(",") if lang.strip())
    kinds = tuple(kind.strip() for kind in args.goal.split(",") if kind.strip())
    unknown = [kind for kind in kinds if kind not in GOAL_KINDS]
    if unknown or not kinds:
        parser.error(f"unknown goal kinds {unknown}; known: {', '.join(GOAL_KINDS)}")
    uri = os.environ.get("MONGODB_URI")
    if uri:
        asyncio.run(main(uri, args.count, langs, kinds, args.seed, args.report))
    else:
        with EmbeddedMongo(":memory:") as server:
            asyncio.run(main(server.uri, args.count, langs, kinds, args.seed, args.report))
