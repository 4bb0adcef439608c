"""`chatcart payments reconcile`: a provider's statement for a day against chatcart's books."""

from __future__ import annotations

import sys
from datetime import date

import click

from chatcart.bootstrap import running_container
from chatcart.cli.common import db_uri_option, load_settings, print_json, run
from commerce.payments.model import ProviderUnavailable
from commerce.payments.reconcile import ReconcileReport


@click.group()
def payments() -> None:
    """Payment providers: reconciliation."""


def _day(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD") from None


@payments.command("reconcile")
@click.option("--date", "day", required=True, callback=_day, help="The statement's day (YYYY-MM-DD, Beijing time).")
@click.option("--provider", default=None, help="wechatpay or alipay (default: every configured provider).")
@click.option("--json", "as_json", is_flag=True, help="Print the report(s) as JSON.")
@db_uri_option
def reconcile(day: date, provider: str | None, as_json: bool, db_uri: str | None) -> None:
    """Download the providers' statements for a day and report what differs.

    With --provider the JSON is one object (date, provider, matched, missing_in_shop,
    missing_in_provider, amount_mismatch); without, a list of them. Exit code 1 when there are
    differences, 2 when a statement could not be fetched."""
    settings = load_settings(db_uri)

    async def go() -> list[ReconcileReport]:
        async with running_container(settings, with_nlu=False, with_dialogs=False) as container:
            reconciler = container.commerce.reconciler
            names = [provider] if provider else reconciler.providers()
            unknown = [name for name in names if name not in reconciler.providers()]
            if unknown:
                raise click.UsageError(
                    f"--provider {unknown[0]} is not a configured provider with statements: {reconciler.providers()}"
                )
            return [await reconciler.reconcile(day, name) for name in names]

    try:
        reports = run(go())
        if not reports:
            click.echo("no payment provider with statements is configured (CHATCART_PAYMENT_PROVIDERS)", err=True)
    except ProviderUnavailable as exc:
        click.echo(f"the statement could not be fetched: {exc}", err=True)
        sys.exit(2)
    if as_json:
        print_json(reports[0].to_dict() if provider else [report.to_dict() for report in reports])
    else:
        for report in reports:
            click.echo(
                f"{report.provider} {report.date}: {len(report.matched)} matched, "
                f"{len(report.missing_in_shop)} missing in the shop, "
                f"{len(report.missing_in_provider)} missing at the provider, "
                f"{len(report.amount_mismatch)} amount mismatches"
            )
            for kind in ("missing_in_shop", "missing_in_provider", "amount_mismatch"):
                for entry in getattr(report, kind):
                    click.echo(
                        f"  {kind}: {entry['kind']} {entry['trade_no']} order {entry['order']} {entry['amount']}"
                    )
    if any(report.differences for report in reports):
        sys.exit(1)
