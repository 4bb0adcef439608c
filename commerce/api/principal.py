"""Who is calling: an anonymous visitor, a customer, or a staff member with roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from commerce.errors import Forbidden, Unauthorized


class Role(StrEnum):
    OWNER = "owner"
    CATALOG_MANAGER = "catalog_manager"
    ORDER_MANAGER = "order_manager"
    AGENT = "agent"
    ANALYST = "analyst"


class Auth(StrEnum):
    PUBLIC = "public"  # catalog reads, web chat bootstrap
    WEBHOOK = "webhook"  # public transport, the handler verifies a signature itself
    CUSTOMER = "customer"  # a customer's own cart, orders, addresses
    STAFF = "staff"  # admin endpoints; `roles` narrows further


@dataclass(frozen=True)
class Principal:
    kind: Literal["anonymous", "customer", "staff"] = "anonymous"
    customer_id: str | None = None
    staff_id: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
    # The admin session cookie this principal was read from (None for a bearer token): browsers
    # send cookies with cross-site requests too, so unsafe requests authenticated this way must
    # also prove they come from this site (commerce.api.framework checks the CSRF token or Origin).
    cookie_session: str | None = field(default=None, repr=False)

    def require_customer(self) -> str:
        if self.kind == "staff":
            raise Forbidden("this endpoint is for customers; staff tokens are not accepted")
        if self.kind != "customer" or self.customer_id is None:
            raise Unauthorized("a customer session token is required")
        return self.customer_id

    def require_roles(self, allowed: frozenset[Role]) -> None:
        if self.kind == "customer":
            # Known, but not allowed: 403 (a 401 would invite signing in again with the same token).
            raise Forbidden("this endpoint is for staff; customer tokens are not accepted")
        if self.kind != "staff":
            raise Unauthorized("a staff session or API token is required")
        # Owners can do everything; otherwise one of the allowed roles is needed.
        if allowed and Role.OWNER not in self.roles and not (self.roles & allowed):
            raise Forbidden(
                "your role does not allow this action",
                details={"required_any_of": sorted(allowed), "your_roles": sorted(self.roles)},
            )


ANONYMOUS = Principal()
