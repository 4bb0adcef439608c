"""Background retraining with reviewed examples: a child process trains, the model is swapped in
without a restart, a restart loads the same model, and a rollback brings the old one back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu.builtin import REVIEWED_FILE, BuiltinNluEngine
from nlu.retrain import PREVIOUS_DIR, ModelUpdater, reviewed_yaml
from nlu.training_data import parse_yaml_text

SLANG = "blorf snark doo"  # nothing like it in the training data: falls back today


@pytest.fixture
def own_model_dir(nlu_model_dir: Path, engine: BuiltinNluEngine, tmp_path: Path) -> Path:
    """A copy of the session's trained model (swaps must not touch the shared one)."""
    target = tmp_path / "model"
    shutil.copytree(nlu_model_dir, target)
    return target


async def test_retrain_swaps_in_the_new_model_and_rollback_restores_the_old(own_model_dir: Path) -> None:
    engine = BuiltinNluEngine(own_model_dir)
    assert (await engine.parse(SLANG)).intent.name == "nlu_fallback"
    updater = ModelUpdater(engine)
    assert not updater.status.rollback_available

    assert updater.start({"human_agent": [SLANG, "blorf snark"]})
    assert updater.status.state == "running"
    assert not updater.start({"human_agent": [SLANG]})  # one at a time
    status = await updater.wait()
    assert status.state == "done", status.error
    assert status.reviewed_examples == 2
    assert status.rollback_available
    result = await engine.parse(SLANG)
    assert result.intent.name == "human_agent", result.intent
    assert (own_model_dir / REVIEWED_FILE).is_file()
    assert (own_model_dir / PREVIOUS_DIR / "intent_model.json").is_file()

    restarted = BuiltinNluEngine(own_model_dir)  # loads the swapped model, no retraining
    assert restarted.data_hash == engine.data_hash
    assert (await restarted.parse(SLANG)).intent.name == "human_agent"

    assert await updater.rollback()
    assert (await engine.parse(SLANG)).intent.name == "nlu_fallback"
    assert not (own_model_dir / REVIEWED_FILE).exists()
    assert updater.status.action == "rollback"
    assert await updater.rollback()  # and forward again: the two models trade places
    assert (await engine.parse(SLANG)).intent.name == "human_agent"


async def test_a_failed_training_keeps_the_current_model(own_model_dir: Path) -> None:
    engine = BuiltinNluEngine(own_model_dir)
    updater = ModelUpdater(engine, python="/bin/false")
    assert updater.start({"thanks": ["merci bien"]})
    status = await updater.wait()
    assert status.state == "failed"
    assert status.error
    assert (await engine.parse("thank you")).intent.name == "thanks"
    assert not await updater.rollback()  # nothing to roll back to


def test_reviewed_yaml_is_rasa_data_without_markup() -> None:
    text = reviewed_yaml({"refund": ["[money] back {now}", "money  back", ""], "thanks": ["ta"]})
    data = parse_yaml_text(text)
    assert [(e.text, e.intent) for e in data.examples] == [
        ("(money) back (now)", "refund"),
        ("money back", "refund"),
        ("ta", "thanks"),
    ]
    assert all(not e.entities for e in data.examples)
