"""One seeded shop for all scripted conversations: the demo catalog and coupons, the builtin NLU.

Each script runs as its own terminal user (own cart, orders and conversation), through
`chatcart.cli.chat.run_script` - the code behind `chatcart chat --script FILE --json`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.bootstrap import refresh_nlu_vocabulary, running_container
from chatcart.settings import Settings
from commerce.mongo import Document


@pytest.fixture(scope="session")
def shop_settings(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("conversations")
    return Settings(mongodb_uri=mongo_uri, db_name=f"conv_{uuid.uuid4().hex[:10]}", data_dir=Path(data_dir),
                    payment_sandbox_secret="conversation-tests-secret")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def shop(shop_settings: Settings, mongo_client: AsyncMongoClient[Document]) -> AsyncIterator[Any]:
    from commerce.catalog.demo import seed_demo_store
    from commerce.promotions.service import seed_demo_coupons

    async with running_container(shop_settings) as container:
        await seed_demo_store(container.commerce, shop_settings.data_dir)
        await seed_demo_coupons(container.commerce.promotions)
        await refresh_nlu_vocabulary(container)  # the NLU learns the names just imported
        yield container
    await mongo_client.drop_database(shop_settings.db_name)
