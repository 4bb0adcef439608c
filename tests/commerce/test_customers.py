import asyncio

import pytest
from pydantic import ValidationError

from commerce.customers.model import AddressIn, IdentityKind, Tier, normalize_phone
from commerce.errors import NotFound, ValidationFailed
from commerce.services import Commerce
from core.mongo import Database

from .conftest import Counted, Shop, address


async def test_identify_creates_once(commerce: Commerce) -> None:
    results = await asyncio.gather(*(commerce.customers.identify("telegram", "42", language="en") for _ in range(5)))
    assert len({c.id for c in results}) == 1
    again = await commerce.customers.identify(IdentityKind.TELEGRAM, "42")
    assert again.id == results[0].id
    assert again.language == "en"
    other = await commerce.customers.identify("wechat_openid", "42")
    assert other.id != again.id


async def test_identify_a_likely_new_customer_inserts_first(commerce: Commerce, counted: Counted) -> None:
    # (`commerce` creates the indexes: the unique one on identity keys is what turns a repeat away)
    customers = counted.commerce.customers
    with counted.counter.measure() as measured:
        new = await customers.identify("telegram", "9001", language="en", likely_new=True)
    assert measured.commands == ["insert"]
    # Someone known after all: the unique index turns the insert away and they are read.
    with counted.counter.measure() as measured:
        known = await customers.identify("telegram", "9001", likely_new=True)
    assert known.id == new.id
    assert measured.commands == ["insert", "find"]
    racing = await asyncio.gather(*(customers.identify("telegram", "9002", likely_new=True) for _ in range(5)))
    assert len({c.id for c in racing}) == 1
    assert await counted.db["customers"].count_documents({"identity_keys": "telegram:9002"}) == 1


