"""Cross-cutting HTTP behaviour: request ids, JSON errors, no stack traces to clients."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from pydantic import ValidationError

from commerce.api.framework import pydantic_errors
from commerce.errors import DomainError
from core.outage import RETRY_AFTER_SECONDS, is_database_outage
from core.security_headers import add_api_headers

log = structlog.get_logger("chatcart.http")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id", str)


def error_body(code: str, message: str, details: dict[str, object] | None = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _json_error(status: int, code: str, message: str, details: dict[str, object] | None = None) -> web.Response:
    return web.json_response(error_body(code, message, details), status=status)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def unavailable_response(request: web.Request) -> web.Response:
    """The database cannot be reached: answer at once, say when to come back (issue 17)."""
    log.warning("database_unavailable", path=request.path, method=request.method)
    response = _json_error(503, "service_unavailable", "the service is temporarily unavailable, please retry shortly")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@web.middleware
async def request_context_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get("X-Request-Id", "")
    request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        response = await handler(request)
        response.headers["X-Request-Id"] = request_id
        if request.path.startswith("/api/") and not response.prepared:
            add_api_headers(response.headers, personal=carries_personal_data(request))
        return response


def carries_personal_data(request: web.Request) -> bool:
    """Answers to signed-in callers (their orders, addresses, tier prices; staff views of
    customers) and to writes (a new session token...) are personal; anonymous catalog reads are not."""
    return request.method not in ("GET", "HEAD") or "Authorization" in request.headers or bool(request.cookies)


@web.middleware
async def json_error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure under /api becomes `{"error": {...}}` with the right status."""
    try:
        return await handler(request)
    except DomainError as exc:
        if exc.http_status >= 500:
            log.error("domain_error", code=exc.code, path=request.path)
        return _json_error(exc.http_status, exc.code, exc.message, exc.details)
    except ValidationError as exc:
        return _json_error(422, "validation_failed", "invalid input", {"errors": pydantic_errors(exc)})
    except web.HTTPRedirection:
        raise
    except web.HTTPException as exc:
        if not request.path.startswith("/api/"):
            raise
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        message = exc.reason if exc.status != 413 else "the request body is too large"
        return _json_error(exc.status, code, message)
    except Exception as exc:
        if is_database_outage(exc):
            return unavailable_response(request)
        log.exception("unhandled_error", path=request.path, method=request.method)
        return _json_error(
            500,
            "internal_error",
            "something went wrong on our side",
            {"request_id": request.get(REQUEST_ID, "")},
        )
