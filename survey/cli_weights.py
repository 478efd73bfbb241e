"""Thin click commands of a round's weights: ``margins`` (population margins) and ``weights`` (the weight chain,
one row per sampled household). Bad input is one line on stderr and exit status 1, nothing stored."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .cli_common import fail, refused, round_named, write_text
from .errors import MarginsRefused, WeightsError
from .services import margins, weights


def parameters(cap: str, min_class: str, trim: str | None) -> weights.WeightParameters:
    """The chain's parameters from command-line text, or a one-line refusal."""
    values = []
    for text, option in ((cap, "--cap"), (min_class, "--min-class")):
        if not text.strip().isdigit() or int(text) < 1:
            fail(f"{option} {text!r} is not a whole number of at least 1")
        values.append(int(text))
    bounds = None
    if trim is not None:
        try:
            low, high = (float(part) for part in trim.split(","))
        except ValueError:
            fail(f"--trim {trim!r} must be LOW,HIGH (multiples of the median weight, e.g. 0.3,3)")
        if not 0 < low < 1 < high < 1e6:
            fail(f"--trim {trim!r}: need 0 < LOW < 1 < HIGH")
        bounds = (low, high)
    return weights.WeightParameters(values[0], values[1], bounds)


@click.command("margins")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--round", "code", help="round code")
@with_appcontext
def margins_command(file: Path, code):
    """Store a round's population margins (CSV scope,variable,category,total); refused as a whole when bad."""
    round_ = round_named(code)
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        report = margins.load(round_, file.read_bytes(), source=file.name)
    except MarginsRefused as err:
        refused(file, err, nothing="nothing was stored")
    click.echo(f"{file}: {report.rows} margins of round {code} stored (variables {', '.join(report.variables)}; "
               f"scopes {', '.join(report.scopes)})")


@click.command("weights")
@click.option("--round", "code", help="round code")
@click.option("--out", "out_file", help="CSV file to write")
@click.option("--cap", default="4", help="most adults counted by the person factor (default 4)")
@click.option("--min-class", default="5", help="fewest respondents in a non-response class (default 5)")
@click.option("--trim", help="LOW,HIGH: trim to these multiples of the median weight, then rake again")
@with_appcontext
def weights_command(code, out_file, cap, min_class, trim):
    """Compute a round's weights (steps 1-5) and write one row per sampled household."""
    round_ = round_named(code)
    if not out_file:
        fail("--out is required")
    chosen = parameters(cap, min_class, trim)
    try:
        run = weights.compute(round_, chosen)
        count = write_text(out_file, lambda out: weights.write_weights(round_, out, chosen))
    except WeightsError as err:
        fail(str(err))
    overall = run.diagnostics["overall"]
    click.echo(f"{count} sampled households of round {code} written to {out_file}: {overall['respondents']} "
               f"respondents, weights {overall['min']:.4g}-{overall['max']:.4g}, Kish deff {overall['deff']:.3f}, "
               f"{len(run.diagnostics['merges'])} class merges")


commands = [margins_command, weights_command]
