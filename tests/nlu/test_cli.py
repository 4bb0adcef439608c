"""`chatcart nlu ...` through click's CliRunner (no database involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatcart.cli.nlu import nlu
from nlu.builtin import BuiltinNluEngine
from nlu.training_data import DATA_DIR


@pytest.fixture
def runner(engine: BuiltinNluEngine, nlu_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Reuse the session's trained model so the CLI does not retrain for every test.
    monkeypatch.setenv("CHATCART_NLU_MODEL_DIR", str(nlu_model_dir))
    monkeypatch.setenv("CHATCART_NLU_ENGINE", "builtin")
    return CliRunner()


def test_parse_prints_rasa_json(runner: CliRunner) -> None:
    result = runner.invoke(nlu, ["parse", "有没有两百块以内的蓝牙耳机"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["intent"]["name"] == "search_product"
    assert "蓝牙耳机" in result.output  # printed with ensure_ascii=False
    assert {e["entity"] for e in data["entities"]} == {"price_max", "product"}


def test_test_json_prints_one_object(runner: CliRunner, tmp_path: Path) -> None:
    data_file = tmp_path / "mini.yml"
    data_file.write_text(
        'version: "3.1"\nnlu:\n- intent: order_status\n  examples: |\n'
        "    - where is my order [20261125-0042](order_id)?\n    - 我的订单发货了吗\n"
        "- intent: return_goods\n  examples: |\n    - 我要退货\n",
        encoding="utf-8",
    )
    result = runner.invoke(nlu, ["test", "--data", str(data_file), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)  # exactly one JSON document
    assert {"intent_accuracy", "macro_f1", "per_intent", "entity_f1", "n"} <= set(report)
    assert report["n"] == 3
    assert report["intent_accuracy"] == 1.0
    assert report["entity_f1"] == 1.0
    assert set(report["per_intent"]) == {"order_status", "return_goods"}


def test_test_table_output(runner: CliRunner) -> None:
    result = runner.invoke(nlu, ["test", "--data", str(DATA_DIR / "test" / "en.yml")])
    assert result.exit_code == 0, result.output
    assert "intent accuracy" in result.output
    assert "macro-F1" in result.output
    assert "track_shipment" in result.output


def test_bad_yaml_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("nlu: [unclosed", encoding="utf-8")
    result = runner.invoke(nlu, ["test", "--data", str(bad), "--json"])
    assert result.exit_code != 0
    assert "not valid YAML" in result.output
    assert "Traceback" not in result.output


def test_train_builtin(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATCART_NLU_MODEL_DIR", str(tmp_path / "model"))
    result = runner.invoke(nlu, ["train", "--engine", "builtin"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "model" / "intent_model.json").exists()
