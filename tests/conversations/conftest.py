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

from chatcart.bootstrap import build_nlu, running_container
from chatcart.settings import Settings
from commerce.mongo import Document


def flat_vocabulary(vocabulary: dict[str, Any]) -> dict[str, Any]:
    """catalog.vocabulary() gives dicts ({code, zh, en}); the NLU engine takes plain names."""

    def names(items: list[Any]) -> list[str]:
        found: list[str] = []
        for item in items:
            if isinstance(item, dict):
                found.extend(str(item[k]) for k in ("zh", "en") if item.get(k))
            elif item:
                found.append(str(item))
        return found

    return {"products": names(vocabulary.get("products", [])), "brands": names(vocabulary.get("brands", [])),
            "categories": names(vocabulary.get("categories", [])), "synonyms": vocabulary.get("synonyms")}


@pytest.fixture(scope="session")
def shop_settings(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("conversations")
    return Settings(mongodb_uri=mongo_uri, db_name=f"conv_{uuid.uuid4().hex[:10]}", data_dir=Path(data_dir),
                    payment_sandbox_secret="conversation-tests-secret")  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def shop(shop_settings: Settings, mongo_client: AsyncMongoClient[Document]) -> AsyncIterator[Any]:
    from commerce.catalog.demo import seed_demo_store
    from commerce.promotions.service import seed_demo_coupons
    from dialogs import build_dialog_engine

    async with running_container(shop_settings, with_nlu=False, with_dialogs=False) as container:
        await seed_demo_store(container.commerce, shop_settings.data_dir)
        await seed_demo_coupons(container.commerce.promotions)
        container.nlu = build_nlu(shop_settings)
        vocabulary = flat_vocabulary(await container.commerce.catalog.vocabulary())
        container.nlu.update_vocabulary(**vocabulary)
        container.dialogs = build_dialog_engine(commerce=container.commerce, nlu=container.nlu, db=container.db)
        yield container
    await mongo_client.drop_database(shop_settings.db_name)
