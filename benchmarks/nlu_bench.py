"""NLU benchmark: held-out accuracy per language, parse latency and memory, builtin vs Rasa.

`python -m benchmarks --only nlu_bench` (through the harness) or `python -m benchmarks.nlu_bench`
(prints markdown). `measure()` returns the figures as a dict. The Rasa rows appear when the Rasa
virtualenv exists (`make rasa`); set CHATCART_BENCH_RASA=0 to skip them.
Targets for the builtin engine: held-out accuracy >= 0.96 per language, p99 <= 3 ms, memory <= 100 MB,
training <= 30 s. A second table: the outsider sets and the held-out split with typos (robustness).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from nlu import augment
from nlu.builtin import BuiltinNluEngine
from nlu.evaluate import evaluate_examples, evaluate_files
from nlu.training_data import DATA_DIR, Example, load_files

LANGUAGES = ("zh", "en")
ROUNDS = 3

# Runs in a fresh interpreter so the figure is what the engine adds to a process, not what this
# benchmark (scikit-learn for training, the database client, other benchmarks) already holds.
_MEMORY_PROBE = """
import json, sys
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * __import__("os").sysconf("SC_PAGE_SIZE") / 2**20
import core.logging_setup  # the app has structlog loaded anyway
before = rss_mb()
from pathlib import Path
from nlu.builtin import BuiltinNluEngine
engine = BuiltinNluEngine(Path(sys.argv[1]))
for text in json.loads(sys.argv[2]):
    engine.parse_sync(text)
