"""Category tree helpers: root-to-node paths, cycle detection, nested nodes for menus."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Category, CategoryNode


def find_cycle(code: str, parents: Mapping[str, str | None]) -> list[str] | None:
    """The cycle reached by following parents from `code` ([a, b, a]), or None."""
    seen: list[str] = []
    current: str | None = code
    while current is not None and current in parents:
        if current in seen:
            return [*seen[seen.index(current) :], current]
        seen.append(current)
        current = parents[current]
    return None


def compute_paths(parents: Mapping[str, str | None]) -> dict[str, tuple[str, ...]]:
    """Root-to-node code paths. Nodes on a cycle or under a missing parent are left out."""
    paths: dict[str, tuple[str, ...]] = {}

    def path_of(code: str, trail: frozenset[str]) -> tuple[str, ...] | None:
        if code in paths:
            return paths[code]
        if code in trail or code not in parents:
            return None
        parent = parents[code]
        if parent is None:
            result: tuple[str, ...] | None = (code,)
        else:
            above = path_of(parent, trail | {code})
            result = None if above is None else (*above, code)
        if result is not None:
            paths[code] = result
        return result

    for code in parents:
        path_of(code, frozenset())
    return paths


def descendants(code: str, categories: Iterable[Category]) -> set[str]:
    """`code` and every category below it."""
    return {c.code for c in categories if code in c.path}


def build_tree(categories: Iterable[Category]) -> list[CategoryNode]:
    by_parent: dict[str | None, list[Category]] = {}
    for category in categories:
        by_parent.setdefault(category.parent, []).append(category)

    def nodes(parent: str | None) -> tuple[CategoryNode, ...]:
        children = sorted(by_parent.get(parent, ()), key=lambda c: (c.sort, c.code))
        return tuple(CategoryNode(child, nodes(child.code)) for child in children)

    return list(nodes(None))
