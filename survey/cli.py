"""Thin click commands that call services (registered in create_app).

Each command prints what it did; a refused input prints every problem and exits with status 1.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

import questionnaires as qn

from .cli_common import refused
from .cli_rates import commands as rate_commands
from .cli_rounds import commands as round_commands
from .cli_weights import commands as weight_commands
from .errors import AlreadyExists, FrameError, NotFound, SurveyError
from .models import Action
from .services import audit, demo, export, frame, users
from .services.tokens import url_for_token


def _fail(lines) -> None:
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(1)


def _cannot_write(path: Path, err: OSError) -> None:
    _fail([f"Error: cannot write {path}: {err.strerror or err}"])


def _url(endpoint: str, **values) -> str:
    """An absolute URL on ``BASE_URL`` (what the printed links and QR codes use)."""
    with current_app.test_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create or upgrade the database and build a demonstration city (safe to run again)."""
    from flask_migrate import upgrade

    upgrade()
    report = demo.build_demo()
    loaded = report.frame
    click.echo(f"Questionnaire published: {report.questionnaire}")
    click.echo(f"Demo city: {loaded.districts} district, {loaded.streets} streets, {loaded.communities} communities, "
               f"{loaded.households_added + loaded.households_updated + loaded.households_unchanged} households "
               f"({loaded.households_added} added, {loaded.tokens_issued} QR links issued)")
    if report.admin_password:
        click.echo(f"Administrator created: {report.admin}")
        click.echo(f"Password (shown only this once, write it down): {report.admin_password}")
    else:
        click.echo(f"Administrator {report.admin!r} exists already; its password is not shown again.")
        click.echo(f"To set a new one: flask --app wsgi reset-password {report.admin}")
    click.echo("Open:")
    click.echo(f"  administrator sign-in:    {_url('manage.login')}")
    if report.household_token:
        click.echo(f"  a household's link:       {url_for_token(report.household_token)}")
    click.echo(f"  community poster QR:      {_url('manage.poster', code=report.community_code, fmt='png')}")
    click.echo(f"  community open link:      {url_for_token(report.community_token)}")


@click.command("import-frame")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_frame_command(file: Path):
    """Load a sampling-frame CSV file (all or nothing; loading the same file again changes nothing)."""
    try:
        report = frame.import_frame(file.read_bytes(), source=file.name)
    except OSError as err:
        _fail([f"Error: cannot read {file}: {err.strerror or err}"])
    except FrameError as err:
        refused(file, err)
    click.echo(f"{file}: {report.districts} districts, {report.streets} streets, {report.communities} communities "
               f"({report.communities_added} new, {report.names_updated} names updated)")
    click.echo(f"households: {report.households_added} added, {report.households_updated} updated, "
               f"{report.households_unchanged} unchanged; {report.tokens_issued} QR links issued")


@click.command("check-questionnaire")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_questionnaire_command(file: Path):
    """Check a questionnaire YAML file and summarise it; list every problem otherwise."""
    try:
        click.echo(qn.check_file(file))
    except qn.QuestionnaireError as err:
        _fail([str(err)])


@click.command("export-qr")
@click.option("--community", "code", required=True, help="community code")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_qr_command(code: str, out_dir: Path):
    """Write one PNG per household link of a community in the current round, and index.csv (household, building,
    unit, url, file)."""
    try:
        written = export.write_household_qr(code, out_dir)
    except NotFound:
        _fail([f"Error: there is no community {code!r}"])
    except OSError as err:
        _cannot_write(Path(err.filename or out_dir), err)
    audit.record(Action.EXPORT_QR, detail={"community": code, "files": len(written), "folder": str(out_dir)},
                 commit=True)
    click.echo(f"{len(written)} QR codes of community {code} written to {out_dir} (index: {out_dir / 'index.csv'})")


EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav", ".dta": "dta", ".parquet": "parquet"}


def _checked_out(out_file: Path) -> None:
    """Refuse before any work an --out path that cannot be written."""
    parent = out_file.resolve().parent
    if out_file.is_dir() or not parent.is_dir() or not os.access(parent, os.W_OK):
        _fail([f"Error: cannot write {out_file} (its folder does not exist or is not writable)"])


@click.command("export-responses")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path), help="file to write")
@click.option("--format", "fmt", default=None,
              help="csv | excel-csv | xlsx | sav | dta | parquet (default: from the extension of --out)")
@click.option("--round", "round_code", default=None, help="only this round's responses")
@click.option("--language", default="zh", help="labels in zh or en (xlsx, sav, dta, parquet)")
@with_appcontext
def export_responses_command(out_file: Path, fmt: str | None, round_code: str | None, language: str):
    """Write every response of the current questionnaire (a new file, written whole or not at all)."""
    fmt = fmt or EXTENSIONS.get(out_file.suffix.lower())
    if fmt not in export.FORMAT_NAMES:
        _fail([f"Error: unknown or missing --format {fmt or ''!r}; choose one of {', '.join(export.FORMAT_NAMES)}"])
    if language not in ("zh", "en"):
        _fail([f"Error: --language must be zh or en, not {language!r}"])
    _checked_out(out_file)
    partial = out_file.with_name(f".{out_file.name}.partial")
    try:
        count = export.write_file(partial, fmt, round_code=round_code, language=language)
        partial.replace(out_file)
    except (NotFound, SurveyError) as err:
        _fail([f"Error: {err}; nothing was written"])
    except OSError as err:
        _fail([f"Error: cannot write {out_file}: {err.strerror or err}"])
    finally:
        partial.unlink(missing_ok=True)
    audit.record(Action.EXPORT_RESPONSES, detail={"file": str(out_file), "format": fmt, "round": round_code,
                                                  "responses": count}, commit=True)
    click.echo(f"{count} responses written to {out_file} ({fmt})")


@click.command("export-codebook")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--round", "round_code", default=None, help="the round whose export it describes")
@with_appcontext
def export_codebook_command(out_dir: Path, round_code: str | None):
    """Write codebook.xlsx and datapackage.json (describing responses.csv, the CSV export) to a folder."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        table = export.open_table(round_code=round_code)
        export.write_codebook(table, out_dir / "codebook.xlsx")
        export.write_datapackage(table, out_dir / "datapackage.json")
    except NotFound as err:
        _fail([f"Error: {err}"])
    except OSError as err:
        _fail([f"Error: cannot write to {out_dir}: {err.strerror or err}"])
    click.echo(f"{out_dir / 'codebook.xlsx'} and {out_dir / 'datapackage.json'} written "
               f"({len(table.items)} items)")


@click.command("create-admin")
@click.argument("username")
@with_appcontext
def create_admin_command(username: str):
    """Create an administrator with a random password (printed once)."""
    try:
        user, password = users.create_admin(username)
    except AlreadyExists as err:
        _fail([f"Error: {err}; to set a new password: flask --app wsgi reset-password {username}"])
    except SurveyError as err:
        _fail([f"Error: {err}"])
    click.echo(f"Administrator created: {user.username}")
    click.echo(f"Password (shown only this once, write it down): {password}")


@click.command("reset-password")
@click.argument("username")
@with_appcontext
def reset_password_command(username: str):
    """Give a user a new random password (printed once)."""
    try:
        password = users.reset_password(username)
    except NotFound as err:
        _fail([f"Error: {err}"])
    click.echo(f"New password for {username} (shown only this once): {password}")


commands = [
    demo_command, import_frame_command, check_questionnaire_command, export_qr_command,
    export_responses_command, export_codebook_command, create_admin_command, reset_password_command,
    *round_commands, *weight_commands, *rate_commands,
]