async def test_identity_values_are_validated(commerce: Commerce) -> None:
    with pytest.raises(ValidationFailed):
        await commerce.customers.identify("fax", "1")
    with pytest.raises(ValidationFailed):
        await commerce.customers.identify("phone", "12345")
    customer = await commerce.customers.identify("phone", "138 0013 8000")
    assert customer.phone == "+8613800138000"
    assert (await commerce.customers.identify("phone", "+86 13800138000")).id == customer.id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+86-138-0013-8000", "+8613800138000"),
        ("+85291234567", "+85291234567"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_normalisation(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "abc", "+0123456789", "+86123"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        normalize_phone(raw)


def test_address_input_validation() -> None:
    with pytest.raises(ValidationError):
        address(phone="555")
    with pytest.raises(ValidationError):
        address(detail="")
    with pytest.raises(ValidationError):
        address(region={"province": "", "city": "上海"})
    with pytest.raises(ValidationError):
        AddressIn.model_validate({"recipient": "x", "phone": "13800138000", "detail": "abc"})
    assert address(postcode="200120").postcode == "200120"


async def test_addresses_with_default(shop: Shop, commerce: Commerce) -> None:
    customer = await shop.customer(with_address=False)
    home = await commerce.customers.add_address(customer.id, address())
    same = await commerce.customers.add_address(customer.id, address())
    assert same.id == home.id  # no duplicates
    office = await commerce.customers.add_address(customer.id, address(detail="南京西路1号"), make_default=True)
    assert [a.id for a in await commerce.customers.addresses(customer.id)] == [office.id, home.id]
    await commerce.customers.delete_address(customer.id, office.id)
    reloaded = await commerce.customers.get(customer.id)
    assert reloaded.default_address is not None
    assert reloaded.default_address.id == home.id
    assert reloaded.default_address.one_line() == "张三 13800138000 上海市浦东新区世纪大道100号1室"
    with pytest.raises(NotFound):
        await commerce.customers.set_default_address(customer.id, "missing")


async def test_browsing_history_is_recent_unique_and_bounded(shop: Shop, commerce: Commerce) -> None:
    commerce.customers.history_size = 3
    customer = await shop.customer(with_address=False)
    for code in ["A", "B", "A", "C", "D"]:
        await commerce.customers.record_view(customer.id, code)
    assert await commerce.customers.browsing_history(customer.id) == ["D", "C", "A"]


async def test_link_new_identity(shop: Shop, commerce: Commerce) -> None:
    customer = await shop.customer(with_address=False)
    linked = await commerce.customers.link(customer.id, "phone", "13900139000")
    assert linked.id == customer.id
    assert linked.phone == "+8613900139000"
    found = await commerce.customers.find_by_identity("phone", "13900139000")
    assert found is not None
    assert found.id == customer.id


async def test_link_merges_customers(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00"), ("B", "5.00")])
    web = await shop.customer("web-first")  # older: survives
    await commerce.carts.add(web.id, "A", 1)
    await commerce.customers.link(web.id, "phone", "13700137000")
    order = await commerce.orders.create_order(web.id, shipping_method="express", lines={"B": 1})

    telegram = await commerce.customers.identify("telegram", "777")
    await commerce.customers.add_address(telegram.id, address(detail="另一个地址88号"))
    await commerce.carts.add(telegram.id, "A", 2)
    await commerce.carts.add(telegram.id, "B", 1)
    await commerce.customers.set_tier(telegram.id, Tier.VIP, actor="staff")

    merged = await commerce.customers.link(telegram.id, "phone", "13700137000")
    assert merged.id == web.id
    assert {i.kind for i in merged.identities} == {IdentityKind.TELEGRAM, IdentityKind.PHONE}
    assert len(merged.addresses) == 2
    assert merged.tier is Tier.VIP
    assert {i.sku: i.quantity for i in await commerce.carts.items(web.id)} == {"A": 3, "B": 1}
    assert await commerce.carts.items(telegram.id) == []
    # the Telegram identity now leads to the survivor, and so does the old id
    assert (await commerce.customers.identify("telegram", "777")).id == web.id
    assert (await commerce.customers.get(telegram.id)).id == web.id
    assert (await commerce.orders.get(order.id)).customer_id == web.id

    # merging is idempotent
    again = await commerce.customers.merge(web.id, telegram.id)
    assert len(again.addresses) == 2


async def test_a_merge_that_fails_midway_changes_nothing(
    shop: Shop, commerce: Commerce, monkeypatch: pytest.MonkeyPatch
) -> None:
    survivor = await shop.customer("older")
    absorbed = await shop.customer("younger")

    def broken_update(*_: object) -> dict[str, object]:
        raise RuntimeError("crash between retiring the absorbed account and filling the survivor")

    monkeypatch.setattr("commerce.customers.service._merge_update", broken_update)
    with pytest.raises(RuntimeError):
        await commerce.customers.merge(survivor.id, absorbed.id)
    # Both steps are one transaction: the absorbed customer still holds its identity.
    still = await commerce.customers.identify("telegram", "younger", likely_new=True)
    assert still.id == absorbed.id
    assert (await commerce.customers.get(absorbed.id)).merged_into is None


async def test_merges_left_half_done_by_an_earlier_version_are_finished_once(
    shop: Shop, commerce: Commerce, db: Database
) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    survivor = await shop.customer("first")
    absorbed = await shop.customer("second")
    await commerce.carts.add(absorbed.id, "A", 2)
    # What the two-step merge of earlier versions left when it stopped after its first step.
    await db["customers"].update_one(
        {"_id": absorbed.id},
        [
            {"$set": {"merged_into": survivor.id, "merged_identity_keys": "$identity_keys"}},
            {"$unset": ["identity_keys"]},
        ],
    )
    assert await commerce.customers.finish_interrupted_merges() == 1
    found = await commerce.customers.identify("telegram", "second", likely_new=True)
    assert found.id == survivor.id
    assert {i.value for i in found.identities} == {"first", "second"}
    assert {i.sku: i.quantity for i in await commerce.carts.items(survivor.id)} == {"A": 2}
    assert await commerce.customers.finish_interrupted_merges() == 0  # once per database


async def test_merge_moves_orders_of_the_absorbed_customer(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    old = await shop.customer("old")
    new = await shop.customer("new")
    order = await commerce.orders.create_order(new.id, shipping_method="express", lines={"A": 1})
    await commerce.customers.link(new.id, "telegram", "old")
    assert (await commerce.orders.get(order.id)).customer_id == old.id
    page = await commerce.orders.list_for_customer(old.id)
    assert [o.id for o in page.orders] == [order.id]


async def test_profile_updates(shop: Shop, commerce: Commerce) -> None:
    customer = await shop.customer(with_address=False)
    updated = await commerce.customers.update_profile(
        customer.id, name="  李 四 ", language="en-US", email="Li@Example.COM"
    )
    assert (updated.name, updated.language, updated.email) == ("李 四", "en", "li@example.com")
    with pytest.raises(ValidationFailed):
        await commerce.customers.update_profile(customer.id, email="not-an-email")
    with pytest.raises(ValidationFailed):
        await commerce.customers.set_tier(customer.id, "gold", actor="staff")
