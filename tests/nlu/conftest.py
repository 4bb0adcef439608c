"""One trained builtin engine per test session (training takes a few seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.builtin import BuiltinNluEngine


@pytest.fixture(scope="session")
def nlu_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-model")


@pytest.fixture(scope="session")
def engine(nlu_model_dir: Path) -> BuiltinNluEngine:
    return BuiltinNluEngine(nlu_model_dir)
