"""Lines typed in the terminal, read without blocking the event loop (the simulated service keeps
answering chatcart while the person types)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator


async def typed_lines(prompt: str = "> ") -> AsyncIterator[str]:
    """Each line typed on standard input, stripped, until end of input (Ctrl-D)."""
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    # os.read on readiness instead of sys.stdin.readline: a buffered reader could hold several
    # pasted lines while the descriptor no longer reports readable, and they would wait unseen.
    loop.add_reader(fd, lambda: chunks.put_nowait(os.read(fd, 65536)))
    pending = b""
    try:
        while True:
            print(prompt, end="", flush=True)
            while b"\n" not in pending:
                chunk = await chunks.get()
                if not chunk:
                    if pending.strip():
                        yield pending.decode(errors="replace").strip()
                    return
                pending += chunk
            line, pending = pending.split(b"\n", 1)
            yield line.decode(errors="replace").strip()
    finally:
        loop.remove_reader(fd)


def say(text: str) -> None:
    """One block of output, set off from the prompt."""
    print(f"\n{text}", flush=True)
