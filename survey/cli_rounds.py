"""Thin click commands of survey rounds: ``round create|open|close|release|list``, ``export-sample`` and
``import-responses`` (registered with the others in :mod:`survey.cli`).

Options are read as text and checked here, so that a bad value is one line on stderr (``Error: …``) and exit
status 1, like every refusal of a service, with nothing stored.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

import analysis

from .cli_common import fail, refused, round_named, write_text
from .errors import ImportRefused, RoundError
from .services import paper, rounds, samples
from .services._draw import DrawSpec, read_sizes
from .services.outcomes import PRIORITY


def _whole(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if not text.isdigit():
        fail(f"{option} {value!r} is not a whole number of 0 or more")
    return int(text)


@click.group("round")
def round_group():
    """Survey rounds: create (and draw), open, close, release reserves, list."""


@round_group.command("create")
@click.argument("code")
@click.option("--design", help="take-all, srs or two-stage")
@click.option("--per-community", help="srs: the same n in every community")
@click.option("--proportional", help="srs: a total n allocated proportionally to N_c")
@click.option("--sizes", help="srs: a CSV file community_code,n")
@click.option("--buildings", help="two-stage: buildings per community")
@click.option("--per-building", help="two-stage: households per building")
@click.option("--pps", is_flag=True, help="two-stage: buildings by systematic PPS of their household count")
@click.option("--reserve", default="0", help="reserve replicates (released with round release)")
@click.option("--seed", help="seed of the random generator (default: a random one, stored)")
@click.option("--questionnaire", help="version of the built-in questionnaire (default: the latest)")
@with_appcontext
def create_command(code, design, per_community, proportional, sizes, buildings, per_building, pps, reserve,
                   seed, questionnaire):
    """Create a round and draw its sample (status planned; ``round open`` puts it in the field)."""
    if design not in analysis.DESIGNS:
        fail(f"--design must be one of {', '.join(analysis.DESIGNS)} (got {design!r})")
    try:
        given = None
        if sizes is not None:
            path = Path(sizes)
            if not path.is_file():
                fail(f"--sizes {sizes}: no such file")
            given = read_sizes(path.read_bytes(), source=str(path))
        spec = DrawSpec(design, per_community=_whole(per_community, "--per-community"),
                        proportional=_whole(proportional, "--proportional"), sizes=given,
                        buildings=_whole(buildings, "--buildings"), per_building=_whole(per_building, "--per-building"),
                        pps=pps, reserve=_whole(reserve, "--reserve"))
        round_ = rounds.create(code, spec, seed=_whole(seed, "--seed"), questionnaire=questionnaire)
    except RoundError as err:
        fail(str(err))
    summary = samples.summary(round_)
    click.echo(f"Round {round_.code} created ({round_.design}, seed {round_.seed}, questionnaire "
               f"{round_.version.version if round_.version else '-'}): {summary.tally.sampled} households drawn, "
               f"{summary.tally.released} released with their QR links; status {round_.status}")
    for row in samples.communities(round_):
        if row.row.note:
            click.echo(f"  {row.code}: {row.row.note}")


@round_group.command("open")
@click.argument("code")
@with_appcontext
def open_command(code):
    """Put a round in the field and make it the current round."""
    try:
        rounds.open_round(code)
    except RoundError as err:
        fail(str(err))
    click.echo(f"Round {code} is in the field and is the current round.")


@round_group.command("close")
@click.argument("code")
@with_appcontext
def close_command(code):
    """Close a round: it accepts no more answers."""
    try:
        rounds.close_round(code)
    except RoundError as err:
        fail(str(err))
    click.echo(f"Round {code} is closed: it accepts no more answers.")


@round_group.command("release")
@click.argument("code")
@click.option("--community", help="community code")
@with_appcontext
def release_command(code, community):
    """Release the next reserve replicate of a community (probabilities recomputed, QR links issued)."""
    if not community:
        fail("--community is required")
    try:
        released = rounds.release(code, community)
    except RoundError as err:
        fail(str(err))
    click.echo(f"Round {code}, community {community}: {released} reserve households released with their QR links.")


@round_group.command("list")
@with_appcontext
def list_command():
    """Every round with its status and the count of each outcome of its released sample."""
    click.echo("round  status  design  questionnaire  sampled  released  " + "  ".join(PRIORITY) + "  open_link")
    for s in samples.summaries():
        r = s.round
        counts = "  ".join(str(s.tally.outcomes[code]) for code in PRIORITY)
        click.echo(f"{r.code}{' (current)' if r.is_current else ''}  {r.status}  {r.design}  "
                   f"{r.version.version if r.version else '-'}  {s.tally.sampled}  {s.tally.released}  {counts}  "
                   f"{s.open_link}")


@click.command("export-sample")
@click.option("--round", "code", help="round code")
@click.option("--out", "out_file", help="CSV file to write")
@with_appcontext
def export_sample_command(code, out_file):
    """Write a round's released sample: community_code,building,unit,replicate,probability,outcome,url."""
    if not code or not out_file:
        fail("--round and --out are required")
    round_ = round_named(code)
    count = write_text(out_file, lambda out: samples.write_sample(round_, out), encoding="utf-8-sig")
    click.echo(f"{count} households of round {code} written to {out_file}")


@click.command("import-responses")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--round", "code", help="round code")
@with_appcontext
def import_responses_command(file: Path, code):
    """Load answers typed in from paper or interviewer questionnaires (all or nothing; loading again changes
    nothing)."""
    if not code:
        fail("--round is required")
    if not file.is_file():
        fail(f"{file}: no such file")
    try:
        report = paper.import_responses(file.read_bytes(), code, source=file.name)
    except RoundError as err:
        fail(str(err))
    except ImportRefused as err:
        refused(file, err)
    click.echo(f"{file}: {report.added} responses added ({report.complete} complete, {report.partial} partial, "
               f"{report.ineligible} ineligible), {report.unchanged} unchanged")


commands = [round_group, export_sample_command, import_responses_command]
