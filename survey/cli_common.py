"""What every command says when it refuses: one home for the shape of a refusal (one line, or a file's rows)."""

from __future__ import annotations

from pathlib import Path

import click

from .errors import FileRefused


def fail(message: str) -> None:
    """``Error: message`` on stderr and exit status 1 (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    raise click.exceptions.Exit(1)


def refused(file: Path, err: FileRefused, *, nothing: str = "nothing was loaded") -> None:
    """A file refused as a whole: every row and reason on stderr, exit status 1."""
    click.echo(f"{file}: refused, {nothing} ({len(err.problems)} problems):", err=True)
    for row, reason in err.problems:
        click.echo(f"  row {row}: {reason}" if row else f"  {reason}", err=True)
    raise click.exceptions.Exit(1)


def round_named(code: str | None):
    """The round ``code`` (``--round``), or a one-line refusal."""
    from .errors import RoundError
    from .services import rounds

    if not code:
        fail("--round is required")
    try:
        return rounds.get(code)
    except RoundError as err:
        fail(str(err))


def write_text(out_file: str | Path, write, *, encoding: str = "utf-8") -> int:
    """Write a text file whole by ``write(stream) -> count``: built in memory first, so a refused path (missing
    folder, no permission) is one line and leaves nothing half-written."""
    import io

    buffer = io.StringIO()
    count = write(buffer)
    try:
        Path(out_file).write_text(buffer.getvalue(), encoding=encoding, newline="")
    except OSError as err:
        fail(f"cannot write {out_file}: {err.strerror or err}")
    return count