print(json.dumps({"before_mb": before, "after_mb": rss_mb()}))
"""


def _held_out_texts() -> list[str]:
    return [e.text for e in load_files(sorted((DATA_DIR / "test").glob("*.yml"))).examples]


def _latency(engine: BuiltinNluEngine, texts: list[str]) -> list[float]:
    samples: list[float] = []
    for _ in range(ROUNDS):
        engine.forget_parses()  # measure real parses, not cache hits
        for text in texts:
            started = time.perf_counter()
            engine.parse_sync(text)
            samples.append(time.perf_counter() - started)
    return samples


def _memory_added_mb(model_dir: Path, texts: list[str]) -> float:
    output = subprocess.run(  # noqa: S603 - our own interpreter and probe script
        [sys.executable, "-c", _MEMORY_PROBE, str(model_dir), json.dumps(texts[:200], ensure_ascii=False)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    return round(figures["after_mb"] - figures["before_mb"], 1)


OUTSIDER_DIR = Path(__file__).resolve().parent.parent / "tests" / "nlu" / "data"
TYPO_SEED = 99  # not the training data's seed: these typos were never trained on


def with_typos(examples: list[Example], language: str) -> list[Example]:
    """The examples with one typo each (same noise model as the augmentation, another seed)."""
    rng = random.Random(f"{TYPO_SEED}:{language}")
    noisy: list[Example] = []
    for example in examples:
        text = augment.typo_en(example.text, rng) if language == "en" else augment.typo_zh(example.text, rng, ())
        if text:
            noisy.append(Example(text, example.intent))
    return noisy


async def _accuracy(engine: Any) -> dict[str, float]:
    result: dict[str, float] = {}
    for language in LANGUAGES:
        held_out = DATA_DIR / "test" / f"{language}.yml"
        report = await evaluate_files(engine, [held_out])
        result[language] = round(report.intent_accuracy, 4)
        result[f"{language}_entity_f1"] = round(report.entity_f1, 4)
        typos = await evaluate_examples(engine, with_typos(load_files([held_out]).examples, language))
        result[f"{language}_typos"] = round(typos.intent_accuracy, 4)
        outsider = await evaluate_files(engine, [OUTSIDER_DIR / f"outsider_{language}.yml"])
        result[f"{language}_outsider"] = round(outsider.intent_accuracy, 4)
    return result


async def _measure_builtin(model_dir: Path, texts: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    engine = BuiltinNluEngine(model_dir, retrain=True)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    BuiltinNluEngine(model_dir)
    load_seconds = time.perf_counter() - started
    return {
        "train_seconds": round(train_seconds, 1),
        "load_seconds": round(load_seconds, 2),
        "accuracy": await _accuracy(engine),
        "latency": summary_ms(_latency(engine, texts)),
        "memory_added_mb": _memory_added_mb(model_dir, texts),
    }


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


async def _measure_rasa(model_dir: Path, texts: list[str]) -> dict[str, Any] | None:
    from nlu.rasa_http import RasaHttpEngine
    from nlu.rasa_process import RasaServer, RasaUnavailable, venv_path

    if os.environ.get("CHATCART_BENCH_RASA", "1") == "0" or venv_path() is None:
        return None
    try:
        server = RasaServer(startup_timeout=900).start()
    except RasaUnavailable as exc:
        return {"error": str(exc).splitlines()[0]}
    engine = RasaHttpEngine(server.url, fallback=BuiltinNluEngine(model_dir), timeout=10.0)
    try:
        accuracy = await _accuracy(engine)
        samples: list[float] = []
        for text in texts:
            started = time.perf_counter()
            await engine.parse(text)
            samples.append(time.perf_counter() - started)
        process = server._process
        return {
            "accuracy": accuracy,
            "latency": summary_ms(samples),
            "server_rss_mb": _rss_mb(process.pid) if process else None,
            "fallbacks_used": engine.breaker.state != "closed",
        }
    finally:
        await engine.aclose()
        server.stop()


async def measure_async() -> dict[str, Any]:
    texts = _held_out_texts()
    with tempfile.TemporaryDirectory(prefix="chatcart-nlu-bench-") as tmp:
        model_dir = Path(tmp)
        figures: dict[str, Any] = {"held_out_examples": len(texts), "builtin": await _measure_builtin(model_dir, texts)}
        figures["rasa"] = await _measure_rasa(model_dir, texts)
    return figures


def measure() -> dict[str, Any]:
    return asyncio.run(measure_async())


def to_section(figures: dict[str, Any]) -> BenchSection:
    section = BenchSection("NLU (held-out split, builtin vs Rasa)")
    rows: list[list[object]] = []
    for name in ("builtin", "rasa"):
        data = figures.get(name)
        if not data or "accuracy" not in data:
            continue
        accuracy, latency = data["accuracy"], data["latency"]
        memory = data.get("memory_added_mb", data.get("server_rss_mb"))
        rows.append(
            [
                name,
                accuracy["zh"],
                accuracy["en"],
                accuracy["zh_entity_f1"],
                accuracy["en_entity_f1"],
                latency["p50_ms"],
                latency["p99_ms"],
                memory,
            ]
        )
    section.table(
        [
            "engine",
            "intent acc. zh",
            "intent acc. en",
            "entity F1 zh",
            "entity F1 en",
            "parse p50 ms",
            "parse p99 ms",
            "memory MB",
        ],
        rows,
    )
    section.table(
        ["engine", "outsider zh", "outsider en", "held-out + typos zh", "held-out + typos en"],
        [
            [
                name,
                figures[name]["accuracy"]["zh_outsider"],
                figures[name]["accuracy"]["en_outsider"],
                figures[name]["accuracy"]["zh_typos"],
                figures[name]["accuracy"]["en_typos"],
            ]
            for name in ("builtin", "rasa")
            if figures.get(name) and "accuracy" in figures[name]
        ],
    )
    builtin = figures["builtin"]
    section.note(
        f"{figures['held_out_examples']} held-out sentences (nlu/data/test, never trained on). Builtin: trains in "
        f"{builtin['train_seconds']} s, loads in {builtin['load_seconds']} s; memory = RSS added to a fresh process "
        "by loading the engine and parsing 200 messages; latency = uncached `parse_sync` over the split, "
        f"{ROUNDS} rounds. Rasa: latency includes the HTTP round trip; memory = the Rasa server's RSS. "
        "Targets (builtin): accuracy >= 0.96 per language, p99 <= 3 ms, memory <= 100 MB, training <= 30 s. "
        "Second table: intent accuracy on tests/nlu/data/outsider_*.yml (written apart from the training data, "
        "never trained on) and on the held-out split with one typo per sentence (keyboard slips; Chinese "
        "homophones or pinyin), generated with another seed than the training variants. No public labelled "
        "customer-service corpus could be installed from a package registry, so no external corpus row yet."
    )
    rasa = figures.get("rasa")
    if rasa is None:
        section.note("_Rasa not measured: its virtualenv is not built (`make rasa`)._")
    elif "error" in rasa:
        section.note(f"_Rasa not measured: {rasa['error']}_")
    section.figures.update(figures)
    return section


async def run(context: BenchContext) -> BenchSection:
    return to_section(await measure_async())


if __name__ == "__main__":
    result = measure()
    print(to_section(result).markdown())
    print(json.dumps(result, indent=2))
