"""Retrain the builtin model with staff-reviewed examples while serving; swap it in; roll back.

Training runs in a child process (`python -m nlu.retrain STAGING --data-dir DIR`): scikit-learn,
SciPy and pypinyin never enter the serving process, and the event loop keeps answering customers.
The child writes a complete model into `<model_dir>/next/` (with the reviewed examples as
`reviewed.yml`, which is part of the model's data hash). The swap then moves the current model's
files to `<model_dir>/previous/` and the new ones into `<model_dir>/`, loads them on a worker thread
and installs them between two parses: no restart, and a restart later loads the same model.
`rollback()` exchanges the current and previous files the same way.

Other processes serving from the same model directory pick the new model up when they restart.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from core.logging_setup import get_logger
from nlu.builtin import REVIEWED_FILE, BuiltinNluEngine
from nlu.classifier import DICTIONARY, MODEL_ARRAYS, MODEL_JSON
from nlu.pinyin import PINYIN_TABLE
from nlu.training_data import parse_yaml_text

log = get_logger(__name__)

STAGING_DIR = "next"
PREVIOUS_DIR = "previous"
SWAP_DIR = "swap"
# The model JSON goes last: its presence marks a complete model (LinearIntentModel.save does the same).
MODEL_FILES = (MODEL_ARRAYS, DICTIONARY, PINYIN_TABLE, REVIEWED_FILE, MODEL_JSON)
DEFAULT_TIMEOUT = 900.0

State = Literal["idle", "running", "done", "failed"]


@dataclass(frozen=True)
class RetrainStatus:
    state: State = "idle"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    reviewed_examples: int = 0
    seconds: float | None = None
    error: str | None = None
    rollback_available: bool = False
    action: Literal["retrain", "rollback"] | None = None


def reviewed_yaml(examples: Mapping[str, Sequence[str]]) -> str:
    """Rasa 3 YAML for reviewed examples (square/curly brackets would read as entity markup)."""
    lines = ["# Staff-reviewed examples (admin: Unrecognised messages).", 'version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        texts = [" ".join(t.translate(_NO_MARKUP).split()) for t in examples[intent]]
        texts = [t for t in dict.fromkeys(texts) if t]
        if texts:
            lines += [f"- intent: {intent}", "  examples: |", *[f"    - {text}" for text in texts]]
    return "\n".join(lines) + "\n"


_NO_MARKUP = str.maketrans("[]{}", "()()")


def _move_model_files(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        stale = target / name
        if stale.exists():
            stale.unlink()
    for name in MODEL_FILES:
        if (source / name).exists():
            (source / name).replace(target / name)


class ModelUpdater:
    """Background retraining and rollback for one `BuiltinNluEngine` (one at a time)."""

    def __init__(
        self, engine: BuiltinNluEngine, *, python: str = sys.executable, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.engine = engine
        self.python = python
        self.timeout = timeout
        self._status = RetrainStatus(rollback_available=self._has_previous())
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def model_dir(self) -> Path:
        return self.engine.model_dir

    @property
    def status(self) -> RetrainStatus:
        return self._status

    def _has_previous(self) -> bool:
        return (self.model_dir / PREVIOUS_DIR / MODEL_JSON).is_file()

    def start(self, examples: Mapping[str, Sequence[str]]) -> bool:
        """Begin retraining with `examples` (intent -> texts); False while one is already running."""
        if self._task is not None and not self._task.done():
            return False
        text = reviewed_yaml(examples)
        parse_yaml_text(text, REVIEWED_FILE)  # refuse bad data here, not in the child
        count = sum(len(texts) for texts in examples.values())
        self._status = RetrainStatus(
            "running",
            started_at=datetime.now(UTC),
            reviewed_examples=count,
            rollback_available=self._has_previous(),
            action="retrain",
        )
        self._task = asyncio.create_task(self._retrain(text))
        return True

    async def wait(self) -> RetrainStatus:
        """The status once the running retrain (if any) has finished."""
        if self._task is not None:
            await asyncio.shield(self._task)
        return self._status

    async def _retrain(self, reviewed: str) -> None:
        started = time.perf_counter()
        try:
            async with self._lock:
                staging = self.model_dir / STAGING_DIR
                await asyncio.to_thread(self._prepare_staging, staging, reviewed)
                await self._train_in_child(staging)
                await asyncio.to_thread(self._promote, staging)
                await self._load_and_install()
        except Exception as exc:  # the old model keeps serving; staff see why
            log.exception("nlu_retrain_failed", model_dir=str(self.model_dir))
            self._status = replace(
                self._status,
                state="failed",
                finished_at=datetime.now(UTC),
                error=str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__,
                rollback_available=self._has_previous(),
            )
            return
        seconds = round(time.perf_counter() - started, 1)
        self._status = replace(
            self._status, state="done", finished_at=datetime.now(UTC), seconds=seconds, rollback_available=True
        )
        log.info("nlu_retrained", seconds=seconds, reviewed=self._status.reviewed_examples)

    @staticmethod
    def _prepare_staging(staging: Path, reviewed: str) -> None:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / REVIEWED_FILE).write_text(reviewed, encoding="utf-8")

    async def _train_in_child(self, staging: Path) -> None:
        process = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            "nlu.retrain",
            str(staging),
            "--data-dir",
            str(self.engine.data_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise TimeoutError(f"training took longer than {self.timeout:.0f} s") from None
        if process.returncode != 0:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"training failed: {tail[0]}")

    def _promote(self, staging: Path) -> None:
        if not (staging / MODEL_JSON).is_file():
            raise FileNotFoundError("training finished without a model")
        previous = self.model_dir / PREVIOUS_DIR
        if (self.model_dir / MODEL_JSON).is_file():
            _move_model_files(self.model_dir, previous)
        _move_model_files(staging, self.model_dir)
        shutil.rmtree(staging, ignore_errors=True)

    async def _load_and_install(self) -> None:
        loaded = await asyncio.to_thread(self.engine.load_stored)
        self.engine.install(loaded)  # on the event loop thread, between two parses

    async def rollback(self) -> bool:
        """Serve the previous model again (the current one becomes the previous); False if none."""
        if self._task is not None and not self._task.done():
            return False
        async with self._lock:
            if not self._has_previous():
                return False
            await asyncio.to_thread(self._exchange_with_previous)
            await self._load_and_install()
        self._status = RetrainStatus(
            "done", finished_at=datetime.now(UTC), rollback_available=self._has_previous(), action="rollback"
        )
        log.info("nlu_rolled_back", model_dir=str(self.model_dir))
        return True

    def _exchange_with_previous(self) -> None:
        swap = self.model_dir / SWAP_DIR
        shutil.rmtree(swap, ignore_errors=True)
        _move_model_files(self.model_dir, swap)
        _move_model_files(self.model_dir / PREVIOUS_DIR, self.model_dir)
        _move_model_files(swap, self.model_dir / PREVIOUS_DIR)
        shutil.rmtree(swap, ignore_errors=True)


def main(argv: Sequence[str]) -> int:
    """Child process: train a complete model into the staging directory."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nlu.retrain")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(list(argv))
    engine = BuiltinNluEngine(args.model_dir, data_dir=args.data_dir, retrain=True)
    print(json.dumps({"model_dir": str(args.model_dir), "data_hash": engine.data_hash}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
