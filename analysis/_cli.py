"""``python -m analysis estimate DATA.csv ...``: weighted estimates from a CSV file, as JSON or CSV.

The only I/O of the package. Errors print one line on stderr and exit with status 2 (no traceback).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from collections.abc import Sequence

import numpy as np

from ._calibration import poststratify, rake
from ._checks import AnalysisError, as_numeric, check_weights, label
from ._design import LONELY_PSU, Design
from ._estimators import mean, proportion
from ._intervals import CI_METHODS
from ._results import FIELDS, DomainEstimates

COLUMNS = ("variable", "domain", *FIELDS)
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")

EPILOG = """\
--ci-method applies to rates (--proportion). A mean always gets the Wald interval with the design's
degrees of freedom, mean +/- t_df * se (R: confint(svymean(...), df=degf(design))), whatever --ci-method says.
MARGINS.csv has the header COL,total and one row per level with its population total.
An empty cell is a missing value: it leaves that variable's domain, not the design.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every other error
        raise AnalysisError(message)


class _Target(argparse.Action):
    """--mean and --proportion share one list so the output keeps the order of the command line."""

    def __call__(self, parser, namespace, value, option_string=None):
        targets = getattr(namespace, "targets", None) or []
        targets.append((self.const, value))
        namespace.targets = targets


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description="Survey estimates matching R's survey package.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser("estimate", help="means and rates, overall or by domain", epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", metavar="DATA.csv")
    p.add_argument("--weights", metavar="COL", required=True)
    p.add_argument("--strata", metavar="COL")
    p.add_argument("--psu", metavar="COL")
    p.add_argument("--fpc", metavar="COL", help="population PSUs per stratum (> 1) or sampling fractions (<= 1)")
    p.add_argument("--lonely-psu", choices=LONELY_PSU, default="fail")
    cal = p.add_mutually_exclusive_group()
    cal.add_argument("--poststratify", metavar="COL=MARGINS.csv")
    cal.add_argument("--rake", metavar="COL=MARGINS.csv", nargs="+")
    p.add_argument("--by", metavar="COL")
    p.add_argument("--mean", metavar="COL", action=_Target, const="mean", dest="targets")
    p.add_argument("--proportion", metavar="COL=VALUE[,VALUE...]", action=_Target, const="proportion",
                   dest="targets")
    p.add_argument("--ci-method", choices=CI_METHODS, default="logit")
    p.add_argument("--level", type=float, default=0.95)
    p.add_argument("--format", choices=("json", "csv"), default="json")
    return parser


def main(argv: Sequence[str] | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if not args.targets:
            raise AnalysisError("nothing to estimate: give --mean COL or --proportion COL=VALUE")
        rows = estimate(args)
    except (ValueError, OSError, csv.Error) as err:  # AnalysisError and WeightingError are ValueErrors
        print(f"analysis: error: {_one_line(err)}", file=stderr)
        return 2
    stdout.write(_render(rows, args.format))
    return 0


def estimate(args) -> list[dict]:
    table = _Table.read(args.data)
    design = _design(table, args)
    domain = table.labels(args.by) if args.by else None
    rows = []
    for kind, spec in args.targets:
        if kind == "mean":
            result = mean(table.numeric(spec), design, domain=domain, level=args.level)
        else:
            column, values = _split(spec, "--proportion", "COL=VALUE")
            y, codes = table.codes(column, values.split(","))
            result = proportion(y, design, codes, domain=domain, ci_method=args.ci_method, level=args.level)
        rows.extend(_rows(spec, result))
    return rows


def _design(table: _Table, args) -> Design:
    weights = check_weights(table.numeric(args.weights), f"--weights column {args.weights!r}")
    calibrated = None
    if args.poststratify:
        column, path = _split(args.poststratify, "--poststratify", "COL=MARGINS.csv")
        calibrated = poststratify(weights, table.text(column), _margins(path, column), name=column)
    elif args.rake:
        margins = []
        for spec in args.rake:
            column, path = _split(spec, "--rake", "COL=MARGINS.csv")
            margins.append((column, table.text(column), _margins(path, column)))
        calibrated = rake(weights, margins)
    return Design(
        calibrated.weights if calibrated else weights,
        strata=table.required(args.strata) if args.strata else None,
        psu=table.required(args.psu) if args.psu else None,
        fpc=table.numeric(args.fpc) if args.fpc else None,
        lonely_psu=args.lonely_psu,
        calibration=calibrated.calibration if calibrated else None,
    )


class _Table:
    """A CSV file held as columns of text; '' is a missing value."""

    def __init__(self, path: str, header: list[str], columns: list[list[str]]):
        self.path, self.header, self.columns = path, header, columns

    @classmethod
    def read(cls, path: str) -> _Table:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                raise AnalysisError(f"{path}: empty file")
            rows = list(reader)
        bad = next((i for i, row in enumerate(rows) if len(row) != len(header)), None)
        if bad is not None:
            raise AnalysisError(f"{path}: row {bad + 2} has {len(rows[bad])} cells, the header has {len(header)}")
        if not rows:
            raise AnalysisError(f"{path}: no data rows")
        return cls(path, header, [list(col) for col in zip(*rows, strict=True)])

    def text(self, name: str) -> np.ndarray:
        if name not in self.header:
            raise AnalysisError(f"unknown column {name!r} in {self.path} (columns: {', '.join(self.header)})")
        return np.array([v.strip() for v in self.columns[self.header.index(name)]])

    def required(self, name: str) -> np.ndarray:
        values = self.text(name)
        empty = np.flatnonzero(values == "")
        if empty.size:
            raise AnalysisError(f"column {name!r}: missing value at row {empty[0] + 1}")
        return values

    def numeric(self, name: str) -> np.ndarray:
        return as_numeric(self.text(name).astype(object), f"column {name!r}")

    def labels(self, name: str) -> np.ndarray:
        """Domain labels: integers when every label is one (so 2 sorts before 10), else text."""
        values = self.text(name)
        if all(v == "" or _INTEGER.fullmatch(v) for v in values):
            return np.array([float(v) if v else np.nan for v in values])
        return values.astype(object)

    def codes(self, name: str, values: list[str]) -> tuple[np.ndarray, list]:
        """The column and the codes to count, compared as numbers when both are numbers (1 == 1.0)."""
        text = self.text(name)
        try:
            return as_numeric(text.astype(object), name), [float(v) for v in values]
        except (AnalysisError, ValueError):
            return text.astype(object), values


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


def _split(spec: str, option: str, form: str) -> tuple[str, str]:
    column, sep, rest = spec.partition("=")
    if not sep or not column or not rest:
        raise AnalysisError(f"{option}: expected {form}, got {spec!r}")
    return column, rest


def _rows(variable: str, result) -> list[dict]:
    if isinstance(result, DomainEstimates):
        return [{"variable": variable, "domain": label(level), **est.as_dict()} for level, est in result.items()]
    return [{"variable": variable, "domain": None, **result.as_dict()}]


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _render(rows: list[dict], fmt: str) -> str:
    rows = [{k: _clean(v) for k, v in row.items()} for row in rows]
    if fmt == "json":
        return json.dumps({"estimates": rows}, indent=2, allow_nan=False) + "\n"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _one_line(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: {err.strerror}"
    return " ".join(text.split())
