"""Customers (`customers` collection): identities, profile, addresses, tier, history.

Identity keys (`telegram:123`, `phone:+8613800138000`) are kept in `identity_keys`, which has a
unique index, so one identity can never belong to two customers. Linking an identity that
already belongs to someone else merges the two customers: the older account survives and the
other one's identities, addresses, cart and orders move over (through merge hooks that the
cart/order/after-sales services register, so this module does not depend on them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bson import ObjectId
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from commerce.customers.model import (
    Address,
    AddressIn,
    Customer,
    Identity,
    IdentityKind,
    Tier,
    normalize_email,
    normalize_identity,
    normalize_phone,
)
from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.localized import normalize_language
from commerce.money import Money
from core.atomic import find_one_and_update, run_transaction
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, mark_migration_done, migration_done, utcnow

CUSTOMERS = "customers"
MAX_ADDRESSES = 20
MAX_NAME = 60
MERGE_MIGRATION = "customers.merges_in_one_transaction"

INDEXES = [
    CollectionIndexes(
        CUSTOMERS,
        [
            # Partial: customers absorbed by a merge keep no keys and must not collide on "missing".
            IndexModel(
                [("identity_keys", ASCENDING)],
                unique=True,
                name="identity_keys_unique",
                partialFilterExpression={"identity_keys": {"$type": "string"}},
            ),
            # The same keys for lookups: SecantusDB plans `{identity_keys: key}` on a non-partial
            # index only (it does not see that an equality implies the partial filter above).
            # A second key field keeps the key pattern distinct for MongoDB.
            IndexModel([("identity_keys", ASCENDING), ("_id", ASCENDING)], name="identity_keys_lookup"),
            IndexModel([("tier", ASCENDING)]),
        ],
        # Served `identify`'s repair of half-done merges, which merges in one transaction made
        # unnecessary (the one-time `finish_interrupted_merges` scans instead).
        retired=("merged_identity_keys_1",),
    )
]

MergeHook = Callable[[str, str], Awaitable[None]]  # (absorbed_id, survivor_id)
log = get_logger("commerce.customers")


class CustomerService:
    def __init__(self, db: Database, *, history_size: int = 20) -> None:
        self._db = db
        self._customers = db[CUSTOMERS]
        self.history_size = history_size
        self._merge_hooks: list[MergeHook] = []

    def on_merge(self, hook: MergeHook) -> None:
        """Register a step run when one customer is merged into another."""
        self._merge_hooks.append(hook)

    # --- identities --------------------------------------------------------------------------
    async def identify(
        self,
        kind: IdentityKind | str,
        value: str,
        *,
        language: str | None = None,
        name: str | None = None,
        likely_new: bool = False,
    ) -> Customer:
        """The customer behind a channel identity, created on first sight.

        `likely_new` (a channel user the caller has never seen) tries the insert first: one
        command for a new customer instead of a lookup and an insert, two for one that exists
        (the unique index turns the insert away). An identity is never left on a merged-away
        customer (merges move keys in one transaction), so a key nobody holds is a new customer.
        """
        identity = _identity(kind, value)
        look_first = not likely_new
        for _ in range(3):
            if look_first:
                doc = await self._customers.find_one({"identity_keys": identity.key})
                if doc is not None:
                    return Customer.from_doc(doc)
            look_first = True
            now = utcnow()
            new: Document = {
                "_id": str(ObjectId()),
                "identities": [identity.to_doc(now)],
                "identity_keys": [identity.key],
                "name": _clean_name(name or ""),
                "language": normalize_language(language),
                "tier": Tier.REGULAR.value,
                "addresses": [],
                "default_address_id": None,
                "viewed": [],
                "created_at": now,
                "updated_at": now,
            }
            _apply_identity_profile(new, identity)
            try:
                await self._customers.insert_one(new)
                return Customer.from_doc(new)
            except DuplicateKeyError:
                continue  # it exists (or someone created it at the same moment): read it
        raise Conflict("could not identify the customer, please retry", details={"kind": identity.kind.value})

    async def link(self, customer_id: str, kind: IdentityKind | str, value: str) -> Customer:
        """Attach another channel identity; if it belongs to another customer, merge the two.
        Returns the customer that holds the identity afterwards (the merge survivor)."""
        identity = _identity(kind, value)
        for _ in range(3):
            current = await self.get(customer_id)
            owner = await self._customers.find_one({"identity_keys": identity.key}, {"_id": 1})
            if owner is not None:
                if owner["_id"] == current.id:
                    return current
                return await self.merge(current.id, str(owner["_id"]))
            update: Document = {
                "$addToSet": {"identities": identity.to_doc(), "identity_keys": identity.key},
                "$set": {"updated_at": utcnow()},
            }
            profile: Document = {}
            _apply_identity_profile(profile, identity)
            for field_name, field_value in profile.items():
                if getattr(current, field_name) is None:
                    update["$set"][field_name] = field_value
            try:
                doc = await find_one_and_update(
                    self._customers,
                    {"_id": current.id, "merged_into": None},
                    update,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # the identity was just taken by someone else: merge on the next round
            if doc is not None:
                return Customer.from_doc(doc)
        raise Conflict("could not link the identity, please retry", details={"kind": identity.kind.value})

    async def merge(self, first_id: str, second_id: str) -> Customer:
        """Merge two customers; the older one survives. Safe to re-run after an interruption."""
        first, second = await self._raw(first_id), await self._raw(second_id)
        if first.id == second.id:
            return await self.get(first.id)
        survivor, absorbed = sorted([first, second], key=lambda c: (c.created_at, c.id))
        if survivor.merged_into:
            raise Conflict("cannot merge into a customer that was merged away", details={"customer_id": survivor.id})
        await self._move_into(survivor.id, absorbed.id)
        await self._run_merge_hooks(absorbed.id, survivor.id)
        log.info("customers_merged", survivor=survivor.id, absorbed=absorbed.id)
        return await self.get(survivor.id)

    async def _move_into(self, survivor_id: str, absorbed_id: str) -> None:
        """In one transaction: retire the absorbed account (its keys move to `merged_identity_keys`,
        so the unique index lets the survivor take them) and give the survivor its identities,
        addresses, history, tier and purchase totals. An identity is therefore always held by
        exactly one live customer, which is what lets `identify` insert a key nobody holds.
        Guarded by `merged_from`, so re-running it never counts anything twice."""

        async def move(txn: AsyncClientSession) -> None:
            survivor = await self._raw(survivor_id, session=txn)
            absorbed_doc = await find_one_and_update(
                self._customers,
                {"_id": absorbed_id},
                [
                    {
                        "$set": {
                            "merged_into": {"$literal": survivor_id},
                            "merged_at": utcnow(),
                            "merged_identity_keys": {"$ifNull": ["$identity_keys", "$merged_identity_keys"]},
                        }
                    },
                    {"$unset": ["identity_keys"]},
                ],
                return_document=ReturnDocument.AFTER,
                session=txn,
            )
            if absorbed_doc is None:
                raise NotFound("customer not found", details={"customer_id": absorbed_id})
            absorbed = Customer.from_doc({**absorbed_doc, "identities": absorbed_doc.get("identities") or []})
            await self._customers.update_one(
                {"_id": survivor_id, "merged_from": {"$ne": absorbed_id}},
                _merge_update(survivor, absorbed),
                session=txn,
            )

        await run_transaction(self._db.client, move)

    async def _run_merge_hooks(self, absorbed_id: str, survivor_id: str) -> None:
        """Carts, orders, after-sales, payments follow the customer (each hook is safe to re-run)."""
        for hook in self._merge_hooks:
            await hook(absorbed_id, survivor_id)

    async def finish_interrupted_merges(self) -> int:
        """Once per database: finish merges that an earlier version (which moved the keys in two
        separate writes) left half done - the absorbed account retired, the survivor without its
        keys. Returns how many were finished."""
        if await migration_done(self._db, MERGE_MIGRATION):
            return 0
        finished = 0
        query: Document = {"merged_into": {"$type": "string"}, "merged_identity_keys.0": {"$exists": True}}
        async for doc in self._customers.find(query, {"_id": 1, "merged_into": 1}):
            survivor_id = await self._resolve(str(doc["merged_into"]))
            if await self._customers.find_one({"_id": survivor_id, "merged_from": doc["_id"]}, {"_id": 1}) is None:
                await self._move_into(survivor_id, str(doc["_id"]))
                await self._run_merge_hooks(str(doc["_id"]), survivor_id)
                log.info("customers_merge_finished", survivor=survivor_id, absorbed=doc["_id"])
                finished += 1
        await mark_migration_done(self._db, MERGE_MIGRATION)
        return finished

    async def _raw(self, customer_id: str, *, session: AsyncClientSession | None = None) -> Customer:
        doc = await self._customers.find_one({"_id": customer_id}, session=session)
        if doc is None:
            raise NotFound("customer not found", details={"customer_id": customer_id})
        return Customer.from_doc(doc)

    async def _resolve(self, customer_id: str) -> str:
        """Follow `merged_into` to the customer that is alive today."""
        seen: set[str] = set()
        current = customer_id
        while current not in seen:
            seen.add(current)
            doc = await self._customers.find_one({"_id": current}, {"merged_into": 1})
            if doc is None or not doc.get("merged_into"):
                return current
            current = str(doc["merged_into"])
        return current

    # --- reads -------------------------------------------------------------------------------
    async def get(self, customer_id: str) -> Customer:
        doc = await self._customers.find_one({"_id": customer_id})
        if doc is None:
            raise NotFound("customer not found", details={"customer_id": customer_id})
        if doc.get("merged_into"):
            survivor = await self._customers.find_one({"_id": await self._resolve(customer_id)})
            if survivor is not None:
                return Customer.from_doc(survivor)
        return Customer.from_doc(doc)

    async def find(self, customer_id: str) -> Customer | None:
        try:
            return await self.get(customer_id)
        except NotFound:
            return None

    async def find_by_identity(self, kind: IdentityKind | str, value: str) -> Customer | None:
        identity = _identity(kind, value)
        doc = await self._customers.find_one({"identity_keys": identity.key})
        return Customer.from_doc(doc) if doc else None

    async def list_customers(
        self, *, tier: str | None = None, after: str | None = None, limit: int = 50
    ) -> list[Customer]:
        query: Document = {"merged_into": None}
        if tier:
            query["tier"] = Tier(tier).value
        if after:
            query["_id"] = {"$gt": after}
        cursor = self._customers.find(query).sort("_id", 1).limit(max(1, min(limit, 200)))
        return [Customer.from_doc(doc) async for doc in cursor]

    # --- profile -----------------------------------------------------------------------------
    async def update_profile(
        self,
        customer_id: str,
        *,
        name: str | None = None,
        language: str | None = None,
        phone: str | None = None,
        email: str | None = None,
    ) -> Customer:
        changes: Document = {}
        if name is not None:
            changes["name"] = _clean_name(name)
        if language is not None:
            changes["language"] = normalize_language(language)
        try:
            if phone is not None:
                changes["phone"] = normalize_phone(phone) if phone else None
            if email is not None:
                changes["email"] = normalize_email(email).lower() if email else None
        except ValueError as exc:
            raise ValidationFailed(str(exc), details={"field": "phone" if phone is not None else "email"}) from None
        return await self._update(customer_id, {"$set": changes})

    async def set_language(self, customer_id: str, language: str) -> Customer:
        return await self.update_profile(customer_id, language=language)

    async def set_tier(self, customer_id: str, tier: Tier | str, actor: str) -> Customer:
        try:
            value = Tier(tier)
        except ValueError:
            raise ValidationFailed(
                "unknown tier", details={"tier": str(tier), "allowed": [t.value for t in Tier]}
            ) from None
        log.info("customer_tier_set", customer_id=customer_id, tier=value.value, actor=actor)
        return await self._update(customer_id, {"$set": {"tier": value.value}})

    async def _update(self, customer_id: str, update: Document, guard: Document | None = None) -> Customer:
        update.setdefault("$set", {})["updated_at"] = utcnow()
        doc = await find_one_and_update(
            self._customers,
            {"_id": customer_id, "merged_into": None, **(guard or {})},
            update,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            await self.get(customer_id)  # NotFound if missing
            raise Conflict("the customer changed meanwhile, please retry", details={"customer_id": customer_id})
        return Customer.from_doc(doc)

    async def _write(self, customer_id: str, update: Document, guard: Document | None = None) -> None:
        """`_update` for callers that do not need the customer back: one guarded update, where
        `find_one_and_update` on SecantusDB is a transaction of three commands (core/atomic.py)."""
        update.setdefault("$set", {})["updated_at"] = utcnow()
        result = await self._customers.update_one({"_id": customer_id, "merged_into": None, **(guard or {})}, update)
        if result.matched_count == 0:
            await self.get(customer_id)  # NotFound if missing
            raise Conflict("the customer changed meanwhile, please retry", details={"customer_id": customer_id})

    # --- addresses ---------------------------------------------------------------------------
    async def add_address(self, customer_id: str, data: AddressIn, *, make_default: bool = False) -> Address:
        current = await self.get(customer_id)
        address = Address.from_input(str(ObjectId()), data)
        for existing in current.addresses:
            if existing.same_place(address):  # saving the same address twice returns the first
                if make_default:
                    await self.set_default_address(current.id, existing.id)
                return existing
        if len(current.addresses) >= MAX_ADDRESSES:
            raise ValidationFailed(f"at most {MAX_ADDRESSES} addresses can be saved", code="too_many_addresses")
        update: Document = {"$push": {"addresses": address.to_doc()}}
        if make_default or current.default_address is None:
            update["$set"] = {"default_address_id": address.id}
        await self._write(current.id, update, {f"addresses.{MAX_ADDRESSES - 1}": {"$exists": False}})
        return address

    async def update_address(self, customer_id: str, address_id: str, data: AddressIn) -> Address:
        address = Address.from_input(address_id, data)
        doc = await find_one_and_update(
            self._customers,
            {"_id": customer_id, "addresses.id": address_id},
            {"$set": {"addresses.$": address.to_doc(), "updated_at": utcnow()}},
        )
        if doc is None:
            raise NotFound("address not found", details={"address_id": address_id})
        return address

    async def delete_address(self, customer_id: str, address_id: str) -> None:
        current = await self.get(customer_id)
        if current.address(address_id) is None:
            raise NotFound("address not found", details={"address_id": address_id})
        remaining = [a for a in current.addresses if a.id != address_id]
        update: Document = {"$pull": {"addresses": {"id": address_id}}}
        if current.default_address_id == address_id:
            update["$set"] = {"default_address_id": remaining[0].id if remaining else None}
        await self._write(current.id, update)

    async def set_default_address(self, customer_id: str, address_id: str) -> Customer:
        doc = await find_one_and_update(
            self._customers,
            {"_id": customer_id, "addresses.id": address_id},
            {"$set": {"default_address_id": address_id, "updated_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise NotFound("address not found", details={"address_id": address_id})
        return Customer.from_doc(doc)

    async def addresses(self, customer_id: str) -> list[Address]:
        return saved_addresses(await self.get(customer_id))

    # --- browsing and purchase history -------------------------------------------------------
    async def record_view(self, customer_id: str, product_code: str) -> None:
        """Most recent first, without duplicates, at most `history_size` entries."""
        code = {"$literal": product_code}
        await self._customers.update_one(
            {"_id": customer_id},
            [
                {
                    "$set": {
                        "viewed": {
                            "$slice": [
                                {
                                    "$concatArrays": [
                                        [code],
                                        {
                                            "$filter": {
                                                "input": {"$ifNull": ["$viewed", []]},
                                                "as": "v",
                                                "cond": {"$ne": ["$$v", code]},
                                            }
                                        },
                                    ]
                                },
                                self.history_size,
                            ]
                        }
                    }
                }
            ],
        )

    async def browsing_history(self, customer_id: str) -> list[str]:
        return list((await self.get(customer_id)).viewed)

    @staticmethod
    def add_purchase(batch: WriteBatch, customer_id: str, total: Money) -> int:
        """Purchase totals, updated in the same round trip as the payment it follows."""
        now = utcnow()
        return batch.update_one(
            CUSTOMERS,
            {"_id": customer_id},
            {
                "$inc": {"purchases.orders": 1, "purchases.spent_minor": total.amount},
                "$set": {"purchases.last_order_at": now, "updated_at": now},
            },
        )


def _identity(kind: IdentityKind | str, value: str) -> Identity:
    try:
        identity_kind = IdentityKind(kind)
    except ValueError:
        raise ValidationFailed(
            "unknown identity kind", details={"kind": str(kind)[:40], "allowed": [k.value for k in IdentityKind]}
        ) from None
    return Identity(identity_kind, normalize_identity(identity_kind, value))


def _apply_identity_profile(target: Document, identity: Identity) -> None:
    """A phone or e-mail identity doubles as the profile's contact detail."""
    if identity.kind is IdentityKind.PHONE:
        target["phone"] = identity.value
    elif identity.kind is IdentityKind.EMAIL:
        target["email"] = identity.value


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())[:MAX_NAME]
    return "".join(ch for ch in cleaned if ch.isprintable())


