"""Reading and checking a frame file (no database): every problem with its row number.

Row 1 is the header, as a spreadsheet numbers rows; problems of the whole file have row 0.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

COLUMNS = (
    "district_code", "district_name", "street_code", "street_name",
    "community_code", "community_name", "building", "unit", "address",
)
OPTIONAL = frozenset({"address"})
MAX_LENGTH = {
    "district_code": 32, "district_name": 200, "street_code": 32, "street_name": 200,
    "community_code": 32, "community_name": 200, "building": 64, "unit": 64, "address": 500,
}
CODE_COLUMNS = ("district_code", "street_code", "community_code")
# Codes appear in URLs and file names: letters, digits and - _ . only.
CODE_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
BOM = "\ufeff"
# Control characters nobody types into a spreadsheet; PostgreSQL text cannot hold NUL at all, so they are
# refused here, before the database, with the same message on SQLite and PostgreSQL.  Tab and line breaks
# (a multi-line address cell) are kept.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Frame:
    """The checked content of a file: each code's name and parent, each household's address."""

    districts: dict[str, tuple[str, None]] = field(default_factory=dict)  # code -> (name, None)
    streets: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, district code)
    communities: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, street code)
    first_row: dict[tuple[str, str], int] = field(default_factory=dict)  # (level, code) -> row
    households: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)  # -> (row, address)


def read_rows(data: bytes, problems: list) -> list[tuple[int, dict[str, str]]]:
    """Decode and split the file; return (row number, cells by column) for each non-blank data row."""
    try:
        text, utf8 = data.decode("utf-8"), True
    except UnicodeDecodeError:  # keep bad bytes as lone surrogates, to name the rows that hold them
        text, utf8 = data.decode("utf-8", errors="surrogateescape"), False
    text = text.removeprefix(BOM)
    if not text.strip():
        problems.append((0, "the file is empty: expected a header row and one row per household"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error as err:
        problems.append((len(records) + 1, f"the CSV cannot be read here ({err}); check the quotes"))
    undecodable = [] if utf8 else [n for n, rec in records if any(_has_bad_bytes(cell) for cell in rec)]
    if undecodable:
        problems.append((0, "the file is not UTF-8 text: save it from the spreadsheet as "
                            "'CSV UTF-8' (CSV UTF-8 逗号分隔) and load it again"))
        problems.extend((n, "contains bytes that are not UTF-8") for n in undecodable)
    if not records or 1 in undecodable:  # a header that is not text cannot be named in a message
        return []
    header = [name.strip().removeprefix(BOM).strip().lower() for name in records[0][1]]
    if not _check_header(header, problems):
        return []
    bad = set(undecodable)
    rows = []
    for number, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue  # blank lines and the empty rows spreadsheets leave at the end
        if len(record) != len(header):
            problems.append((number, f"{len(record)} values where the header has {len(header)} columns"))
            continue
        if number not in bad:
            rows.append((number, {name: cell.strip() for name, cell in zip(header, record, strict=True)}))
    return rows


_BAD_BYTE = re.compile("[\udc80-\udcff]")


def _has_bad_bytes(cell: str) -> bool:
    return _BAD_BYTE.search(cell) is not None


def _check_header(header: list[str], problems: list) -> bool:
    ok = True
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        problems.append((1, "missing column(s): " + ", ".join(missing)))
        ok = False
    unknown = [name or "(empty)" for name in header if name not in COLUMNS]
    if unknown:
        problems.append((1, "unknown column(s): " + ", ".join(unknown)
                         + "; the header must be " + ",".join(COLUMNS)))
        ok = False
    repeated = sorted({name for name in header if header.count(name) > 1 and name in COLUMNS})
    if repeated:
        problems.append((1, "column(s) given twice: " + ", ".join(repeated)))
        ok = False
    return ok


def check_rows(rows: Iterable[tuple[int, dict[str, str]]], problems: list) -> Frame:
    frame = Frame()
    for number, cells in rows:
        row_problems = _cell_problems(cells)
        if row_problems:
            problems.extend((number, reason) for reason in row_problems)
            continue
        _check_level(frame, "district", cells["district_code"],
                     (cells["district_name"], None), number, problems)
        _check_level(frame, "street", cells["street_code"],
                     (cells["street_name"], cells["district_code"]), number, problems)
        _check_level(frame, "community", cells["community_code"],
                     (cells["community_name"], cells["street_code"]), number, problems)
        key = (cells["community_code"], cells["building"], cells["unit"])
        seen = frame.households.get(key)
        if seen:
            problems.append((number, f"household {key[0]} building {key[1]} unit {key[2]} "
                                     f"already appears on row {seen[0]}"))
        else:
            frame.households[key] = (number, cells["address"])
    return frame


def _cell_problems(cells: dict[str, str]) -> list[str]:
    found = []
    for name in COLUMNS:
        value = cells[name]
        if not value and name not in OPTIONAL:
            found.append(f"{name} is empty")
        elif CONTROL.search(value):
            found.append(f"{name} contains the control character U+{ord(CONTROL.search(value)[0]):04X}; "
                         "remove it")
        elif len(value) > MAX_LENGTH[name]:
            found.append(f"{name} is {len(value)} characters long (at most {MAX_LENGTH[name]})")
        elif name in CODE_COLUMNS and not CODE_SHAPE.match(value):
            found.append(f"{name} {value!r} may hold only letters, digits, '-', '_' and '.'")
    return found


def _check_level(frame: Frame, level: str, code: str, value: tuple, number: int, problems: list) -> None:
    """One code has one name (and one parent) throughout the file."""
    table = {"district": frame.districts, "street": frame.streets, "community": frame.communities}[level]
    stored = table.get(code)
    if stored is None:
        table[code] = value
        frame.first_row[(level, code)] = number
        return
    first = frame.first_row[(level, code)]
    if stored[0] != value[0]:
        problems.append((number, f"{level} {code} is named {value[0]!r} here "
                                 f"but {stored[0]!r} on row {first}"))
    if stored[1] != value[1]:
        parent = "district" if level == "street" else "street"
        problems.append((number, f"{level} {code} is in {parent} {value[1]} here but in {parent} "
                                 f"{stored[1]} on row {first}"))
