"""End-state expectations of a conversation, checked against `chatcart chat --script`'s summary.

An expectation is the JSON object of a script's `#expect` line: what a competent human shop
assistant would have reached from exactly the customer's messages. Every key is optional;
a key that is present must hold:

    "orders":      [{"items": {sku: qty}, "status_in": [...]}, ...]  exactly these orders, any order
    "orders_count": N                                                 number of orders
    "cart":        {sku: qty}                                         exactly this cart ({} = empty)
    "after_sales": [{"kind_in": [...], "status_in": [...]}, ...]      exactly these requests
    "handoff_in":  ["waiting", "agent"]                               handoff state; when absent the
                                                                      conversation must NOT be with a person
    "any_of":      [expectation, ...]                                 at least one alternative holds
                                                                      (e.g. refund: cancelled order OR refund request)
"""

from __future__ import annotations

import itertools
from typing import Any

KEYS = {"orders", "orders_count", "cart", "after_sales", "handoff_in", "any_of"}


def items_of(lines: list[dict[str, Any]]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for line in lines:
        counted[line["sku"]] = counted.get(line["sku"], 0) + int(line["qty"])
    return counted


def mismatches(expect: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    """Every way `summary` misses `expect` ([] = the goal was reached)."""
    unknown = set(expect) - KEYS
    if unknown:
        return [f"unknown expectation keys {sorted(unknown)}"]
    problems: list[str] = []
    orders = [{"items": items_of(o["items"]), "status": o["status"]} for o in summary["orders"]]
    if "orders" in expect and not _orders_match(expect["orders"], orders):
        problems.append(f"orders: expected {expect['orders']}, got {orders}")
    if "orders_count" in expect and len(orders) != expect["orders_count"]:
        problems.append(f"orders_count: expected {expect['orders_count']}, got {len(orders)} {orders}")
    if "cart" in expect:
        cart = items_of(summary["cart"])
        if cart != expect["cart"]:
            problems.append(f"cart: expected {expect['cart']}, got {cart}")
    if "after_sales" in expect:
        requests = [{"kind": r["kind"], "status": r["status"]} for r in summary["after_sales"]]
        if not _after_sales_match(expect["after_sales"], requests):
            problems.append(f"after_sales: expected {expect['after_sales']}, got {requests}")
    handoff = summary["handoff"]
    allowed = expect.get("handoff_in", ["none"])
    if handoff not in allowed and "any_of" not in expect:
        problems.append(f"handoff: expected one of {allowed}, got {handoff!r}")
    if "any_of" in expect:
        alternatives = [mismatches(alternative, summary) for alternative in expect["any_of"]]
        if all(alternatives):
            problems.append("none of the alternatives holds: " + " | ".join("; ".join(a) for a in alternatives))
    return problems


def _orders_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> bool:
    if len(expected) != len(actual):
        return False
    return any(
        all(_order_ok(want, got) for want, got in zip(expected, permutation, strict=True))
        for permutation in itertools.permutations(actual)
    )


def _order_ok(want: dict[str, Any], got: dict[str, Any]) -> bool:
    return bool(want["items"] == got["items"] and got["status"] in want.get("status_in", [got["status"]]))


def _after_sales_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> bool:
    if len(expected) != len(actual):
        return False
    return any(
        all(
            got["kind"] in want.get("kind_in", [got["kind"]])
            and got["status"] in want.get("status_in", [got["status"]])
            for want, got in zip(expected, permutation, strict=True)
        )
        for permutation in itertools.permutations(actual)
    )
