"""`find_one_and_update` that stays cheap on the embedded database.

MongoDB's `findAndModify` is the right tool for "change this document and give it to me as
changed (or as it was)": one command, atomic. SecantusDB, the embedded default, executes
every `findAndModify` as a scan of the whole collection (it re-asserts the query as
`{_id, $and: [query]}`, which its planner cannot route to an index): 107 ms of server CPU
per call at 20,000 orders, growing linearly - an order transition, a cart line or an event
claim would get slower with every order the shop takes.

So on SecantusDB (recognised once per client by `secantusVersion` in `buildInfo`) the same
operation runs as a short multi-document transaction: find the target (index-routed, with the
caller's sort), update it by `_id`, read it back. Snapshot isolation makes that exactly as
atomic as `findAndModify`: a concurrent writer of the same document aborts one of the two
transactions, which `with_transaction` retries. Three round trips of ~0.6 ms instead of one
that scans. Everywhere else the driver's `find_one_and_update` is used unchanged.

The transaction is retried on write conflicts only, for at most TRANSACTION_RETRY_SECONDS: the
driver's `with_transaction` also retries when the database is unreachable, for two minutes,
which turned a database outage into requests hanging that long (issue 17).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ConnectionFailure, PyMongoError

from core.mongo import Collection, Document, UpdateSpec, update_document

_scans: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
TRANSACTION_RETRY_SECONDS = 10.0
T = TypeVar("T")


async def scans_on_find_and_modify(collection: Collection) -> bool:
    """True for a server whose findAndModify scans the collection (SecantusDB); asked once per client."""
    client = collection.database.client
    known = _scans.get(client)
    if known is None:
        info = await client.admin.command("buildInfo")
        known = _scans[client] = "secantusVersion" in info
    return known


async def find_one_and_update(
    collection: Collection,
    filter: Mapping[str, Any],
    update: UpdateSpec,
    *,
    return_document: bool = ReturnDocument.BEFORE,
    upsert: bool = False,
    sort: Sequence[tuple[str, int]] | None = None,
    projection: Mapping[str, Any] | None = None,
    session: AsyncClientSession | None = None,
    exact: bool = True,
) -> Document | None:
    """`collection.find_one_and_update(...)` with the same arguments and the same atomicity.

    `exact=False` (AFTER only, an `_id` filter) is for callers that want the document as it is
    now rather than precisely as their write left it (a cart shown after adding a line): on
    SecantusDB that is an update and a read, without a transaction.
    """
    if not await scans_on_find_and_modify(collection):
        return await collection.find_one_and_update(
            filter,
            update,
            return_document=return_document,
            upsert=upsert,
            sort=sort,
            projection=projection,
            session=session,
        )
    if not exact and return_document == ReturnDocument.AFTER and sort is None and _plain_id_filter(filter):
        written = await collection.update_one(dict(filter), update_document(update), upsert=upsert, session=session)
        if written.matched_count == 0 and written.upserted_id is None:
            return None
        return await collection.find_one({"_id": filter["_id"]}, projection, session=session)

    async def in_transaction(txn: AsyncClientSession) -> Document | None:
        return await _find_update_read(
            collection,
            dict(filter),
            update,
            return_document=return_document,
            upsert=upsert,
            sort=sort,
            projection=projection,
            session=txn,
        )

    if session is not None and session.in_transaction:
        return await in_transaction(session)
    return await run_transaction(collection.database.client, in_transaction)


async def run_transaction(client: AsyncMongoClient[Any], callback: Callable[[AsyncClientSession], Awaitable[T]]) -> T:
    """Run `callback` in a transaction, again after a write conflict (for at most
    TRANSACTION_RETRY_SECONDS); any other failure - the database unreachable above all - is
    raised at once. Use instead of the driver's `with_transaction`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TRANSACTION_RETRY_SECONDS
    backoff = 0.002
    async with client.start_session() as session:
        while True:
            try:
                async with await session.start_transaction():
                    return await callback(session)
            except PyMongoError as exc:
                conflict = exc.has_error_label("TransientTransactionError") and not isinstance(exc, ConnectionFailure)
                if not conflict or loop.time() + backoff > deadline:
                    raise
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 0.1)


def _plain_id_filter(filter: Mapping[str, Any]) -> bool:
    """An `_id` equality and plain field conditions: the update itself is index-routed."""
    identifier = filter.get("_id")
    return identifier is not None and not isinstance(identifier, Mapping) and not any(k.startswith("$") for k in filter)


async def _find_update_read(
    collection: Collection,
    filter: Document,
    update: UpdateSpec,
    *,
    return_document: bool,
    upsert: bool,
    sort: Sequence[tuple[str, int]] | None,
    projection: Mapping[str, Any] | None,
    session: AsyncClientSession,
) -> Document | None:
    target = filter
    if sort is not None or not _plain_id_filter(filter):
        found = await collection.find_one(filter, {"_id": 1}, sort=list(sort) if sort else None, session=session)
        if found is not None:
            target = {"_id": found["_id"]}  # matched inside this transaction's snapshot
        elif not upsert:
            return None
    before = None
    if return_document == ReturnDocument.BEFORE:
        before = await collection.find_one(target, projection, session=session)
        if before is None and not upsert:
            return None
    result = await collection.update_one(target, update_document(update), upsert=upsert, session=session)
    if result.matched_count == 0 and result.upserted_id is None:
        return None
    if return_document == ReturnDocument.BEFORE:
        return before
    identifier = result.upserted_id if result.upserted_id is not None else target.get("_id")
    if identifier is None:  # a plain-filter upsert that matched: find it again by the filter
        return await collection.find_one(filter, projection, session=session)
    return await collection.find_one({"_id": identifier}, projection, session=session)
