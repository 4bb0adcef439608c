"""`chatcart catalog import|export` and `chatcart seed-demo`: thin wrappers over CatalogService."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import click

from chatcart.cli.common import db_uri_option, load_settings, print_json, run
from chatcart.settings import Settings
from commerce.catalog.importer import ImportIssue, ImportReport, parse_catalog_json


def _open_container(settings: Settings) -> AbstractAsyncContextManager[Any]:
    """The running application container (imported lazily: keeps `--help` fast)."""
    from chatcart.bootstrap import running_container

    return running_container(settings, with_nlu=False, with_dialogs=False)


@click.group()
def catalog() -> None:
    """Import and export the product catalog (JSON exchange format)."""


def _print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    if report.ok:
        click.echo(str(report))
        return
    click.echo(f"{len(report.errors)} problem(s) found; nothing was imported:", err=True)
    for issue in report.errors:
        click.echo(f"  {issue}", err=True)


@catalog.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count changes without writing anything.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@db_uri_option
def import_command(file: Path, dry_run: bool, as_json: bool, db_uri: str | None) -> None:
    """Import FILE (upsert by product code / SKU). Exit code 1 lists every invalid row."""
    try:
        data: Any = parse_catalog_json(file.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        _print_report(ImportReport(errors=[ImportIssue("$", f"not valid JSON: {exc}")]), as_json)
        sys.exit(1)

    async def go() -> ImportReport:
        async with _open_container(load_settings(db_uri)) as container:
            result: ImportReport = await container.commerce.catalog.import_catalog(data, dry_run=dry_run)
            return result

    report = run(go())
    _print_report(report, as_json)
    sys.exit(0 if report.ok else 1)


@catalog.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@db_uri_option
def export_command(output: Path | None, db_uri: str | None) -> None:
    """Export categories, products, SKUs and stock in the import format."""

    async def go() -> dict[str, Any]:
        async with _open_container(load_settings(db_uri)) as container:
            exported: dict[str, Any] = await container.commerce.catalog.export_catalog()
            return exported

    text = json.dumps(run(go()), ensure_ascii=False, indent=1) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"exported to {output}", err=True)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalog already has products.")
@db_uri_option
def seed_demo(if_empty: bool, db_uri: str | None) -> None:
    """Load the bilingual demo store (45 products, pictures drawn locally)."""
    from commerce.catalog.demo import seed_demo_store

    async def go() -> ImportReport | None:
        settings = load_settings(db_uri)
        async with _open_container(settings) as container:
            return await seed_demo_store(container.commerce, settings.data_dir, if_empty=if_empty)

    report = run(go())
    if report is None:
        click.echo("catalog not empty; demo store not loaded")
        return
    click.echo(f"demo store: {report}")
    sys.exit(0 if report.ok else 1)
