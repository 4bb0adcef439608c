from __future__ import annotations

from pathlib import Path

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.factory import build_engine
from nlu.rasa_http import RasaHttpEngine


def test_builds_builtin(engine: BuiltinNluEngine, nlu_model_dir: Path) -> None:
    built = build_engine("builtin", nlu_model_dir, 0.5, "http://127.0.0.1:5005", 2.0)
    assert isinstance(built, BuiltinNluEngine)
    assert built.threshold == 0.5


def test_builds_rasa_with_builtin_fallback(engine: BuiltinNluEngine, nlu_model_dir: Path) -> None:
    built = build_engine("rasa", nlu_model_dir, 0.35, "http://127.0.0.1:5005/", 1.5)
    assert isinstance(built, RasaHttpEngine)
    assert built.url == "http://127.0.0.1:5005"
    assert built.timeout == 1.5
    assert isinstance(built.fallback, BuiltinNluEngine)


def test_unknown_engine_is_rejected(nlu_model_dir: Path) -> None:
    with pytest.raises(ValueError, match="unknown NLU engine"):
        build_engine("spacy", nlu_model_dir, 0.35, "", 1.0)
