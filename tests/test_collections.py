"""Every MongoDB collection name is declared once, as a constant, and used through it.

Read with `ast` (nothing is imported): the collection names are the ones the collections table
of docs/architecture.md lists, so the table also has to stay complete. A name written as a
string where the code picks a collection (`db["orders"]`, `db.orders`, `batch.insert("orders",
...)`, `CollectionIndexes("orders", ...)`, `{"$lookup": {"from": "orders"}}`) fails, and so does
a second constant with the same name.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "commerce", "nlu", "dialogs", "bot", "admin_web", "chatcart")
DOC = ROOT / "docs" / "architecture.md"
# Calls whose first argument names a collection: core.batch.WriteBatch, pymongo, core.mongo.
COLLECTION_CALLS = frozenset(
    {"insert", "update_one", "update_many", "delete_one", "replace_one", "get_collection", "CollectionIndexes"}
)
_DB_LIKE = re.compile(r"(^|_)db$|database$")
WRITES = frozenset(
    {"insert", "insert_one", "insert_many", "update_one", "update_many", "delete_one", "delete_many", "replace_one"}
)


def documented_collections() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("### Collections", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) > 2 and "`" in cells[1]:
            names.update(re.findall(r"`([a-z_]+)`", cells[1]))
    return names


@dataclass(frozen=True)
class Found:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.what}"


def _identifier(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _string(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def collection_expressions(tree: ast.AST) -> Iterator[tuple[ast.expr, int]]:
    """The expressions that pick a collection, with their line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and (
            _DB_LIKE.search(_identifier(node.value))
            or (isinstance(node.value, ast.Call) and _identifier(node.value.func) == "get_database")
        ):
            yield node.slice, node.lineno
        elif isinstance(node, ast.Call) and node.args and _identifier(node.func) in COLLECTION_CALLS:
            yield node.args[0], node.lineno
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None and _string(key) == "from":
                    yield value, node.lineno


def attribute_collections(tree: ast.AST, names: set[str]) -> Iterator[tuple[str, int]]:
    """`db.orders`: a collection reached as an attribute of the database."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names and _DB_LIKE.search(_identifier(node.value)):
            yield node.attr, node.lineno


def declarations(tree: ast.Module, names: set[str]) -> Iterator[tuple[str, str, int]]:
    """Module-level `CONSTANT = "collection"` assignments: (collection, constant, line)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        text = _string(value)
        if isinstance(target, ast.Name) and text in names and target.id.isupper():
            yield text, target.id, node.lineno


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _resolver(path: Path, tree: ast.Module) -> Callable[[ast.expr], tuple[str, str] | None]:
    """(module, constant) that a name or `module.NAME` in this module refers to, followed
    through `from m import NAME [as alias]`."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join([*base, *([source] if source else [])])
            for alias in node.names:
                names[alias.asname or alias.name] = (source, alias.name)
                modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name

    def resolve(expression: ast.expr) -> tuple[str, str] | None:
        if isinstance(expression, ast.Name):
            return names.get(expression.id, (module, expression.id))
        if isinstance(expression, ast.Attribute) and isinstance(expression.value, ast.Name):
            return modules.get(expression.value.id, expression.value.id), expression.attr
        return None

    return resolve


def _collection_constants(path: Path, tree: ast.Module) -> set[tuple[str, str]]:
    """(module, constant) of the constants this module picks collections with."""
    resolve = _resolver(path, tree)
    found = (resolve(expression) for expression, _ in collection_expressions(tree))
    return {constant for constant in found if constant is not None}


def written_collections(tree: ast.AST) -> Iterator[tuple[ast.expr, int]]:
    """The collection argument of writes: `batch.update_one(X, ...)` and `db[X].update_one(...)`."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES):
            continue
        target = node.func.value
        if "batch" in _identifier(target) and node.args:
            yield node.args[0], node.lineno
        elif isinstance(target, ast.Subscript) and _DB_LIKE.search(_identifier(target.value)):
            yield target.slice, node.lineno


def _package(module: str) -> str:
    """The owning unit of a module: `commerce.orders.stats` -> `commerce.orders`."""
    return ".".join(module.split(".")[:2])


def test_the_collections_table_lists_collections() -> None:
    assert len(documented_collections()) > 30


def test_each_collection_name_is_declared_once_and_used_through_its_constant() -> None:
    names = documented_collections()
    sources = list(_sources())
    used_constants = set().union(*(_collection_constants(path, tree) for path, tree in sources))
    declared: dict[str, list[Found]] = {}
    literals: list[Found] = []
    for path, tree in sources:
        for name, constant, line in declarations(tree, names):
            if (_module_name(path), constant) in used_constants:  # a button code "orders" is no collection
                declared.setdefault(name, []).append(Found(path, line, f"{constant} = {name!r}"))
        for expression, line in collection_expressions(tree):
            text = _string(expression)
            if text is not None:
                literals.append(Found(path, line, f"collection {text!r} written as a string"))
        literals.extend(
            Found(path, line, f"db.{name}: use the collection's constant")
            for name, line in attribute_collections(tree, names)
        )
    assert not literals, "\n".join(map(str, literals))
    twice = [f"{name}: " + ", ".join(map(str, found)) for name, found in declared.items() if len(found) > 1]
    assert not twice, "declared more than once:\n" + "\n".join(twice)
    undeclared = sorted(names - set(declared))
    assert not undeclared, f"in docs/architecture.md but declared nowhere: {undeclared}"


def test_only_the_owning_package_writes_a_collection() -> None:
    names = documented_collections()
    sources = list(_sources())
    owners: dict[tuple[str, str], str] = {}
    for path, tree in sources:
        for _, constant, _ in declarations(tree, names):
            owners[(_module_name(path), constant)] = _package(_module_name(path))
    foreign: list[Found] = []
    for path, tree in sources:
        resolve = _resolver(path, tree)
        writer = _package(_module_name(path))
        for expression, line in written_collections(tree):
            written = resolve(expression)
            owner = owners.get(written) if written else None
            if written and owner is not None and owner != writer:
                foreign.append(Found(path, line, f"writes {written[1]} of {owner}: use its batch builder"))
    assert not foreign, "\n".join(map(str, foreign))


def test_every_declared_collection_is_in_the_documented_table() -> None:
    """A constant used to pick a collection whose value the table does not list."""
    names = documented_collections()
    missing: list[Found] = []
    sources = list(_sources())
    used = set().union(*(_collection_constants(path, tree) for path, tree in sources))
    for path, tree in sources:
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, text = node.targets[0], _string(node.value)
                if (
                    isinstance(target, ast.Name)
                    and (_module_name(path), target.id) in used
                    and text is not None
                    and re.fullmatch(r"[a-z_]+", text)
                    and text not in names
                ):
                    missing.append(Found(path, node.lineno, f"{target.id} = {text!r}"))
    assert not missing, "add to the collections table of docs/architecture.md:\n" + "\n".join(map(str, missing))
