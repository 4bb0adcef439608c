"""One customer's scripted conversation with a shop, and a shop made from a catalog file.

The conversation tests all do the same two things: run a few customer lines through the real
dialog engine (`chatcart.cli.chat.run_script`, as `chatcart chat --script --json` does) as a
customer of their own, then look at the replies and the end state; and stand up a throwaway shop
with a catalog the flows were not written for. Both live here once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from chatcart.bootstrap import Container, refresh_nlu_vocabulary
from chatcart.cli.chat import run_script
from core.mongo import Document
from tests.shop_database import throwaway_shop

Turn = dict[str, Any]


def turn_said(turn: Turn) -> str:
    """What the customer saw after one line: every reply's text and its buttons' labels."""
    return "\n".join(r["text"] + " " + " ".join(b["label"] for b in r["buttons"]) for r in turn["replies"])


def cart_of(summary: dict[str, Any]) -> dict[str, int]:
    return {line["sku"]: int(line["qty"]) for line in summary["cart"]}


@dataclass(frozen=True)
class Conversation:
    turns: list[Turn]
    summary: dict[str, Any]

    @property
    def cart(self) -> dict[str, int]:
        return cart_of(self.summary)

    def said(self, index: int = -1) -> str:
        return turn_said(self.turns[index])

    def texts(self) -> list[str]:
        """The bot's words after each line (texts only), one string per line."""
        return [" ".join(reply.get("text") or "" for reply in turn["replies"]) for turn in self.turns]

    def transcript(self) -> str:
        """Every line with the intent it was read as and what the bot answered (for assertion messages)."""
        return "\n".join(f"> {turn['input']}  [{turn['intent']}]\n{turn_said(turn)}" for turn in self.turns)


async def converse(shop: Any, lang: str, lines: list[str], *, who: str = "t") -> Conversation:
    """Run `lines` as a new customer (`who-<random>`) and return what was said and the end state."""
    results = await run_script(shop, lines, user=f"{who}-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    return Conversation(turns, final["summary"])


@asynccontextmanager
async def shop_with_catalog(
    catalog: Path,
    *,
    mongo_uri: str,
    mongo_client: AsyncMongoClient[Document],
    folder: Path,
    db_prefix: str,
    sandbox_secret: str,
) -> AsyncIterator[Container]:
    """A throwaway shop (own database) with `catalog` imported and the NLU told its product words."""
    async with throwaway_shop(
        mongo_uri, mongo_client, folder, db_prefix=db_prefix, sandbox_secret=sandbox_secret
    ) as container:
        report = await container.commerce.catalog.import_catalog(json.loads(catalog.read_text("utf-8")))
        assert report.ok, report
        await refresh_nlu_vocabulary(container)
        yield container
