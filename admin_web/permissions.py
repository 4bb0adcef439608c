"""Which staff roles may see or change each part of the admin (owners may do everything).

An empty set means "any signed-in staff member"; `Principal.require_roles` lets owners through
every check, so owner-only areas list just the owner role.
"""

from __future__ import annotations

from commerce.api.principal import Role

ANY_STAFF: frozenset[Role] = frozenset()
OWNER_ONLY = frozenset({Role.OWNER})

CATALOG_READ = frozenset({Role.CATALOG_MANAGER, Role.ORDER_MANAGER, Role.AGENT, Role.ANALYST})
CATALOG_WRITE = frozenset({Role.CATALOG_MANAGER})
INVENTORY_READ = frozenset({Role.CATALOG_MANAGER, Role.ORDER_MANAGER, Role.ANALYST})
INVENTORY_WRITE = frozenset({Role.CATALOG_MANAGER})
ORDERS_READ = frozenset({Role.ORDER_MANAGER, Role.AGENT, Role.ANALYST})
ORDERS_WRITE = frozenset({Role.ORDER_MANAGER})
AFTERSALES_READ = ORDERS_READ
AFTERSALES_WRITE = frozenset({Role.ORDER_MANAGER})
CUSTOMERS_READ = frozenset({Role.ORDER_MANAGER, Role.AGENT, Role.ANALYST})
CUSTOMERS_WRITE = frozenset({Role.ORDER_MANAGER})
CONSOLE = frozenset({Role.AGENT})
# Customer messages the bot did not understand: agents read chats anyway and label them;
# retraining and rolling back the model changes the bot for everyone, so owners only.
NLU_REVIEW = frozenset({Role.AGENT})
NLU_TRAIN = OWNER_ONLY
AUDIT_READ = OWNER_ONLY
STAFF_ADMIN = OWNER_ONLY


def allowed(roles: frozenset[Role], needed: frozenset[Role]) -> bool:
    """The same rule as `Principal.require_roles`, as a boolean for showing/hiding UI."""
    return Role.OWNER in roles or not needed or bool(roles & needed)
