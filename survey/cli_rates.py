"""Thin click command of a round's AAPOR outcome rates: ``response-rates``. Bad input (no such round, a file that
cannot be written) is one line on stderr and exit status 1, nothing written."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from .cli_common import fail, round_named, write_text
from .services import response_rates


@click.command("response-rates")
@click.option("--round", "code", help="round code")
@click.option("--out", "out_file", help="CSV file to write")
@with_appcontext
def response_rates_command(code, out_file):
    """Write a round's outcome counts and AAPOR rates (RR1-RR6, COOP1-4, REF1-3, CON1-3) overall and per
    district, street and community."""
    if not code or not out_file:
        fail("--round and --out are required")
    round_ = round_named(code)
    rates = response_rates.compute(round_)
    count = write_text(out_file, lambda out: response_rates.write_rates(rates, out))
    overall = rates.overall
    click.echo(f"{count} rows of round {code} written to {out_file}: overall RR1 {_percent(overall.rates['RR1'])}, "
               f"COOP1 {_percent(overall.rates['COOP1'])}, e {_share(rates.e)}")


def _percent(value: float) -> str:
    return "—" if value != value else f"{100 * value:.1f}%"


def _share(value: float) -> str:
    return "—" if value != value else f"{value:.3f}"


commands = [response_rates_command]
