"""OpenAPI 3.1 document built from the declared routes (pydantic schemas are JSON Schema 2020-12)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from commerce.api.framework import API_PREFIX, ApiRouter, Operation
from commerce.api.principal import Auth

_PATH_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")
_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
        }
    },
}


class _SchemaCollector:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {"Error": _ERROR_SCHEMA}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode = "validation") -> dict[str, Any]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(name, definition)
        self.components.setdefault(model.__name__, schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}


def _parameters(operation: Operation, collector: _SchemaCollector) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(operation.path)
    ]
    if operation.query is not None:
        schema = operation.query.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():  # enums and nested models
            collector.components.setdefault(name, definition)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params


def _operation_doc(operation: Operation, collector: _SchemaCollector) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": operation.handler.__name__,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": _parameters(operation, collector),
        "responses": {},
    }
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if operation.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": collector.ref(operation.body)}},
        }
        doc["responses"]["422"] = {"description": "invalid input", **error}
    success: dict[str, Any] = {"description": "success"}
    if operation.response is not None:
        success["content"] = {"application/json": {"schema": collector.ref(operation.response, "serialization")}}
    doc["responses"][str(operation.status)] = success
    if operation.auth == Auth.CUSTOMER:
        doc["security"] = [{"customerToken": []}]
        doc["responses"]["401"] = {"description": "no or invalid customer token", **error}
    elif operation.auth == Auth.STAFF:
        doc["security"] = [{"staffToken": []}, {"staffSession": []}]
        doc["responses"]["401"] = {"description": "not signed in", **error}
        doc["responses"]["403"] = {"description": "role not allowed", **error}
        if operation.roles:
            doc["x-roles"] = sorted(operation.roles)
    else:
        doc["security"] = []
    return doc


def build_openapi(routers: Iterable[ApiRouter], *, title: str = "chatcart API", version: str = "1") -> dict[str, Any]:
    collector = _SchemaCollector()
    paths: dict[str, dict[str, Any]] = {}
    for router in routers:
        for operation in router.operations:
            path = _PATH_PARAM.sub(lambda m: "{" + m.group(1) + "}", operation.path)
            paths.setdefault(path, {})[operation.method.lower()] = _operation_doc(operation, collector)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": collector.components,
            "securitySchemes": {
                "customerToken": {"type": "http", "scheme": "bearer", "description": "customer session token"},
                "staffToken": {"type": "http", "scheme": "bearer", "description": "staff API token (ccs_...)"},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": "chatcart_admin"},
            },
        },
    }


def openapi_route(routers: list[ApiRouter]) -> web.RouteDef:
    document: dict[str, Any] = {}

    async def openapi_document(request: web.Request) -> web.Response:
        if not document:  # built lazily: every router is registered by then
            document.update(build_openapi(routers))
        return web.json_response(document)

    return web.get(f"{API_PREFIX}/openapi.json", openapi_document)
