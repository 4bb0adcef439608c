from datetime import timedelta

import pytest

from commerce.access.service import INDEXES, AccessService, hash_token
from commerce.api.principal import Role
from commerce.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from core.mongo import Database, ensure_indexes


@pytest.fixture
async def access(db: Database) -> AccessService:
    await ensure_indexes(db, INDEXES)
    return AccessService(db)


async def test_staff_password_is_hashed_and_verified(access: AccessService, db: Database) -> None:
    user = await access.create_staff("alice", "correct horse battery", [Role.CATALOG_MANAGER])
    stored = await db.staff_users.find_one({"_id": user.id})
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert "correct horse" not in str(stored)
    assert (await access.verify_password("alice", "correct horse battery")).id == user.id
    with pytest.raises(Unauthorized):
        await access.verify_password("alice", "wrong password!!")
    with pytest.raises(Unauthorized):
        await access.verify_password("nobody", "correct horse battery")


async def test_bad_staff_input_and_duplicates(access: AccessService) -> None:
    with pytest.raises(ValidationFailed):
        await access.create_staff("x", "long enough password", [Role.OWNER])
    with pytest.raises(ValidationFailed):
        await access.create_staff("bob", "short", [Role.OWNER])
    with pytest.raises(ValidationFailed):
        await access.create_staff("bob", "long enough password", [])
    await access.create_staff("bob", "long enough password", [Role.OWNER])
    with pytest.raises(Conflict):
        await access.create_staff("bob", "another long password", [Role.AGENT])


async def test_api_token_resolves_to_roles_and_only_hash_is_stored(access: AccessService, db: Database) -> None:
    user = await access.create_staff("carol", "long enough password", [Role.AGENT])
    issued = await access.create_api_token(user.id, "ci")
    assert issued.token.startswith("ccs_")
    assert await db.access_tokens.find_one({"token_hash": hash_token(issued.token)}) is not None
    assert await db.access_tokens.find_one({"token_hash": issued.token}) is None
    principal = await access.resolve(issued.token)
    assert principal.roles == frozenset({Role.AGENT})
    with pytest.raises(Forbidden):
        principal.require_roles(frozenset({Role.CATALOG_MANAGER}))
    await access.set_active(user.id, False)
    with pytest.raises(Unauthorized):
        await access.resolve(issued.token)


async def test_customer_tokens_expire_and_can_be_revoked(access: AccessService) -> None:
    issued = await access.issue_customer_token("cust-1")
    assert (await access.resolve(issued.token)).customer_id == "cust-1"
    await access.revoke(issued.token)
    with pytest.raises(Unauthorized):
        await access.resolve(issued.token)
    short_lived = AccessService(access._tokens.database, customer_session_days=0)
    expired = await short_lived.issue_customer_token("cust-2")
    with pytest.raises(Unauthorized):
        await access.resolve(expired.token)
    assert short_lived.customer_session_ttl == timedelta(0)


async def test_garbage_tokens_are_refused(access: AccessService) -> None:
    for token in ["", "nope", "ccs_" + "x" * 300, "cct_unknown"]:
        with pytest.raises(Unauthorized):
            await access.resolve(token)


async def test_merged_customer_keeps_sessions(access: AccessService) -> None:
    issued = await access.issue_customer_token("absorbed")
    await access.reassign_customer_sessions("absorbed", "survivor")
    assert (await access.resolve(issued.token)).customer_id == "survivor"
