"""The builtin engine end to end: accuracy on the held-out split, robustness, caching, persistence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.classifier import MODEL_JSON
from nlu.engine import FALLBACK_INTENT, INTENTS, NluEngine, ParseResult
from nlu.evaluate import evaluate_files
from nlu.training_data import DATA_DIR


def test_engine_satisfies_the_protocol(engine: BuiltinNluEngine) -> None:
    assert isinstance(engine, NluEngine)
    assert set(engine.model.classes) == set(INTENTS)


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_held_out_intent_accuracy(engine: BuiltinNluEngine, language: str) -> None:
    report = await evaluate_files(engine, [DATA_DIR / "test" / f"{language}.yml"])
    assert report.n >= 15 * len(INTENTS)
    assert report.intent_accuracy >= 0.90, report.confusions[:10]
    assert report.entity_f1 >= 0.80


@pytest.mark.parametrize(
    ("text", "intent", "entities"),
    [
        ("有没有两百块以内的蓝牙耳机", "search_product", {"price_max": "200", "product": "蓝牙耳机"}),
        ("where is my order 20261125-0042?", "order_status", {"order_id": "20261125-0042"}),
        ("我要退货", "return_goods", {}),
        ("add 2 of the black one", "add_to_cart", {"quantity": 2, "color": "black"}),
        ("用优惠码SAVE20", "use_coupon", {"coupon_code": "SAVE20"}),
        ("转人工", "human_agent", {}),
    ],
)
async def test_examples_from_the_brief(
    engine: BuiltinNluEngine, text: str, intent: str, entities: dict[str, object]
) -> None:
    result = await engine.parse(text)
    assert result.intent.name == intent
    for name, value in entities.items():
        assert result.first(name) == value


def test_language_detection(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync("我想买iPhone 15").language == "zh"
    assert engine.parse_sync("add 2 of the 黑色 one").language == "en"
    assert engine.parse_sync("20261125-0042", lang_hint="en").language == "en"


def test_rasa_dict_shape(engine: BuiltinNluEngine) -> None:
    data = engine.parse_sync("来两件XL的黑色T恤").to_rasa_dict()
    assert set(data) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert set(data["intent"]) == {"name", "confidence"}
    assert 1 < len(data["intent_ranking"]) <= 11
    confidences = [item["confidence"] for item in data["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    for entity in data["entities"]:
        assert set(entity) == {"entity", "value", "start", "end", "extractor"}
        assert data["text"][entity["start"] : entity["end"]]
    json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x01\x02",
        "\u200b\u200b",
        "🙂🙂🙂",
        "😡",
        "asdkjhqwe zxcmnb",
        "。。。？？？",
        "我" * 10_000,
        "order " * 2_000,
        "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ",
        "mixed 中文 English العربية русский 한국어",
        "\ud800",
        "ॐ",
        "12345678901234567890123456789",
    ],
)
def test_robust_inputs_never_raise(engine: BuiltinNluEngine, text: str) -> None:
    result = engine.parse_sync(text)
    assert isinstance(result, ParseResult)
    assert result.intent.name in (*INTENTS, FALLBACK_INTENT)
    assert 0.0 <= result.intent.confidence <= 1.0
    assert result.language in ("zh", "en")
    json.dumps(result.to_rasa_dict(), ensure_ascii=False)


def test_empty_and_noise_fall_back(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync("").intent.name == FALLBACK_INTENT
    assert engine.parse_sync("\x00\x01 \t").intent.name == FALLBACK_INTENT
    assert engine.parse_sync("qzxv bnmp wkrt").intent.name == FALLBACK_INTENT


def test_non_string_input_is_tolerated(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync(None).intent.name == FALLBACK_INTENT  # type: ignore[arg-type]


def test_threshold_is_configurable(nlu_model_dir: Path) -> None:
    strict = BuiltinNluEngine(nlu_model_dir, threshold=0.999)
    result = strict.parse_sync("我想看看鞋子")
    assert result.intent.name == FALLBACK_INTENT
    assert result.intent_ranking[0].name == FALLBACK_INTENT
    assert result.intent_ranking[1].name != FALLBACK_INTENT  # the classifier's ranking follows


def test_repeated_texts_are_cached(engine: BuiltinNluEngine) -> None:
    first = engine.parse_sync("where is my parcel")
    assert engine.parse_sync("where is my parcel") is first


def test_vocabulary_update_invalidates_cache(nlu_model_dir: Path) -> None:
    own = BuiltinNluEngine(nlu_model_dir)
    before = own.parse_sync("有没有 Zephyr X9 吗")
    assert before.first("product") is None
    own.update_vocabulary(["Zephyr X9"], ["Zephyr"], ["音响"], None)
    assert own.parse_sync("有没有 Zephyr X9 吗").first("product") == "Zephyr X9"


def test_model_is_persisted_and_reloaded(engine: BuiltinNluEngine, nlu_model_dir: Path) -> None:
    assert (nlu_model_dir / MODEL_JSON).exists()
    reloaded = BuiltinNluEngine(nlu_model_dir)
    text = "我的快递到哪了"
    assert reloaded.parse_sync(text).intent == engine.parse_sync(text).intent


def test_stale_model_is_retrained(tmp_path: Path, nlu_model_dir: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    model_dir = tmp_path / "model"
    shutil.copytree(nlu_model_dir, model_dir)
    first = BuiltinNluEngine(model_dir, data_dir=data_dir)
    extra = data_dir / "en" / "zz_extra.yml"
    extra.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - ahoy matey\n', encoding="utf-8")
    second = BuiltinNluEngine(model_dir, data_dir=data_dir)
    assert second.data_hash != first.data_hash
    assert json.loads((model_dir / MODEL_JSON).read_text(encoding="utf-8"))["data_hash"] == second.data_hash


# --- the step's expectations as a prior (issue #14) -------------------------------------------


def test_expectations_decide_between_close_readings(engine: BuiltinNluEngine) -> None:
    """A short reply split between two readings goes to the one the step is waiting for."""
    plain = engine.parse_sync("算了吧")
    ranking = {score.name: score.confidence for score in plain.intent_ranking}
    runner_up = next(score.name for score in plain.intent_ranking[1:] if score.name != "nlu_fallback")
    expected = frozenset({runner_up})
    boosted = engine.parse_sync("算了吧", expected_intents=expected)
    boosted_ranking = {score.name: score.confidence for score in boosted.intent_ranking}
    assert boosted_ranking[runner_up] > ranking[runner_up]
    assert abs(sum(s.confidence for s in boosted.intent_ranking if s.name != "nlu_fallback") - 1.0) < 0.05


@pytest.mark.parametrize(
    ("text", "intent"),
    [("我的快递到哪了", "track_shipment"), ("where is my parcel", "track_shipment"), ("退货怎么退", "return_goods")],
)
def test_a_clear_other_request_still_wins_over_expectations(engine: BuiltinNluEngine, text: str, intent: str) -> None:
    result = engine.parse_sync(text, expected_intents=frozenset({"affirm", "deny", "checkout", "pay"}))
    assert result.intent.name == intent


def test_expectations_do_not_rescue_nonsense(engine: BuiltinNluEngine) -> None:
    result = engine.parse_sync("qwertyuiop zxcv", expected_intents=frozenset({"affirm", "deny"}))
    assert result.intent.name == "nlu_fallback"


async def test_expectations_are_part_of_the_cache_key(engine: BuiltinNluEngine) -> None:
    plain = await engine.parse("好吧")
    other = next(score.name for score in plain.intent_ranking[1:] if score.name != "nlu_fallback")
    boosted = await engine.parse("好吧", expected_intents=frozenset({other}))
    assert {s.name: s.confidence for s in boosted.intent_ranking}[other] > {
        s.name: s.confidence for s in plain.intent_ranking
    }[other]
    assert (await engine.parse("好吧")).intent_ranking == plain.intent_ranking
