"""One AsyncMongoClient per process, pointed at MONGODB_URI or at the embedded server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient, WriteConcern
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError, WriteConcernError
from pymongo.monitoring import CommandListener
from pymongo.uri_parser import parse_uri

from chatcart.embedded_db import EmbeddedMongo
from chatcart.settings import Settings
from core.logging_setup import get_logger
from core.mongo import Database, Document, utcnow

log = get_logger("chatcart.database")

# An acknowledged write must survive a crash: journaled, and on a majority of a replica set.
DURABLE = WriteConcern(w="majority", j=True)
# Servers that refuse one of those (a deployment without journaling, say) get what they accept.
FALLBACKS = (WriteConcern(w=1, j=True), WriteConcern(w=1))
PROBE_COLLECTION = "write_concern_probe"
# Request paths should fail fast when the database is unreachable (503 within ~2 s, issue 17);
# start-up waits longer (see open_database).
SERVER_SELECTION_TIMEOUT_MS = 1_500
# SecantusDB closes a client connection idle for 300 s; a pooled connection left idle longer
# would fail the next non-retryable command (createIndexes, a transaction) with "connection
# closed". Dropping pooled connections idle for 4 minutes avoids ever reusing such a socket.
MAX_IDLE_CONNECTION_MS = 240_000


@dataclass
class DatabaseHandle:
    client: AsyncMongoClient[Document]
    db: Database
    uri: str
    embedded: EmbeddedMongo | None


def _uri_sets_write_concern(uri: str) -> bool:
    options = parse_uri(uri, validate=False, warn=True)["options"]
    return any(name in options for name in ("w", "journal", "wtimeoutms"))


def make_client(
    uri: str,
    listeners: list[CommandListener] | None = None,
    *,
    write_concern: WriteConcern | None = DURABLE,
    server_selection_timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS,
) -> AsyncMongoClient[Document]:
    """A client writing with `write_concern` unless the URI chooses its own (`w=`, `journal=`)."""
    options: dict[str, Any] = {}
    if write_concern is not None and not _uri_sets_write_concern(uri):
        options = dict(write_concern.document)
        if "j" in options:
            options["journal"] = options.pop("j")
    return AsyncMongoClient(
        uri,
        tz_aware=True,
        event_listeners=listeners or [],
        serverSelectionTimeoutMS=server_selection_timeout_ms,
        appname="chatcart",
        maxIdleTimeMS=MAX_IDLE_CONNECTION_MS,
        **options,
    )


async def write_concern_accepted(client: AsyncMongoClient[Document], db_name: str, concern: WriteConcern) -> bool:
    """Whether the server acknowledges a write with `concern` (one upsert of a probe document)."""
    collection = client.get_database(db_name, write_concern=concern)[PROBE_COLLECTION]
    try:
        await collection.update_one({"_id": "probe"}, {"$set": {"at": utcnow()}}, upsert=True)
    except (WriteConcernError, OperationFailure) as exc:
        log.warning("database.write_concern_refused", write_concern=concern.document, error=str(exc)[:200])
        return False
    return True


async def durable_client(
    uri: str, db_name: str, listeners: list[CommandListener] | None = None
) -> AsyncMongoClient[Document]:
    """A client with the most durable write concern the server accepts (DURABLE, then FALLBACKS)."""
    client = make_client(uri, listeners)
    if _uri_sets_write_concern(uri):
        return client
    for fallback in FALLBACKS:
        if await write_concern_accepted(client, db_name, client.write_concern):
            return client
        await client.close()
        client = make_client(uri, listeners, write_concern=fallback)
    return client


async def wait_until_reachable(client: AsyncMongoClient[Document], timeout_seconds: float) -> None:
    """Start-up may wait for a database that is still coming up, longer than a request would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while True:
        try:
            await client.admin.command("ping")
            return
        except ServerSelectionTimeoutError:
            if loop.time() >= deadline:
                raise


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
            sync_on_commit=settings.embedded_sync_on_commit,
        )
        await embedded.__aenter__()
        uri = embedded.uri
    client = make_client(uri, listeners)
    try:
        await wait_until_reachable(client, timeout_seconds=10)
        await client.close()
        client = await durable_client(uri, settings.db_name, listeners)
        yield DatabaseHandle(client=client, db=client[settings.db_name], uri=uri, embedded=embedded)
    finally:
        await client.close()
        if embedded is not None:
            await embedded.__aexit__(None, None, None)
