"""A small declarative layer over aiohttp routes.

Each route declares how it is authenticated, which pydantic models validate its body and query,
and what it returns; the same declarations produce the OpenAPI 3.1 document, so the document
cannot drift from what the handlers actually accept.

    router = ApiRouter(tag="cart")

    @router.post("/cart/items", auth=Auth.CUSTOMER, body=AddItemIn, response=CartOut)
    async def add_item(ctx: ApiContext) -> CartOut:
        body = ctx.body_as(AddItemIn)
        ...
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, ValidationError

from commerce.api.principal import ANONYMOUS, Auth, Principal, Role
from commerce.errors import Forbidden, ValidationFailed
from core.json_limits import MAX_JSON_DEPTH, JsonTooDeep, loads_bounded

if TYPE_CHECKING:  # commerce.services imports every domain, whose api modules import this one
    from commerce.services import Commerce

API_PREFIX = "/api/v1"
ModelT = TypeVar("ModelT", bound=BaseModel)


class Authenticator(Protocol):
    async def authenticate(self, request: web.Request) -> Principal: ...


class CsrfVerifier(Protocol):
    """Checks the CSRF token the admin pages hand out for a session (admin_web.csrf.CsrfSigner)."""

    def check_session_token(self, session: str, token: str | None) -> bool: ...


AUTHENTICATOR: web.AppKey[Authenticator] = web.AppKey("authenticator")
CSRF_VERIFIER: web.AppKey[CsrfVerifier] = web.AppKey("csrf_verifier")
# Origins (scheme://host[:port]) besides the request's own host that may send cookie-authenticated
# unsafe requests: the public base URL behind a proxy.
TRUSTED_ORIGINS: web.AppKey[frozenset[str]] = web.AppKey("trusted_origins")
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The commerce services, attached to the application by the composition root (chatcart.web);
# named for the type checker only, so the framework does not import every domain at run time.
SERVICES: web.AppKey[Commerce] = web.AppKey("services")


@dataclass
class ApiContext:
    request: web.Request
    principal: Principal
    body: BaseModel | None = None
    query: BaseModel | None = None

    @property
    def path(self) -> dict[str, str]:
        return dict(self.request.match_info)

    @property
    def services(self) -> Commerce:
        """The commerce services (`commerce.services.Commerce`)."""
        return self.request.app[SERVICES]

    def body_as(self, model: type[ModelT]) -> ModelT:
        if not isinstance(self.body, model):
            raise TypeError(f"route body is not a {model.__name__}")
        return self.body

    def query_as(self, model: type[ModelT]) -> ModelT:
        if not isinstance(self.query, model):
            raise TypeError(f"route query is not a {model.__name__}")
        return self.query

    @property
    def language(self) -> str | None:
        """The caller's Accept-Language; domain `to_dict(lang)` methods pick zh or en from it."""
        return self.request.headers.get("Accept-Language")

    @property
    def customer_id(self) -> str:
        return self.principal.require_customer()

    def header(self, name: str, max_length: int = 200) -> str | None:
        value = self.request.headers.get(name)
        if value is not None and (len(value) > max_length or not value.isprintable()):
            raise ValidationFailed(f"header {name} is invalid", details={"header": name})
        return value


Handler = Callable[[ApiContext], Awaitable[Any]]


@dataclass
class Operation:
    method: str
    path: str
    handler: Handler
    auth: Auth
    roles: frozenset[Role]
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    summary: str
    tag: str
    raw_body: bool = False


