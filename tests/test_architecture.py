"""The layers of docs/architecture.md, checked on the import graph: dependencies point down and
no modules import each other in a circle."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import Import, circles, imports, modules

ROOT = Path(__file__).resolve().parent.parent

# What each package may import besides itself, low to high: core < commerce, nlu < dialogs <
# bot, admin_web < chatcart (the composition root). commerce and nlu do not know each other;
# the channels and the admin do not know each other; only chatcart wires admin_web in.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "commerce": frozenset({"core"}),
    "nlu": frozenset({"core"}),
    "dialogs": frozenset({"core", "commerce", "nlu"}),
    "bot": frozenset({"core", "commerce", "nlu", "dialogs"}),
    "admin_web": frozenset({"core", "commerce", "nlu", "dialogs"}),
    "chatcart": frozenset({"core", "commerce", "nlu", "dialogs", "bot", "admin_web"}),
    # Stand-ins for outside services speak only their protocol.
    "simulators": frozenset(),
}

# Circles being taken apart, if any: the list may only shrink. A listed circle that is gone (or
# changed) fails the test until it is removed from here.
KNOWN_CIRCLES: list[frozenset[str]] = []


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    return imports(ROOT, modules(ROOT, MAY_IMPORT))


def _layer_violations(edges: list[Import]) -> list[str]:
    return [
        str(edge)
        for edge in edges
        if (low := edge.imported.split(".")[0]) != (high := edge.importer.split(".")[0]) and low not in MAY_IMPORT[high]
    ]


def test_the_graph_is_read(graph: list[Import]) -> None:
    importers = {edge.importer for edge in graph}
    assert "chatcart.bootstrap" in importers
    assert any(edge.importer.startswith("dialogs.") and edge.imported.startswith("commerce.") for edge in graph)


def test_no_module_imports_a_higher_or_neighbouring_layer(graph: list[Import]) -> None:
    assert _layer_violations(graph) == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("core", ("commerce", "nlu", "dialogs", "bot", "admin_web", "chatcart")),
        ("commerce", ("nlu", "dialogs", "bot", "admin_web", "chatcart")),
        ("simulators", ("core", "commerce", "nlu", "dialogs", "bot", "admin_web", "chatcart")),
    ],
)
def test_the_lower_floors_stand_alone(graph: list[Import], package: str, forbidden: tuple[str, ...]) -> None:
    upward = [str(e) for e in graph if e.importer.split(".")[0] == package and e.imported.split(".")[0] in forbidden]
    assert upward == []


def test_only_the_composition_root_imports_the_admin(graph: list[Import]) -> None:
    importers = {e.importer.split(".")[0] for e in graph if e.imported.split(".")[0] == "admin_web"}
    assert importers <= {"admin_web", "chatcart"}


def test_no_import_circles_beyond_the_known_ones(graph: list[Import]) -> None:
    found = circles(graph)
    new = [sorted(group) for group in found if not any(group <= known for known in KNOWN_CIRCLES)]
    assert new == [], "modules that import each other in a circle"
    gone = [sorted(known) for known in KNOWN_CIRCLES if known not in found]
    assert gone == [], "this known circle changed or is gone: update KNOWN_CIRCLES (it may only shrink)"


def test_the_checker_sees_upward_imports_and_circles(tmp_path: Path) -> None:
    """The rules above can fail: a small tree with one of each kind of offence."""
    files = {
        "core/__init__.py": "",
        "core/log.py": "from commerce.money import Money\n",  # upward
        "commerce/__init__.py": "",
        "commerce/money.py": "from . import tax\nclass Money: ...\n",
        "commerce/tax.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from commerce.money import Money\n"  # a type-only circle
            "def rate() -> None:\n    from nlu import engine\n"  # neighbouring layer, inside a function
        ),
        "nlu/__init__.py": "",
        "nlu/engine.py": "import core.log\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    edges = imports(tmp_path, modules(tmp_path, ["core", "commerce", "nlu"]))
    assert {(e.importer, e.imported) for e in edges} == {
        ("core.log", "commerce.money"),
        ("commerce.money", "commerce.tax"),
        ("commerce.tax", "commerce.money"),
        ("commerce.tax", "nlu.engine"),
        ("nlu.engine", "core.log"),
    }
    assert [v.split(": ")[1] for v in _layer_violations(edges)] == [
        "commerce.tax -> nlu.engine",
        "core.log -> commerce.money",
    ]
    assert circles(edges) == [frozenset({"commerce.money", "commerce.tax", "nlu.engine", "core.log"})]
