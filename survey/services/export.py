"""Exports: responses as streaming CSV (one row per response, one column per item) and household QR files.

One query (responses joined to their answers, ordered by response) read through a server-side
cursor in batches, written row by row: memory stays constant whatever the number of responses.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import Answer, Community, Household, QuestionnaireVersion, Response, Token
from . import communities, qr, rounds, versions
from .tokens import url_for_token

FIXED_COLUMNS = ("response_id", "community", "household", "mode", "status", "submitted_at",
                 "questionnaire_version")
BATCH = 1000


def columns(code: str | None = None) -> tuple[list[QuestionnaireVersion], list[str]]:
    """The versions of questionnaire ``code`` (default: the current one) and the export header.

    Item columns follow the current version's order; items only older versions asked come after,
    newest version first, so a file always has every answer.
    """
    current = versions.current_version(code)
    published = list(db.session.scalars(
        select(QuestionnaireVersion).filter_by(code=current.code).order_by(QuestionnaireVersion.id.desc())
    ))
    items: list[str] = []
    for version in published:
        items.extend(q.code for q in versions.definition(version).items if q.code not in items)
    return published, [*FIXED_COLUMNS, *items]


def iter_rows(code: str | None = None) -> Iterator[list[str]]:
    """The header, then one list of cells per response of every version of the questionnaire."""
    try:
        published, header = columns(code)
    except NotFound:
        yield list(FIXED_COLUMNS)
        return
    yield header
    position = {item: i for i, item in enumerate(header)}
    query = (
        select(Response.id, Response.public_id, Community.code, Response.household_id, Response.mode,
               Response.status, Response.submitted_at, QuestionnaireVersion.version,
               Answer.item, Answer.value)
        .join(Community, Community.id == Response.community_id)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Response.questionnaire_version_id)
        .outerjoin(Answer, Answer.response_id == Response.id)
        .where(Response.questionnaire_version_id.in_([v.id for v in published]))
        .order_by(Response.id, Answer.id)
        .execution_options(yield_per=BATCH)
    )
    result = db.session.execute(query)
    for _id, rows in groupby(result, key=lambda row: row[0]):
        first = next(rows)
        cells = [""] * len(header)
        cells[:7] = [first[1], first[2], "" if first[3] is None else str(first[3]), first[4], first[5],
                     _iso_utc(first[6]), first[7]]
        for row in (first, *rows):
            if row[8] is not None and row[8] in position:
                cells[position[row[8]]] = row[9]
        yield cells


def write_responses(out: TextIO, code: str | None = None) -> int:
    """Write the CSV export to ``out``; return the number of responses written."""
    writer = csv.writer(out)
    count = -1
    for cells in iter_rows(code):
        writer.writerow(cells)
        count += 1
    return count


def stream_responses(code: str | None = None, *, bom: bool = True) -> Iterator[str]:
    """The CSV export as text chunks for a streamed HTTP response (with a BOM, for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if bom:
        buffer.write("\ufeff")
    for n, cells in enumerate(iter_rows(code), start=1):
        writer.writerow(cells)
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC with a ``Z``; SQLite gives back naive datetimes that were stored as UTC."""
    if moment is None:
        return ""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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
    ``index.csv`` listing them (for mail merge)."""
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
        writer.writerows((i.household, i.building, i.unit, i.url, i.file) for i in written)
    return written


def _file_name(*parts_and_id) -> str:
    """``C001_3_1-302_17.png``: word characters and '-' only (no path separators, dots or spaces)."""
    *parts, household_id = parts_and_id
    safe = [re.sub(r"[^\w-]+", "-", part).strip("-")[:40] or "x" for part in parts]
    return "_".join([*safe, str(household_id)]) + ".png"
