"""Every number a caller can send is bounded in the OpenAPI document (and so in the pydantic
model it is generated from): the document and the validation agree, and no value can overflow
the 64-bit integers the database stores (issue 17)."""

from __future__ import annotations

from typing import Any

from chatcart.web import discover_routers
from commerce.api.openapi import build_openapi

INT64 = 2**63 - 1


def _unbounded(node: Any, where: str, found: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number"):
            low, high = (
                node.get("minimum", node.get("exclusiveMinimum")),
                node.get("maximum", node.get("exclusiveMaximum")),
            )
            if low is None or high is None or not -INT64 <= low <= high <= INT64:
                found.append(where)
        for key, value in node.items():
            _unbounded(value, f"{where}/{key}", found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _unbounded(value, f"{where}[{index}]", found)


def test_every_number_in_requests_is_bounded() -> None:
    document = build_openapi(discover_routers())
    found: list[str] = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                _unbounded(parameter.get("schema", {}), f"{method.upper()} {path} ?{parameter['name']}", found)
            _unbounded(operation.get("requestBody", {}), f"{method.upper()} {path} body", found)
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Out"):  # answers are ours; requests are what callers send
            _unbounded(schema, f"#/components/schemas/{name}", found)
    assert not found, "unbounded numbers in request schemas:\n" + "\n".join(found)
