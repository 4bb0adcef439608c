"""A running chatcart container on a throwaway database of the session's server, for the
session-scoped shop fixtures (conversations, simulated customers)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from chatcart.bootstrap import Container, running_container
from chatcart.settings import Settings


@asynccontextmanager
async def throwaway_shop(
    mongo_uri: str, mongo_client: AsyncMongoClient[Any], data_dir: Path, *, db_prefix: str, sandbox_secret: str
) -> AsyncIterator[Container]:
    """The app on a fresh database `<db_prefix>_<random>`, dropped once the fixture is done
    (kept when it failed, to look at)."""
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=f"{db_prefix}_{uuid.uuid4().hex[:10]}",
        data_dir=data_dir,
        payment_sandbox_secret=sandbox_secret,
    )
    async with running_container(settings) as container:
        yield container
    await mongo_client.drop_database(settings.db_name)
