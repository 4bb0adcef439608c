"""`chatcart nlu train|parse|test` — a thin shell over nlu/ (no database needed)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click

from chatcart.cli.common import db_uri_option, load_settings
from chatcart.settings import Settings
from nlu.engine import NluEngine

ENGINE_OPTION = click.option(
    "--engine", type=click.Choice(["builtin", "rasa"]), default=None, help="defaults to CHATCART_NLU_ENGINE"
)


def _model_dir(settings: Settings) -> Path:
    return settings.nlu_model_dir or settings.data_dir / "nlu"


def _engine(engine: str | None) -> NluEngine:
    from nlu.factory import build_engine

    settings = load_settings()
    return build_engine(
        engine or settings.nlu_engine,
        _model_dir(settings),
        settings.nlu_threshold,
        settings.rasa_url,
        settings.rasa_timeout_seconds,
    )


async def _close(engine: NluEngine) -> None:
    close = getattr(engine, "aclose", None)
    if close is not None:
        await close()


@click.group(name="nlu")
def nlu() -> None:
    """Train, try and evaluate the NLU engine."""


@nlu.command()
@ENGINE_OPTION
def train(engine: str | None) -> None:
    """Train the builtin model (or build + train the Rasa model) from nlu/data."""
    settings = load_settings()
    if (engine or settings.nlu_engine) == "rasa":
        from nlu.rasa_process import RasaUnavailable
        from nlu.rasa_process import train as train_rasa

        try:
            click.echo(f"rasa model: {train_rasa()}")
        except RasaUnavailable as exc:
            raise click.ClickException(str(exc)) from exc
        return
    from nlu.builtin import BuiltinNluEngine

    model_dir = _model_dir(settings)
    built = BuiltinNluEngine(model_dir, threshold=settings.nlu_threshold, retrain=True)
    click.echo(
        f"builtin model: {model_dir} ({len(built.model.classes)} intents, "
        f"{len(built.model.vocabulary)} features, data {built.data_hash})"
    )


@nlu.command()
@click.argument("text")
@ENGINE_OPTION
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="language hint")
def parse(text: str, engine: str | None, lang: str | None) -> None:
    """Parse TEXT and print Rasa-shaped JSON."""

    async def run() -> dict[str, object]:
        nlu_engine = _engine(engine)
        try:
            return (await nlu_engine.parse(text, lang_hint=lang)).to_rasa_dict()
        finally:
            await _close(nlu_engine)

    click.echo(json.dumps(asyncio.run(run()), ensure_ascii=False, indent=2))


@nlu.command(name="test")
@click.option(
    "--data",
    "data_files",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    required=True,
    help="Rasa NLU YAML file (repeatable)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@ENGINE_OPTION
def test_command(data_files: tuple[Path, ...], as_json: bool, engine: str | None) -> None:
    """Evaluate the engine on labelled YAML: accuracy, macro-F1, per-intent scores, entity F1."""
    from nlu.evaluate import evaluate_files, format_report
    from nlu.training_data import TrainingDataError

    async def run() -> object:
        nlu_engine = _engine(engine)
        try:
            return await evaluate_files(nlu_engine, list(data_files))
        finally:
            await _close(nlu_engine)

    try:
        report = asyncio.run(run())
    except TrainingDataError as exc:
        raise click.ClickException(str(exc)) from exc
    from nlu.evaluate import EvaluationReport

    assert isinstance(report, EvaluationReport)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        click.echo(format_report(report))


@nlu.command(name="export-reviewed")
@click.argument("target", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@db_uri_option
def export_reviewed(target: Path, db_uri: str | None) -> None:
    """Write the messages staff labelled in the admin (Unrecognised messages) to TARGET as Rasa YAML."""
    from chatcart.bootstrap import running_container
    from dialogs.review import UnrecognisedMessages
    from nlu.retrain import reviewed_yaml

    async def run() -> dict[str, list[str]]:
        async with running_container(load_settings(db_uri), with_nlu=False, with_dialogs=False) as container:
            return await UnrecognisedMessages(container.db).labelled_examples()

    examples = asyncio.run(run())
    target.write_text(reviewed_yaml(examples), encoding="utf-8")
    total = sum(len(texts) for texts in examples.values())
    click.echo(f"{target}: {total} examples for {len(examples)} intents")
