"""The data sets and R reference values of the weighting tests (written by weighting/make_reference.R)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "weighting"
REF = json.loads((HERE / "reference.json").read_text())
POP = REF["populations"]


def load(name: str) -> dict[str, np.ndarray]:
    with open(HERE / f"{name}.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {key: np.array([row[key] for row in rows]) for key in rows[0]}


DATA = {name: load(name) for name in ("apistrat", "apiclus1", "synthetic")}


def num(data, column):
    return data[column].astype(float)
