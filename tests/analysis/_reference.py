"""The one loader of tests/analysis/: data sets of data/ and R's reference values of reference.json.

Every CSV data set lives once in ``tests/analysis/data/`` (written by the generators in ``r/``); every R number
lives in ``tests/analysis/reference.json``, written by the one command
``Rscript tests/analysis/r/make_reference.R`` as ``{"<topic>": ...}`` with one R file per topic in ``r/``
(``estimates``: r/estimates.R, ``weighting``: r/weighting.R, ``weight_chain``: r/weight_chain.R).
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
DATA_DIR = HERE / "data"
REFERENCE = HERE / "reference.json"


@cache
def load(name: str) -> dict[str, np.ndarray]:
    """Columns of data/<name> (e.g. ``"apiclus1.csv"``) as arrays of text ('' = missing, R's ``na.strings=""``)."""
    with open(DATA_DIR / name, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {key: np.array([row[key] for row in rows], dtype=object) for key in rows[0]}


def numeric(column: np.ndarray) -> np.ndarray:
    """A text column as floats, '' (missing) as NaN."""
    return np.array([float(v) if v != "" else np.nan for v in column])


@cache
def _reference_file() -> dict:
    return json.loads(REFERENCE.read_text())


def reference(topic: str) -> dict:
    """R's values of one topic of reference.json (``"estimates"``, ``"weighting"``, ...)."""
    return _reference_file()[topic]
