"""The synthetic rounds of tests/analysis/data/chain_*.csv (make_chain_data.py) and the chain our tests run on them."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from analysis import Margin, weight_chain

DATA = Path(__file__).resolve().parent / "data"
NUMERIC = ("probability", "fpc", "H1", "S2", "S3", "A1", "Q1")


def _read(name):
    with open(DATA / name, newline="") as f:
        return list(csv.DictReader(f))


def round_data(name: str) -> dict:
    """Column -> array for the households of one round (NaN where a non-respondent has no answer)."""
    rows = [r for r in _read("chain_households.csv") if r["round"] == name]
    out = {k: np.array([r[k] for r in rows], dtype=object) for k in rows[0]}
    for k in NUMERIC:
        out[k] = np.array([float(v) if v != "" else np.nan for v in out[k]])
    return out


def round_margins(name: str) -> list[Margin]:
    totals = defaultdict(dict)
    for r in _read("chain_margins.csv"):
        if r["round"] == name:
            totals[(r["scope"], r["variable"])][r["category"]] = float(r["total"])
    return [Margin(scope, variable, t) for (scope, variable), t in totals.items()]


def run_chain(name: str, trim=None, **kw):
    """Our chain with the settings of weight_chain.R (cap 4, at least 5 respondents per class)."""
    d = round_data(name)
    values = {k: np.where(np.isnan(d[k]), np.nan, d[k]) for k in ("S2", "S3")}
    return d, weight_chain(base_weight=1 / d["probability"], outcome=d["outcome"], community=d["community"],
                           street=d["street"], district=d["district"], adults=d["H1"], values=values,
                           margins=round_margins(name), cap=4, min_respondents=5, trim=trim, **kw)
