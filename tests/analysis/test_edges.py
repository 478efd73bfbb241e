"""Edge cases and input errors: rates of 0 and 1, tiny domains, all-missing items, lonely PSUs, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import (
    AnalysisError,
    Design,
    Estimate,
    code_rate,
    code_score,
    composite,
    mean,
    proportion,
    rate_interval,
    reliability,
    total,
)


@pytest.fixture
def design():
    rng = np.random.default_rng(11)
    strata = np.repeat(["c1", "c2", "c3"], 40)
    psu = np.tile(np.repeat(np.arange(4), 10), 3)
    return Design(rng.uniform(1, 3, 120), strata=strata, psu=psu, fpc=np.full(120, 20.0))


@pytest.mark.parametrize("method", ["logit", "xlogit", "mean", "beta", "wilson"])
def test_rate_of_zero_and_one_get_korn_graubard_with_n(design, method):
    zeros = np.zeros(120)
    est = proportion(zeros, design, ci_method=method)
    assert est.estimate == 0 and est.se == 0
    assert est.ci_low == 0 and est.ci_high == pytest.approx(stats.beta.ppf(0.975, 1, 120))
    assert est.ci_high == pytest.approx(1 - 0.025 ** (1 / 120))
    assert est.n_eff == 120
    ones = proportion(np.ones(120), design, ci_method=method)
    assert ones.ci_high == 1 and ones.ci_low == pytest.approx(0.025 ** (1 / 120))


def test_rate_of_zero_in_one_domain_only(design):
    y = np.r_[np.zeros(40), np.ones(40), np.r_[np.ones(20), np.zeros(20)]]
    by = proportion(y, design, domain=np.repeat(["c1", "c2", "c3"], 40))
    assert by["c1"].ci_low == 0 and by["c1"].ci_high > 0
    assert by["c2"].ci_high == 1 and by["c2"].ci_low < 1
    assert 0 < by["c3"].ci_low < 0.5 < by["c3"].ci_high < 1


def test_domain_inside_one_psu_has_no_interval(design):
    domain = np.where(np.arange(120) < 10, "one-building", "rest")  # rows 0..9: stratum c1, PSU 0
    y = np.random.default_rng(3).normal(size=120)
    est = mean(y, design, domain=domain)["one-building"]
    assert est.df == 0
    assert np.isfinite(est.se) and est.se > 0  # the other PSUs of c1 still count (z = 0 there)
    assert np.isnan(est.ci_low) and np.isnan(est.ci_high)
    rate = proportion((y > 0).astype(float), design, domain=domain)["one-building"]
    assert np.isnan(rate.ci_low) and np.isnan(rate.ci_high)
    assert reliability(rate) == "suppress"


def test_all_missing_item(design):
    est = mean(np.full(120, np.nan), design)
    assert est.n == 0 and np.isnan(est.estimate) and np.isnan(est.se) and np.isnan(est.ci_low)
    by = proportion(np.array([None] * 120, dtype=object), design, "yes", domain=np.repeat(["a", "b"], 60))
    assert list(by.n) == [0, 0] and np.isnan(by.estimate).all()
    items = [np.full(120, np.nan), np.ones(120)]
    assert np.isnan(composite(items, design).estimate)


def test_all_missing_in_one_domain_only(design):
    y = np.r_[np.full(40, np.nan), np.random.default_rng(5).normal(size=80)]
    by = mean(y, design, domain=np.repeat(["c1", "c2", "c3"], 40))
    assert by["c1"].n == 0 and np.isnan(by["c1"].estimate)
    assert by["c2"].n == 40 and np.isfinite(by["c2"].se)


def test_lonely_psu_fail_names_the_stratum():
    design = Design(np.ones(6), strata=["a", "a", "b", "b", "c", "c"], psu=[1, 2, 1, 2, 1, 1])
    with pytest.raises(AnalysisError, match="stratum 'c' has only one PSU"):
        mean(np.arange(6.0), design)
    # like R, domains without members in the lonely stratum are fine; one with members fails
    by = mean(np.arange(6.0), design, domain=np.array(["x", "x", "y", "y", None, None], dtype=object))
    assert np.isfinite(by.se).all()
    with pytest.raises(AnalysisError, match="stratum 'c'"):
        mean(np.arange(6.0), design, domain=["x", "x", "x", "x", "x", "y"])


def test_lonely_psu_policies_differ_as_in_r():
    y = np.array([1.0, 2, 3, 4, 10])
    kw = {"strata": ["a", "a", "b", "b", "c"], "psu": [1, 2, 1, 2, 1]}
    se = {p: mean(y, Design(np.ones(5), lonely_psu=p, **kw)).se for p in ("remove", "certainty", "adjust", "average")}
    assert se["remove"] == se["certainty"]
    assert se["adjust"] > se["remove"]
    assert se["average"] == pytest.approx(se["remove"] * np.sqrt(3 / 2))


def test_certainty_stratum_is_not_lonely():
    # f_h = 1: the stratum is fully sampled and contributes 0, even with one PSU (R's onestrat)
    design = Design(np.ones(4), strata=["a", "a", "b", "b"], psu=[1, 2, 1, 1], fpc=[0.2, 0.2, 1, 1])
    assert np.isfinite(mean(np.array([1.0, 2, 3, 4]), design).se)


def test_rate_interval_df_zero_and_level():
    low, high = rate_interval(0.3, 0.05, 0, 50)
    assert np.isnan(low) and np.isnan(high)
    low90, high90 = rate_interval(0.3, 0.05, 20, 50, level=0.9)
    low95, high95 = rate_interval(0.3, 0.05, 20, 50, level=0.95)
    assert low95 < low90 < 0.3 < high90 < high95


def test_wilson_formula():
    p, se, df = 0.2, 0.04, 30
    t = stats.t.ppf(0.975, df)
    ne = p * (1 - p) / se**2
    centre = (p + t**2 / (2 * ne)) / (1 + t**2 / ne)
    half = t / (2 * ne) * np.sqrt(4 * ne * p * (1 - p) + t**2) / (1 + t**2 / ne)
    assert rate_interval(p, se, df, 100, method="wilson") == pytest.approx((centre - half, centre + half))


def test_reliability_flags():
    ok = Estimate(0.5, 0.02, 0.46, 0.54, 40, 1.2, 800, 625.0)
    assert reliability(ok) == "ok"
    assert reliability(Estimate(0.5, 0.1, 0.3, 0.7, 40, 1.2, 800, 25.0)) == "suppress"  # n_eff < 30
    assert reliability(Estimate(0.5, 0.09, 0.33, 0.67, 40, 1.2, 800, 31.0)) == "suppress"  # width >= 0.30
    assert reliability(Estimate(0.05, 0.02, 0.01, 0.09, 40, 1.2, 800, 118.0)) == "flag"  # relative width 160%
    assert reliability(Estimate(0.5, 0.02, 0.46, 0.54, 5, 1.2, 800, 625.0)) == "flag"  # df < 8
    assert reliability(Estimate(60.0, 5.0, 50.0, 70.0, 40, 1.0, 100, 40.0), kind="score") == "ok"


def test_code_rate_and_score():
    y = np.array([1, 2, 3, np.nan, 5])
    np.testing.assert_array_equal(code_rate(y, [4, 5]), [0, 0, 0, np.nan, 1])
    np.testing.assert_array_equal(code_score(y, {1: 0, 2: 25, 3: 50, 4: 75, 5: 100}), [0, 25, 50, np.nan, 100])
    text = np.array(["Yes", "No", "", None], dtype=object)
    np.testing.assert_array_equal(code_rate(text, "Yes"), [1, 0, np.nan, np.nan])


BAD_DESIGNS = [
    ({"weights": [1, "x", 2]}, "weights: non-numeric value 'x' at row 2"),
    ({"weights": [1, -1, 2]}, "weights: negative weight -1 at row 2"),
    ({"weights": [1, np.nan, 2]}, "weights: missing value at row 2"),
    ({"weights": [0, 0, 0]}, "weights: all weights are zero"),
    ({"weights": [1, 1, 1], "strata": ["a", "b"]}, "strata: has 2 rows, the design has 3"),
    ({"weights": [1, 1, 1], "psu": ["a", None, "b"]}, "psu: missing value at row 2"),
    ({"weights": [1, 1, 1], "fpc": [10, 11, 10]}, "fpc: varies within stratum"),
    ({"weights": [1, 1, 1], "fpc": [2, 2, 2]}, "fpc: stratum '1' has 3 sampled PSUs but a population of 2"),
    ({"weights": [1, 1, 1], "strata": ["a", "a", "b"], "fpc": [0.5, 0.5, 5]}, "fpc: mixes sampling fractions"),
    ({"weights": [1, 1, 1], "lonely_psu": "drop"}, "lonely_psu: 'drop' is not one of"),
    ({"weights": [1, 1, 1], "calibration": object()}, "calibration: has no residualize"),
]


@pytest.mark.parametrize(("kwargs", "message"), BAD_DESIGNS, ids=[m for _, m in BAD_DESIGNS])
def test_bad_designs_name_the_argument(kwargs, message):
    with pytest.raises(AnalysisError, match=message.replace("(", r"\(")):
        Design(**kwargs)


def test_bad_estimator_input_names_the_argument(design):
    with pytest.raises(AnalysisError, match="y: has 3 rows, the design has 120"):
        mean([1, 2, 3], design)
    with pytest.raises(AnalysisError, match="y: non-numeric value 'a' at row 1"):
        mean(np.array(["a"] * 120, dtype=object), design)
    with pytest.raises(AnalysisError, match="ci_method: 'exact' is not one of"):
        proportion(np.zeros(120), design, ci_method="exact")
    with pytest.raises(AnalysisError, match="level: 95 is not strictly between 0 and 1"):
        total(np.zeros(120), design, level=95)
    with pytest.raises(AnalysisError, match="y: value 2.0 at row 1 is not 0/1"):
        proportion(np.full(120, 2.0), design)
    with pytest.raises(AnalysisError, match="design: expected a Design"):
        mean(np.zeros(120), None)
    with pytest.raises(AnalysisError, match="item_weights"):
        composite([np.zeros(120)], design, item_weights=[1, 2])
    with pytest.raises(AnalysisError, match="domain: no level 'zz'"):
        mean(np.zeros(120), design, domain=np.repeat(["a", "b"], 60))["zz"]
