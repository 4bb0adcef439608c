"""Build the configured NLU engine (called by the composition root and the CLI)."""

from __future__ import annotations

from pathlib import Path

from nlu.builtin import BuiltinNluEngine
from nlu.engine import NluEngine
from nlu.rasa_http import RasaHttpEngine

ENGINES = ("builtin", "rasa")


def build_engine(engine: str, model_dir: Path, threshold: float, rasa_url: str, rasa_timeout: float) -> NluEngine:
    """`builtin`: in-process model (trained on first use, cached in model_dir).
    `rasa`: a Rasa server at rasa_url, falling back to the builtin engine while it is down."""
    if engine not in ENGINES:
        raise ValueError(f"unknown NLU engine {engine!r}; expected one of {', '.join(ENGINES)}")
    builtin = BuiltinNluEngine(Path(model_dir), threshold=threshold)
    if engine == "builtin":
        return builtin
    return RasaHttpEngine(rasa_url, fallback=builtin, timeout=rasa_timeout)
