"""HTTP routes of customers.

GET    /api/v1/me                                my profile (customer)
PATCH  /api/v1/me                                name / language / e-mail
GET    /api/v1/addresses                         my addresses, default first
POST   /api/v1/addresses                         add one (optionally as default)
PUT    /api/v1/addresses/{address_id}            replace one
DELETE /api/v1/addresses/{address_id}            delete one
POST   /api/v1/addresses/{address_id}/default    make it the default
GET    /api/v1/admin/customers/{customer_id}     a customer's profile (agent/order_manager/owner)
PUT    /api/v1/admin/customers/{customer_id}/tier  member tier (order_manager/owner)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth, Role
from commerce.customers.model import Address, AddressIn, Customer, Tier
from commerce.customers.service import CustomerService
from commerce.money import Money

router = ApiRouter(tag="customers")
CUSTOMER_READERS = (Role.AGENT, Role.ORDER_MANAGER, Role.OWNER)
CUSTOMER_ADMINS = (Role.ORDER_MANAGER, Role.OWNER)


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=60)
    language: str | None = Field(default=None, pattern=r"^(zh|en)([-_][A-Za-z]{2,4})?$")
    email: str | None = Field(default=None, max_length=254)


class NewAddressIn(AddressIn):
    make_default: bool = False


class RegionOut(BaseModel):
    province: str
    city: str
    district: str


class AddressOut(BaseModel):
    id: str
    recipient: str
    phone: str
    region: RegionOut
    detail: str
    postcode: str | None
    one_line: str

    @classmethod
    def of(cls, address: Address) -> AddressOut:
        return cls(
            id=address.id,
            recipient=address.recipient,
            phone=address.phone,
            region=RegionOut(province=address.province, city=address.city, district=address.district),
            detail=address.detail,
            postcode=address.postcode,
            one_line=address.one_line(),
        )


class AddressesOut(BaseModel):
    items: list[AddressOut]
    default_address_id: str | None


class CustomerOut(BaseModel):
    id: str
    name: str
    language: str
    phone: str | None
    email: str | None
    tier: str
    tier_label: str
    default_address_id: str | None
    addresses: list[AddressOut]
    linked: list[str]
    orders: int
    spent: str

    @classmethod
    def of(cls, customer: Customer, currency: str = "CNY") -> CustomerOut:
        data: dict[str, Any] = customer.to_dict()
        data["addresses"] = [AddressOut.of(a) for a in customer.addresses]
        data["orders"] = customer.purchases.orders
        data["spent"] = Money(customer.purchases.spent_minor, currency).to_decimal_string()
        return cls.model_validate(data)


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier


def _customers(ctx: ApiContext) -> CustomerService:
    service: CustomerService = ctx.services.customers
    return service


def _currency(ctx: ApiContext) -> str:
    return str(ctx.services.config.currency)


async def _addresses(ctx: ApiContext) -> AddressesOut:
    customer = await _customers(ctx).get(ctx.customer_id)
    default = customer.default_address
    items = await _customers(ctx).addresses(customer.id)
    return AddressesOut(items=[AddressOut.of(a) for a in items], default_address_id=default.id if default else None)


@router.get("/me", auth=Auth.CUSTOMER, response=CustomerOut)
async def get_me(ctx: ApiContext) -> CustomerOut:
    """My profile, addresses and member tier."""
    return CustomerOut.of(await _customers(ctx).get(ctx.customer_id), _currency(ctx))


@router.patch("/me", auth=Auth.CUSTOMER, body=ProfileIn, response=CustomerOut)
async def update_me(ctx: ApiContext) -> CustomerOut:
    """Change my name, language or e-mail."""
    body = ctx.body_as(ProfileIn)
    customer = await _customers(ctx).update_profile(
        ctx.customer_id, name=body.name, language=body.language, email=body.email
    )
    return CustomerOut.of(customer, _currency(ctx))


@router.get("/addresses", auth=Auth.CUSTOMER, response=AddressesOut)
async def list_addresses(ctx: ApiContext) -> AddressesOut:
    """My saved addresses, the default first."""
    return await _addresses(ctx)


@router.post("/addresses", auth=Auth.CUSTOMER, body=NewAddressIn, response=AddressOut, status=201)
async def add_address(ctx: ApiContext) -> AddressOut:
    """Save an address (a duplicate returns the saved one)."""
    body = ctx.body_as(NewAddressIn)
    data = AddressIn.model_validate(body.model_dump(exclude={"make_default"}))
    return AddressOut.of(await _customers(ctx).add_address(ctx.customer_id, data, make_default=body.make_default))


@router.put("/addresses/{address_id}", auth=Auth.CUSTOMER, body=AddressIn, response=AddressOut)
async def replace_address(ctx: ApiContext) -> AddressOut:
    """Replace one of my addresses."""
    address = await _customers(ctx).update_address(ctx.customer_id, ctx.path["address_id"], ctx.body_as(AddressIn))
    return AddressOut.of(address)


@router.delete("/addresses/{address_id}", auth=Auth.CUSTOMER, status=204)
async def delete_address(ctx: ApiContext) -> None:
    """Delete one of my addresses."""
    await _customers(ctx).delete_address(ctx.customer_id, ctx.path["address_id"])


@router.post("/addresses/{address_id}/default", auth=Auth.CUSTOMER, response=AddressesOut)
async def set_default_address(ctx: ApiContext) -> AddressesOut:
    """Make an address my default."""
    await _customers(ctx).set_default_address(ctx.customer_id, ctx.path["address_id"])
    return await _addresses(ctx)


@router.get("/admin/customers/{customer_id}", auth=Auth.STAFF, roles=CUSTOMER_READERS, response=CustomerOut)
async def admin_get_customer(ctx: ApiContext) -> CustomerOut:
    """A customer's profile (support and order handling)."""
    return CustomerOut.of(await _customers(ctx).get(ctx.path["customer_id"]), _currency(ctx))


@router.put(
    "/admin/customers/{customer_id}/tier", auth=Auth.STAFF, roles=CUSTOMER_ADMINS, body=TierIn, response=CustomerOut
)
async def admin_set_tier(ctx: ApiContext) -> CustomerOut:
    """Set a customer's member tier (regular / vip / enterprise)."""
    actor = f"staff:{ctx.principal.staff_id}"
    customer = await _customers(ctx).set_tier(ctx.path["customer_id"], ctx.body_as(TierIn).tier, actor)
    return CustomerOut.of(customer, _currency(ctx))
