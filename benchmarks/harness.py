"""Shared plumbing for the benchmark modules: one database server, fresh databases, counters."""

from __future__ import annotations

import contextlib
import os
import statistics
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pymongo import AsyncMongoClient

from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from core.mongo import Database, Document


@dataclass
class BenchSection:
    title: str
    lines: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "---|" * len(header))
        for row in rows:
            self.lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
        self.lines.append("")

    def note(self, text: str) -> None:
        self.lines.extend([text, ""])

    def markdown(self) -> str:
        return "\n".join([f"## {self.title}", "", *self.lines])


@dataclass
class BenchContext:
    mongo_uri: str
    counter: CommandCounter = field(default_factory=CommandCounter)
    server_pid: int | None = None  # the embedded database's process, when the benchmark started one
    _client: AsyncMongoClient[Document] | None = None

    @property
    def client(self) -> AsyncMongoClient[Document]:
        if self._client is None:
            self._client = make_client(self.mongo_uri, [self.counter])
        return self._client

    @contextlib.asynccontextmanager
    async def fresh_db(self) -> AsyncIterator[Database]:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        try:
            yield self.client[name]
        finally:
            await self.client.drop_database(name)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def percentile(samples: Sequence[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """Latency samples in seconds -> p50/p99/mean in milliseconds."""
    return {
        "p50_ms": round(percentile(samples, 50) * 1000, 3),
        "p99_ms": round(percentile(samples, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(samples) * 1000, 3) if samples else float("nan"),
    }


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of another process (Linux /proc); None where that is not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14 and 15 of stat)
