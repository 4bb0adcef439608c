"""Domain errors: each carries a stable machine code, a human message and details.

Entry points translate them (HTTP 4xx JSON, polite chat replies); they never leak traces.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, details: dict[str, Any] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class OutOfStock(Conflict):
    code = "out_of_stock"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Forbidden(DomainError):
    code = "forbidden"
    http_status = 403


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401
