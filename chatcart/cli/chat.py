"""`chatcart chat`: talk to the shop bot in the terminal, or run a conversation script.

    chatcart chat [--lang zh|en] [--user ID]
    chatcart chat --script FILE --json [--lang zh|en] [--user ID] [--db-uri URI]

Script lines: text typed by the customer; `@LABEL` presses a shown button (label or unique
prefix); `/command`; `!pay` / `!fail` settle the newest sandbox payment through the real
notify path; `!ship` / `!deliver` move the newest paid order on; `#` comments. A line ending
in a backslash continues on the next one: the lines form one multi-line message (a pasted
address block). With --json every turn prints one JSON object per line, then a final
{"summary": ...} line.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chatcart.cli.common import db_uri_option, load_settings, print_json, run
from chatcart.settings import Settings

if TYPE_CHECKING:
    from bot.terminal.runner import ChatRunner
    from chatcart.bootstrap import Container


@click.command()
@click.option(
    "--script",
    "script",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Run the lines of FILE instead of reading the keyboard.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per turn and a final summary.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Initial language.")
@click.option("--user", default=None, help="Terminal user id (default: a new one per script run).")
@db_uri_option
def chat(script: Path | None, as_json: bool, lang: str | None, user: str | None, db_uri: str | None) -> None:
    """Chat with the shop bot (interactive, or --script FILE for tests and evaluations)."""
    settings = load_settings(db_uri)
    if user is None:
        user = f"script-{uuid.uuid4().hex[:10]}" if script else "local"
    lines = join_continued(script.read_text(encoding="utf-8").splitlines()) if script else None
    code = run(_chat(settings, lines, as_json, lang, user))
    sys.exit(code)


def join_continued(lines: list[str]) -> list[str]:
    """Script lines with backslash continuations joined: a customer pastes a multi-line block
    (WeChat's address card, an English address over four lines) as ONE message."""
    joined: list[str] = []
    pending: list[str] = []
    for line in lines:
        stripped = line.rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        if pending:
            joined.append("\n".join([*pending, line.strip()]))
            pending = []
        else:
            joined.append(line)
    if pending:
        joined.append("\n".join(pending))
    return joined


def make_runner(container: Container, *, user: str, lang: str | None) -> ChatRunner:
    """The terminal channel over a running container (same wiring for the CLI and the tests)."""
    from bot.terminal.runner import ChatRunner
    from dialogs.shop_adapter import CommerceSandbox

    engine = container.require_dialogs()
    events = container.commerce.events
    return ChatRunner(
        engine,
        engine.services.shop,
        CommerceSandbox(container.commerce),
        user=user,
        lang=lang if lang in ("zh", "en") else None,  # type: ignore[arg-type]
        dispatch_events=events.dispatch_once,
    )


async def run_script(container: Container, lines: list[str], *, user: str, lang: str | None) -> list[dict[str, Any]]:
    """Every turn of a script as the JSON objects `--json` prints, the summary last."""
    runner = make_runner(container, user=user, lang=lang)
    results: list[dict[str, Any]] = []
    for line in join_continued(lines):
        output = await runner.run_line(line)
        if output is not None:
            results.append(output.to_json(await runner.current_lang()))
    results.append(await runner.summary())
    return results


async def _chat(settings: Settings, lines: list[str] | None, as_json: bool, lang: str | None, user: str) -> int:
    from chatcart.bootstrap import running_container
    from dialogs.render import render_as_text

    async with running_container(settings) as container:
        runner = make_runner(container, user=user, lang=lang)
        if lines is None and not as_json:
            click.echo(
                click.style("chatcart — type a message, a number to choose, /help, or Ctrl-D to quit.", dim=True)
            )
        source = lines if lines is not None else _keyboard()
        for line in source:
            output = await runner.run_line(line)
            if output is None:
                continue
            if as_json:
                print_json(output.to_json(await runner.current_lang()))
            else:
                click.echo(render_as_text(output.replies, await runner.current_lang()) or "…")
                click.echo("")
        if as_json:
            print_json(await runner.summary())
    return 0


def _keyboard() -> Any:
    while True:
        try:
            yield input("> ")
        except (EOFError, KeyboardInterrupt):
            return
