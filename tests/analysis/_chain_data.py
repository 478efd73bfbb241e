"""The synthetic rounds of tests/analysis/data/chain_*.csv (make_chain_data.py) and the chain our tests run on them."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from analysis import Margin, weight_chain
from tests.analysis._reference import load, numeric

NUMERIC = ("probability", "fpc", "H1", "S2", "S3", "A1", "Q1")


def round_data(name: str) -> dict:
    """Column -> array for the households of one round (NaN where a non-respondent has no answer)."""
    columns = load("chain_households.csv")
    keep = columns["round"] == name
    out = {k: v[keep] for k, v in columns.items()}
    for k in NUMERIC:
        out[k] = numeric(out[k])
    return out


def round_margins(name: str) -> list[Margin]:
    totals = defaultdict(dict)
    m = load("chain_margins.csv")
    for rnd, scope, variable, category, total in zip(m["round"], m["scope"], m["variable"], m["category"],
                                                     m["total"], strict=True):
        if rnd == name:
            totals[(scope, variable)][category] = float(total)
    return [Margin(scope, variable, t) for (scope, variable), t in totals.items()]


def run_chain(name: str, trim=None, **kw):
    """Our chain with the settings of weight_chain.R (cap 4, at least 5 respondents per class)."""
    d = round_data(name)
    values = {k: np.where(np.isnan(d[k]), np.nan, d[k]) for k in ("S2", "S3")}
    return d, weight_chain(base_weight=1 / d["probability"], outcome=d["outcome"], community=d["community"],
                           street=d["street"], district=d["district"], adults=d["H1"], values=values,
                           margins=round_margins(name), cap=4, min_respondents=5, trim=trim, **kw)
