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
