"""The Python API on data frames: ``Design(..., data=df)`` with column names, and Series as arrays.

Every case of topic ``estimates`` of reference.json (r/estimates.R; the R call is in the test id) is run again with
the data set read by pandas, polars, pyarrow and through the DataFrame interchange protocol, giving columns by
name, and must give R's numbers as the array form does (tests/analysis/test_r_reference.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.csv
import pytest

from analysis import AnalysisError, Design, code_rate, composite, mean, poststratify, proportion, total
from tests.analysis._reference import DATA_DIR, reference
from tests.analysis.test_r_reference import as_list, r_differs

CASES = reference("estimates")["cases"]


class Interchange:
    """Only the DataFrame interchange protocol (``__dataframe__``) of a pandas frame, nothing else."""

    def __init__(self, frame):
        self._frame = frame

    def __dataframe__(self, nan_as_null=False, allow_copy=True):
        return self._frame.__dataframe__(nan_as_null=nan_as_null, allow_copy=allow_copy)


def read(name: str, kind: str):
    path = DATA_DIR / name
    if kind == "pandas":
        return pd.read_csv(path, keep_default_na=False, na_values=[""])
    if kind == "pandas-nullable":  # Int64 / string dtypes with pd.NA
        return pd.read_csv(path, keep_default_na=False, na_values=[""]).convert_dtypes()
    if kind == "polars":
        return pl.read_csv(path)
    if kind == "pyarrow":
        return pyarrow.csv.read_csv(path)
    if kind == "interchange":
        return Interchange(pd.read_csv(path, keep_default_na=False, na_values=[""]))
    table = pyarrow.csv.read_csv(path)
    return {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}


KINDS = ["pandas", "pandas-nullable", "polars", "pyarrow", "interchange", "mapping"]


def run(case, frame):
    design = Design(data=frame, lonely_psu=case["lonely_psu"], **case["py_design"])
    by, kind = case["by"], case["kind"]
    if kind == "mean":
        return mean(case["variable"], design, domain=by)
    if kind == "total":
        return total(case["variable"], design, domain=by)
    if kind == "proportion":
        return proportion(case["variable"], design, case["value"], domain=by, ci_method=case["ci_method"])
    items = [code_rate(design.data.array(name), "Yes") for name in case["items"]]
    return composite(items, design, item_weights=case["item_weights"], domain=by, ci_method="mean")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=[f"{c['design']}: {c['r_call'][:80]}" for c in CASES])
def test_data_frames_match_r(case, kind):
    result = run(case, read(case["data"], kind))
    if case["by"]:
        assert list(result.labels) == case["levels"]
    for field in ("estimate", "se", "ci_low", "ci_high", "deff"):
        if field not in case:
            continue
        expected = np.array([np.nan if v is None else v for v in as_list(case[field])], dtype=float)
        got = np.atleast_1d(getattr(result, field))
        if field.startswith("ci_") and case["kind"] == "proportion":
            known = r_differs(case, result)
            got, expected = got[~known], expected[~known]
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10, err_msg=f"{field}: {case['r_call']}")
    np.testing.assert_array_equal(np.atleast_1d(result.n), as_list(case["n"]))


def test_series_with_missing_values_are_arrays():
    """pandas nullable and polars Series (with nulls) as arrays: missing leaves the domain, as NaN does."""
    y = [3.0, None, 5.0, 1.0]
    w = [1.0, 2.0, 1.0, 2.0]
    expected = mean(np.array([3.0, np.nan, 5.0, 1.0]), Design(np.array(w)))
    for series in (pd.Series(y, dtype="Float64"), pl.Series(y), pd.Series([3, None, 5, 1], dtype="Int64")):
        got = mean(series, Design(pd.Series(w)))
        assert (got.estimate, got.se, got.n) == pytest.approx((expected.estimate, expected.se, expected.n))


def test_categorical_and_text_labels_are_factorised_sorted():
    frame = pd.DataFrame({"w": [1.0, 1.0, 2.0, 2.0], "y": [1.0, 0.0, 1.0, 1.0],
                          "community": pd.Categorical(["C10", "C02", "C10", None], categories=["C10", "C02", "C99"])})
    design = Design("w", data=frame)
    result = proportion("y", design, domain="community")
    assert result.labels == ("C02", "C10")  # sorted, unused category C99 and the missing label left out
    assert result["C10"].estimate == pytest.approx(1.0) and result["C02"].n == 1


def test_weighting_takes_series():
    frame = pl.DataFrame({"w": [1.0, 1.0, 1.0, 1.0], "sex": ["m", "f", "f", "f"]})
    calibrated = poststratify(frame["w"], frame["sex"], {"m": 50.0, "f": 50.0}, name="sex")
    np.testing.assert_allclose(calibrated.weights, [50.0, 50 / 3, 50 / 3, 50 / 3])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: Design("w", data=pd.DataFrame([[1.0, 2.0]], columns=["w", "w"])),
     "column name 'w' appears more than once"),
    (lambda: Design("weight", data=pd.DataFrame({"w": [1.0]})), "unknown column 'weight' in data (columns: w)"),
    (lambda: Design("w"), "weights: 'w' is a column name but the design has no data="),
    (lambda: mean("y", Design([1.0, 2.0])), "y: 'y' is a column name but the design has no data="),
    (lambda: Design("w", data=object()), "expected a DataFrame"),
    (lambda: mean("s", Design("w", data=pl.DataFrame({"w": [1.0], "s": ["a"]}))), "column 's': non-numeric value"),
])
def test_errors_name_the_column(call, message):
    with pytest.raises(AnalysisError, match=None) as info:
        call()
    assert message in str(info.value)