@dataclass
class ApiRouter:
    tag: str
    prefix: str = API_PREFIX
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        auth: Auth,
        roles: Iterable[Role] = (),
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        summary: str = "",
        raw_body: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Declare a route. `raw_body=True` leaves the body unread (signature-verified webhooks)."""

        def decorate(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method=method.upper(),
                    path=self.prefix + path,
                    handler=handler,
                    auth=auth,
                    roles=frozenset(roles),
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    summary=summary or (handler.__doc__ or "").strip().split("\n")[0],
                    tag=self.tag,
                    raw_body=raw_body,
                )
            )
            return handler

        return decorate

    def get(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path, **kwargs)

    def register(self, app: web.Application) -> None:
        for operation in self.operations:
            app.router.add_route(operation.method, operation.path, _wrap(operation))


def _wrap(operation: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        principal = await _authenticate(request, operation)
        context = ApiContext(request=request, principal=principal)
        if operation.query is not None:
            context.query = validate(operation.query, _query_dict(request), location="query")
        if operation.body is not None and not operation.raw_body:
            context.body = validate(operation.body, await read_json(request), location="body")
        result = await operation.handler(context)
        if isinstance(result, web.StreamResponse):
            return result
        return json_response(result, status=operation.status)

    handle.__name__ = operation.handler.__name__
    return handle


async def _authenticate(request: web.Request, operation: Operation) -> Principal:
    if operation.auth in (Auth.PUBLIC, Auth.WEBHOOK) and "Authorization" not in request.headers:
        return ANONYMOUS
    authenticator = request.app.get(AUTHENTICATOR)
    principal = await authenticator.authenticate(request) if authenticator is not None else ANONYMOUS
    if operation.auth == Auth.CUSTOMER:
        principal.require_customer()
    elif operation.auth == Auth.STAFF:
        principal.require_roles(operation.roles)
    if principal.cookie_session is not None and request.method not in SAFE_METHODS:
        check_same_site(request, principal.cookie_session)
    return principal


def check_same_site(request: web.Request, session: str) -> None:
    """A browser sends the admin cookie with a cross-site form post too (`text/plain` needs no
    preflight): such a request is accepted only with the session's CSRF token or an `Origin`
    (or, without one, a `Referer`) of this site. Bearer-token requests never get here."""
    verifier = request.app.get(CSRF_VERIFIER)
    token = request.headers.get(CSRF_HEADER)
    if verifier is not None and token and verifier.check_session_token(session, token):
        return
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parsed = urlsplit(source)
    origin = f"{parsed.scheme}://{parsed.netloc}".lower()
    trusted = request.app.get(TRUSTED_ORIGINS, frozenset())
    if parsed.netloc and (parsed.netloc.lower() == request.host.lower() or origin in trusted):
        return
    raise Forbidden(
        "a request signed in with the admin cookie must come from this site (send the X-CSRF-Token "
        "header, or use an API token)",
        code="csrf_failed",
    )


def _query_dict(request: web.Request) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        result[key] = values if len(values) > 1 else values[0]
    return result


async def read_json(request: web.Request) -> Any:
    """The body as JSON: its size is capped by the application (`client_max_size`, 413) and its
    nesting checked before it is parsed (a 50,000-deep array would exhaust the parser's stack)."""
    if not request.can_read_body:
        raise ValidationFailed("a JSON request body is required", details={"location": "body"})
    raw = await request.read()
    try:
        return loads_bounded(raw)
    except JsonTooDeep as exc:
        raise ValidationFailed(str(exc), code="json_too_deep", details={"max_depth": MAX_JSON_DEPTH}) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("the request body is not valid JSON", details={"reason": str(exc)[:200]}) from None


def validate(model: type[ModelT], data: Any, *, location: str) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            f"invalid {location}",
            details={"location": location, "errors": pydantic_errors(exc)},
        ) from None


def pydantic_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors without echoing possibly huge or sensitive input values back."""
    return [
        {"path": ".".join(str(part) for part in error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def json_response(value: Any, status: int = 200) -> web.Response:
    if value is None and status == 200:
        status = 204
    if status == 204:
        return web.Response(status=204)
    return web.json_response(to_jsonable(value), status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


# --- cursor pagination ------------------------------------------------------------------------
def encode_cursor(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed("invalid pagination cursor", details={"cursor": cursor[:64]}) from None
    if not isinstance(value, dict):
        raise ValidationFailed("invalid pagination cursor", details={"cursor": cursor[:64]})
    return value
