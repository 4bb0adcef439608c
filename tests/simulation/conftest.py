"""A shop for the simulated customers (tests/simulation/shop.py) on the session's database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.bootstrap import running_container
from chatcart.settings import Settings
from tests.simulation.shop import stock_the_shop


@pytest.fixture(scope="session")
async def sim_shop(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Any]
) -> AsyncIterator[Any]:
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=f"usersim_{uuid.uuid4().hex[:10]}",
        data_dir=Path(tmp_path_factory.mktemp("usersim")),
        payment_sandbox_secret="simulation-tests-secret",
    )
    async with running_container(settings) as container:
        await stock_the_shop(container)
        yield container
    await mongo_client.drop_database(settings.db_name)
