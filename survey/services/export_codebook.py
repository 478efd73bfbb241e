"""The codebook of an export: a spreadsheet (fixed columns; one row per item with its question, type, answers,
positive set, score map, skip rule and indicators; one row per answer) and a Frictionless ``datapackage.json``
(Tabular Data Package, https://specs.frictionlessdata.io/tabular-data-package/) describing the CSV export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import questionnaires as qn
from questionnaires import NUMERIC

from . import versions
from .export_table import FIXED, Table
from .spreadsheet import is_formula

ITEM_HEADER = ("item", "columns", "question_zh", "question_en", "type", "answer_codes", "answer_labels_zh",
               "answer_labels_en", "positive", "scores", "skip_rule", "indicators")
ANSWER_HEADER = ("item", "code", "label_zh", "label_en", "positive", "score")
FIXED_HEADER = ("column", "kind", "label_zh", "label_en", "source")
CSV_NOTE = ("UTF-8 CSV, one row per response. A text cell that a spreadsheet would read as a formula (it begins "
            "with =, +, -, @, a tab or a carriage return) is written with a leading ' (formula safety); "
            "multiple-choice answers are codes joined by ';' in ascending order.")


def _indicators(table: Table) -> dict[str, list[str]]:
    """Item code -> codes of the indicators (of the current version) it belongs to."""
    member: dict[str, list[str]] = {}
    if table.code is None:
        return member
    for indicator in versions.definition(versions.current_version(table.code)).indicators:
        for item, _weight in indicator.items:
            member.setdefault(item, []).append(indicator.code)
    return member


def item_rows(table: Table) -> list[tuple[str, ...]]:
    """The ``items`` sheet: one row per item."""
    member = _indicators(table)
    rows = []
    for q in table.items:
        rows.append((
            q.code, ";".join(c.name for c in q.kind.columns(q)), q.label.zh, q.label.en, q.type,
            ";".join(str(code) for code in q.codes),
            "; ".join(f"{c.code}={c.label.zh}" for c in q.choices),
            "; ".join(f"{c.code}={c.label.en}" for c in q.choices),
            ";".join(str(code) for code in sorted(q.positive)),
            "; ".join(f"{code}={points:g}" for code, points in q.scores.items()),
            q.relevant.source if q.relevant else "", ";".join(member.get(q.code, ()))))
    return rows


def answer_rows(table: Table) -> list[tuple[Any, ...]]:
    """The ``answers`` sheet: one row per answer code of every choice item."""
    return [(q.code, c.code, c.label.zh, c.label.en, int(c.code in q.positive), q.scores.get(c.code))
            for q in table.items for c in q.choices]


def write_codebook(table: Table, path: Path) -> None:
    """The codebook spreadsheet (sheets ``items``, ``answers``, ``fixed columns``)."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False}) as book:
        quoted, bold = book.add_format({"quote_prefix": True}), book.add_format({"bold": True})
        fixed = [(f.name, f.kind, f.label.zh, f.label.en, f.source) for f in FIXED]
        for name, header, rows in (("items", ITEM_HEADER, item_rows(table)),
                                   ("answers", ANSWER_HEADER, answer_rows(table)),
                                   ("fixed columns", FIXED_HEADER, fixed)):
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, header, bold)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, str):
                        sheet.write_string(r, c, value, quoted if is_formula(value) else None)
                    elif value is not None:
                        sheet.write_number(r, c, value)


def _field(name: str, kind: str, label: qn.Label, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "title": label.en, "description": label.zh, **extra}


def datapackage(table: Table, csv_name: str = "responses.csv") -> dict[str, Any]:
    """The Frictionless descriptor of the CSV export (fields in the file's order)."""
    fields = [_field(f.name, ("integer" if f.name == "household" else "number") if f.kind == NUMERIC else "string",
                     f.label) for f in FIXED]
    for q in table.items:
        extra: dict[str, Any] = {}
        if q.kind.text_type == "integer" and q.choices:
            extra["constraints"] = {"enum": list(q.codes)}
            extra["valueLabels"] = {str(c.code): c.label.to_dict() for c in q.choices}
        elif q.kind.several:
            extra["constraints"] = {"pattern": "[0-9]+(;[0-9]+)*"}
            extra["valueLabels"] = {str(c.code): c.label.to_dict() for c in q.choices}
        fields.append(_field(q.code, q.kind.text_type, q.label, **extra))
    return {
        "profile": "tabular-data-package",
        "name": (table.code or "responses").lower(),
        "resources": [{
            "name": "responses", "path": csv_name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": CSV_NOTE,
            "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
            "schema": {"fields": fields, "missingValues": [""], "primaryKey": ["response_id"]},
        }],
    }


def write_datapackage(table: Table, path: Path, csv_name: str = "responses.csv") -> None:
    path.write_text(json.dumps(datapackage(table, csv_name), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
