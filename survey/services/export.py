"""Exports: the responses in every file format (entry points over ``export_table`` / ``export_files``) and the
household QR files with their ``index.csv``."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from ..extensions import db
from ..models import Household, Token
from . import communities, qr, rounds
from .export_codebook import datapackage, write_codebook, write_datapackage
from .export_csv import csv_chunks, write_csv
from .export_files import FORMATS
from .export_table import ExportError, open_table
from .spreadsheet import safe_text
from .tokens import url_for_token

FORMAT_NAMES = tuple(FORMATS)
__all__ = ["FORMATS", "FORMAT_NAMES", "ExportError", "QrFile", "datapackage", "open_table", "stream_csv",
           "write_codebook", "write_datapackage", "write_file", "write_household_qr", "write_responses"]


def write_responses(out: TextIO, code: str | None = None, *, bom: bool = False) -> int:
    """Write the CSV export of questionnaire ``code`` (default: the current one) to ``out``; the number of
    responses written."""
    return write_csv(open_table(code), out, bom=bom)


def write_file(path: Path, fmt: str, *, code: str | None = None, round_code: str | None = None,
               language: str = "zh") -> int:
    """Write the export in format ``fmt`` (a key of FORMATS) to ``path``; the number of responses written.

    Raises NotFound for an unknown round, ExportError for a stored answer the typed formats cannot read,
    KeyError never (the caller checks ``fmt``)."""
    table = open_table(code, round_code=round_code, language=language)
    return FORMATS[fmt].write(table, path)


def stream_csv(*, bom: bool, round_code: str | None = None) -> Iterator[bytes]:
    """The CSV export of the current questionnaire as byte chunks (for a streamed download)."""
    return csv_chunks(open_table(round_code=round_code), bom=bom)


@dataclass(frozen=True)
class QrFile:
    household: int
    building: str
    unit: str
    url: str
    file: str


QR_INDEX_COLUMNS = ("household", "building", "unit", "url", "file")


def write_household_qr(community_code: str, out_dir: Path, *, box_size: int = 10) -> list[QrFile]:
    """One PNG per household link of a community in the current round (its released sampled households), and
    ``index.csv`` listing them (for mail merge; building and unit made spreadsheet-safe, see ``spreadsheet.py``)."""
    community = communities.get(community_code)
    query = (
        select(Household.id, Household.building, Household.unit, Token.token)
        .join(Token, Token.household_id == Household.id)
        .where(Household.community_id == community.id, Token.round_id == rounds.current().id)
    )
    rows = sorted(db.session.execute(query),
                  key=lambda r: (communities.natural_key(r[1]), communities.natural_key(r[2])))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for hid, building, unit, secret in rows:
        item = QrFile(hid, building, unit, url_for_token(secret), _file_name(community.code, building, unit, hid))
        (out_dir / item.file).write_bytes(qr.png(item.url, box_size=box_size))
        written.append(item)
    with (out_dir / "index.csv").open("w", encoding="utf-8-sig", newline="") as index:
        writer = csv.writer(index)
        writer.writerow(QR_INDEX_COLUMNS)
        writer.writerows((i.household, safe_text(i.building), safe_text(i.unit), i.url, i.file) for i in written)
    return written


def _file_name(*parts_and_id) -> str:
    """``C001_3_1-302_17.png``: word characters and '-' only (no path separators, dots or spaces)."""
    *parts, household_id = parts_and_id
    safe = [re.sub(r"[^\w-]+", "-", part).strip("-")[:40] or "x" for part in parts]
    return "_".join([*safe, str(household_id)]) + ".png"
