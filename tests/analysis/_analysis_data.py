"""Helpers for the analysis tests: the CSV files that the R scripts in r/ read and wrote."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import numpy as np

R_DIR = Path(__file__).parent / "r"


@cache
def load(name: str) -> dict[str, np.ndarray]:
    """Columns of r/<name> as arrays of text ('' = missing, as R's ``na.strings=""``)."""
    with open(R_DIR / name, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {key: np.array([row[key] for row in rows], dtype=object) for key in rows[0]}


def numeric(column: np.ndarray) -> np.ndarray:
    return np.array([float(v) if v != "" else np.nan for v in column])


@cache
def reference() -> dict:
    return json.loads((R_DIR / "reference.json").read_text())
