"""``python -m analysis estimate``: read the columns it needs, build the design, estimate, render."""

from __future__ import annotations

import csv
import io
import json
import math

from ._calibration import poststratify, rake
from ._checks import label
from ._cli_read import read_table
from ._cli_targets import estimate_target, plan, split
from ._design import Design
from ._errors import AnalysisError
from ._results import FIELDS, DomainEstimates

__all__ = ["COLUMNS", "estimate", "render"]

COLUMNS = ("variable", "domain", *FIELDS)


def estimate(args, warn) -> list[dict]:
    """Output rows (dicts with ``COLUMNS``) for the targets of ``args``, in command-line order."""
    targets = plan(args.targets or [], args.questionnaire)
    margins = _margin_specs(args)
    design_columns = [c for c in (args.weights, args.strata, args.psu, args.fpc) if c]
    text = {column for column, _ in margins} | ({args.by} if args.by else set())
    needed = [*design_columns, *text, *(c for t in targets for c in t.columns)]
    data = read_table(args.data, needed, text)
    design = _design(data, args, margins)
    domain = args.by  # a column name: when it is also --strata, the design's coding is reused
    rows = []
    for target in targets:
        result = estimate_target(target, data, design, domain, args, warn)
        rows.extend(_rows(target.variable, result))
    return rows


def _margin_specs(args) -> list[tuple[str, str]]:
    if args.poststratify:
        return [split(args.poststratify, "--poststratify", "COL=MARGINS.csv")]
    specs = [split(spec, "--rake", "COL=MARGINS.csv") for spec in args.rake or []]
    seen = [column for column, _ in specs]
    twice = next((column for column in seen if seen.count(column) > 1), None)
    if twice:
        raise AnalysisError(f"--rake: column {twice!r} has two margins")
    return specs


def _design(data, args, margins: list[tuple[str, str]]) -> Design:
    design = Design(args.weights, strata=args.strata, psu=args.psu, fpc=args.fpc, lonely_psu=args.lonely_psu,
                    data=data)
    if not margins:
        return design
    groups = [(column, data.factor(column), _margins(path, column)) for column, path in margins]
    if args.poststratify:
        calibrated = poststratify(design.weights, groups[0][1], groups[0][2], name=groups[0][0])
    else:
        calibrated = rake(design.weights, groups)
    return Design(calibrated.weights, strata=args.strata, psu=args.psu, fpc=args.fpc, lonely_psu=args.lonely_psu,
                  calibration=calibrated.calibration, data=data)


def _margins(path: str, column: str) -> dict[str, float]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows or [h.strip() for h in rows[0]] != [column, "total"]:
        raise AnalysisError(f"{path}: the header must be '{column},total'")
    totals: dict[str, float] = {}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            raise AnalysisError(f"{path}: row {i} has {len(row)} cells, expected 2")
        level = row[0].strip()
        if level in totals:
            raise AnalysisError(f"{path}: level {level!r} appears twice")
        try:
            totals[level] = float(row[1])
        except ValueError:
            raise AnalysisError(f"{path}: row {i}: total {row[1]!r} of level {level!r} is not a number") from None
    return totals


def _rows(variable: str, result) -> list[dict]:
    if isinstance(result, DomainEstimates):  # field by field: a thousand domains are a thousand rows
        fields = [getattr(result, name).tolist() for name in FIELDS]
        return [{"variable": variable, "domain": label(level), **dict(zip(FIELDS, values, strict=True))}
                for level, *values in zip(result.levels, *fields, strict=True)]
    return [{"variable": variable, "domain": None, **result.as_dict()}]


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def render(rows: list[dict], fmt: str) -> str:
    """JSON ``{"estimates": [...]}`` or CSV with the header ``COLUMNS``; NaN and inf as null / empty."""
    rows = [{k: _clean(v) for k, v in row.items()} for row in rows]
    if fmt == "json":  # one estimate per line, each by json's C encoder (indent= would use the Python one)
        lines = ",\n".join(json.dumps(row, allow_nan=False) for row in rows)
        return '{"estimates": [\n' + lines + "\n]}\n" if rows else '{"estimates": []}\n'

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return out.getvalue()