def _merge_update(survivor: Customer, absorbed: Customer) -> Document:
    addresses = list(survivor.addresses)
    for address in absorbed.addresses:
        if len(addresses) < MAX_ADDRESSES and not any(a.same_place(address) for a in addresses):
            addresses.append(address)
    viewed = list(dict.fromkeys([*survivor.viewed, *absorbed.viewed]))
    tier = max(survivor.tier, absorbed.tier, key=lambda t: t.rank)
    identities = [i.to_doc() for i in absorbed.identities]
    updates: Document = {
        "addresses": [a.to_doc() for a in addresses],
        "viewed": viewed[:50],
        "tier": tier.value,
        "updated_at": utcnow(),
    }
    for field_name in ("name", "phone", "email"):
        if not getattr(survivor, field_name) and getattr(absorbed, field_name):
            updates[field_name] = getattr(absorbed, field_name)
    if survivor.default_address is None and absorbed.default_address is not None:
        updates["default_address_id"] = absorbed.default_address.id
    update: Document = {"$set": updates, "$addToSet": {"merged_from": absorbed.id}}
    if identities:
        update["$addToSet"]["identities"] = {"$each": identities}
        update["$addToSet"]["identity_keys"] = {"$each": [i["key"] for i in identities]}
    purchases = absorbed.purchases
    if purchases.orders:
        update["$inc"] = {"purchases.orders": purchases.orders, "purchases.spent_minor": purchases.spent_minor}
    return update


def saved_addresses(customer: Customer) -> list[Address]:
    """The customer's saved addresses, the default first: what a chat shows as "ship to the usual
    address?"."""
    default = customer.default_address
    return sorted(customer.addresses, key=lambda a: default is None or a.id != default.id)
