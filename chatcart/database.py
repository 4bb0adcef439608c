"""One AsyncMongoClient per process, pointed at MONGODB_URI or at the embedded server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

from chatcart.embedded_db import EmbeddedMongo
from chatcart.settings import Settings
from core.mongo import Database, Document


@dataclass
class DatabaseHandle:
    client: AsyncMongoClient[Document]
    db: Database
    uri: str
    embedded: EmbeddedMongo | None


def make_client(uri: str, listeners: list[CommandListener] | None = None) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        uri, tz_aware=True, event_listeners=listeners or [], serverSelectionTimeoutMS=10_000, appname="chatcart"
    )


@contextlib.asynccontextmanager
async def open_database(
    settings: Settings, listeners: list[CommandListener] | None = None
) -> AsyncIterator[DatabaseHandle]:
    """Connect to the configured MongoDB, or start the embedded one for the duration."""
    embedded: EmbeddedMongo | None = None
    uri = settings.mongodb_uri
    if not uri:
        embedded = EmbeddedMongo(
            settings.storage_path,
            command=settings.embedded_command,
            cache_size=settings.embedded_cache_size,
            change_streams=settings.embedded_change_streams,
        )
        await embedded.__aenter__()
        uri = embedded.uri
    client = make_client(uri, listeners)
    try:
        await client.admin.command("ping")
        yield DatabaseHandle(client=client, db=client[settings.db_name], uri=uri, embedded=embedded)
    finally:
        await client.close()
        if embedded is not None:
            await embedded.__aexit__(None, None, None)
