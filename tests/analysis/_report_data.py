"""The report-card test rounds (data/report_*.csv) as the platform hands them to analysis.report_card.

Definitions mirror ITEMS / INDICATORS of r/report.R; the design mirrors its ``DESIGN_CALL``.
"""

from __future__ import annotations

from functools import cache

from analysis import Design, IndicatorDefinition, ItemDefinition, rake, report_card
from tests.analysis._reference import load, numeric

SCORES = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}
ITEMS = (ItemDefinition("K1", (1,)), ItemDefinition("K2", (1,)), ItemDefinition("S1", (1, 2)),
         ItemDefinition("M1", (1, 2), SCORES), ItemDefinition("M2", (1, 2), SCORES), ItemDefinition("Q1", (), SCORES))
INDICATORS = (IndicatorDefinition("aware", "rate", ("K1", "K2")),
              IndicatorDefinition("satisfied", "rate", ("M1", "M2"), (2, 1)),
              IndicatorDefinition("index", "score", ("M1", "M2", "Q1")))
LEVELS = ("district", "street", "community")


@cache
def round_data(name: str) -> dict:
    """Columns of one round's respondents."""
    data = load("report_respondents.csv")
    rows = data["round"] == name
    return {key: values[rows] for key, values in data.items()}


@cache
def round_design(name: str) -> Design:
    """rake(svydesign(ids=~1, strata=~community, fpc=~fpc, weights=~weight), list(~S3, ~district), ...)."""
    d = round_data(name)
    margins = load("report_margins.csv")
    mine = margins["round"] == name
    targets = {var: {c: float(t) for v, c, t in zip(margins["variable"][mine], margins["category"][mine],
                                                   margins["total"][mine], strict=True) if v == var}
               for var in ("S3", "district")}
    calibrated = rake(numeric(d["weight"]), [("S3", d["S3"], targets["S3"]),
                                             ("district", d["district"], targets["district"])], tol=1e-13)
    return Design(calibrated.weights, strata=d["community"], fpc=numeric(d["fpc"]),
                  calibration=calibrated.calibration)


@cache
def card(name: str):
    d = round_data(name)
    answers = {item.code: numeric(d[item.code]) for item in ITEMS}
    return report_card(round_design(name), answers, ITEMS, INDICATORS, {level: d[level] for level in LEVELS})
