from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from commerce.api.principal import Role


@dataclass
class StaffUser:
    id: str
    username: str
    password_hash: str
    roles: frozenset[Role]
    active: bool = True
    display_name: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A freshly minted secret: shown once, only its hash is stored."""

    token: str
    token_id: str
    expires_at: datetime | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)
