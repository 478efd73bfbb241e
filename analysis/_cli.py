"""``python -m analysis estimate DATA ...``: weighted estimates from a data file, as JSON or CSV.

The only I/O of the package: ``_cli_read`` reads the file (pyarrow / pyreadstat), ``_cli_targets`` says what to
estimate. Errors print one line on stderr and exit with status 2 (no traceback); warnings print
``analysis: warning: ...`` lines on stderr and the estimates are still written. Heavy modules (pyarrow, pyreadstat,
questionnaires) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._design import LONELY_PSU
from ._errors import AnalysisError
from ._intervals import CI_METHODS

EPILOG = """\
DATA is a .csv, .csv.gz, .parquet, .sav or .dta file (by extension); an empty cell is a missing value: it leaves
that variable's domain, not the design. A column name that appears twice in DATA is an error.
--ci-method applies to rates (--proportion, rate indicators). A mean or a score always gets the Wald interval with
the design's degrees of freedom, mean +/- t_df * se (R: confint(svymean(...), df=degf(design))).
MARGINS.csv has the header COL,total and one row per level with its population total. --rake takes one margin
per flag or several after one flag (both mean the same). Options other than --rake, --mean, --proportion and
--indicator may be given once.
--indicator NAME=ITEM1,ITEM2,... is the mean of the item rates: items coded 0/1, or by their positive sets with
--questionnaire FILE; --indicator CODE (with --questionnaire) is the questionnaire's indicator, and
--questionnaire FILE alone estimates all its indicators.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every other error
        raise AnalysisError(message)


class _Once(argparse.Action):
    """An option that takes one value: given twice is an error, never a silent replacement."""

    def __call__(self, parser, namespace, values, option_string=None):
        given = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:
            raise AnalysisError(f"{option_string} given twice; it takes one value")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _Target(argparse.Action):
    """--mean, --proportion and --indicator share one list so the output keeps the order of the command line."""

    def __call__(self, parser, namespace, value, option_string=None):
        targets = getattr(namespace, "targets", None) or []
        targets.append((self.const, value))
        namespace.targets = targets


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description="Survey estimates matching R's survey package.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser("estimate", help="means, rates and indicators, overall or by domain", epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", metavar="DATA")
    p.add_argument("--weights", metavar="COL", required=True, action=_Once)
    p.add_argument("--strata", metavar="COL", action=_Once)
    p.add_argument("--psu", metavar="COL", action=_Once)
    p.add_argument("--fpc", metavar="COL", action=_Once,
                   help="population PSUs per stratum (> 1) or sampling fractions (<= 1)")
    p.add_argument("--lonely-psu", choices=LONELY_PSU, default="fail", action=_Once)
    cal = p.add_mutually_exclusive_group()
    cal.add_argument("--poststratify", metavar="COL=MARGINS.csv", action=_Once)
    cal.add_argument("--rake", metavar="COL=MARGINS.csv", nargs="+", action="extend")
    p.add_argument("--by", metavar="COL", action=_Once)
    p.add_argument("--mean", metavar="COL", action=_Target, const="mean", dest="targets")
    p.add_argument("--proportion", metavar="COL=VALUE[,VALUE...]", action=_Target, const="proportion",
                   dest="targets")
    p.add_argument("--indicator", metavar="NAME=ITEM1,ITEM2,...", action=_Target, const="indicator",
                   dest="targets")
    p.add_argument("--questionnaire", metavar="FILE", action=_Once,
                   help="questionnaire YAML: its indicators, positive sets and score maps")
    p.add_argument("--ci-method", choices=CI_METHODS, default="logit", action=_Once)
    p.add_argument("--level", type=float, default=0.95, action=_Once)
    p.add_argument("--format", choices=("json", "csv"), default="json", action=_Once)
    return parser


def main(argv: Sequence[str] | None = None, stdout=None, stderr=None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    warnings: list[str] = []
    try:
        args = build_parser().parse_args(argv)
        from ._cli_run import estimate, render

        rows = estimate(args, warnings.append)
    except (ValueError, OSError) as err:  # AnalysisError, WeightingError and pyarrow's errors are ValueErrors
        for message in warnings:
            print(f"analysis: warning: {_one_line(message)}", file=stderr)
        print(f"analysis: error: {_one_line(err)}", file=stderr)
        return 2
    for message in warnings:
        print(f"analysis: warning: {_one_line(message)}", file=stderr)
    stdout.write(render(rows, args.format))
    return 0


def _one_line(err) -> str:
    text = str(err) or type(err).__name__
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: {err.strerror}"
    return " ".join(text.split())
