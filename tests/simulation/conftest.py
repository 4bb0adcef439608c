"""A shop for the simulated customers (tests/simulation/shop.py) on the session's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tests.shop_database import throwaway_shop
from tests.simulation.shop import stock_the_shop


@pytest.fixture(scope="session")
async def sim_shop(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Any]
) -> AsyncIterator[Any]:
    async with throwaway_shop(
        mongo_uri,
        mongo_client,
        Path(tmp_path_factory.mktemp("usersim")),
        db_prefix="usersim",
        sandbox_secret="simulation-tests-secret",
    ) as container:
        await stock_the_shop(container)
        yield container
