"""Invariance checks that need no R: repeated rows, equal weights vs scipy, domains vs subsetting arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import Design, composite, mean, proportion, total


@pytest.fixture
def survey():
    rng = np.random.default_rng(7)
    n = 300
    return {
        "w": rng.integers(1, 5, n).astype(float),
        "y": rng.normal(50, 10, n).round(1),
        "b": (rng.random(n) < 0.3).astype(float),
        "g": rng.choice(["a", "b", "c"], n),
    }


def test_integer_weights_equal_repeated_rows_point_estimates(survey):
    """sum w y / sum w is the same as the unweighted mean of rows repeated w times."""
    w = survey["w"].astype(int)
    rep = np.repeat(np.arange(w.shape[0]), w)
    weighted = mean(survey["y"], Design(survey["w"]), domain=survey["g"])
    repeated = mean(survey["y"][rep], Design(np.ones(rep.shape[0])), domain=survey["g"][rep])
    np.testing.assert_allclose(weighted.estimate, repeated.estimate, rtol=1e-12)
    assert total(survey["y"], Design(survey["w"])).estimate == pytest.approx(
        total(survey["y"][rep], Design(np.ones(rep.shape[0]))).estimate, rel=1e-12)


def test_integer_weights_equal_repeated_rows_clustered_se(survey):
    """With each original row as a PSU, repeating it w times inside its PSU changes nothing in the design."""
    w = survey["w"].astype(int)
    rep = np.repeat(np.arange(w.shape[0]), w)
    weighted = proportion(survey["b"], Design(survey["w"]), domain=survey["g"])
    repeated = proportion(survey["b"][rep], Design(np.ones(rep.shape[0]), psu=rep), domain=survey["g"][rep])
    for field in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(getattr(weighted, field), getattr(repeated, field), rtol=1e-10)
    np.testing.assert_array_equal(weighted.df, repeated.df)


def test_equal_weights_give_scipys_unweighted_results(survey):
    y = survey["y"]
    n = y.shape[0]
    est = mean(y, Design(np.full(n, 3.0)))
    assert est.estimate == pytest.approx(np.mean(y))
    # with replacement, one stratum, rows as PSUs: V = s^2 / n, i.e. scipy's standard error of the mean
    assert est.se == pytest.approx(stats.sem(y), rel=1e-12)
    low, high = stats.t.interval(0.95, n - 1, loc=np.mean(y), scale=stats.sem(y))
    assert (est.ci_low, est.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert est.df == n - 1
    # deff: with-replacement variance s^2/n over R's without-replacement SRS s^2 (1/n - 1/W), W = 3n
    assert est.deff == pytest.approx(1 / (1 - n / (3.0 * n)), rel=1e-12)


def test_equal_weights_rate_matches_binomial_se(survey):
    b = survey["b"]
    n = b.shape[0]
    est = proportion(b, Design(np.ones(n) * 2))
    p = b.mean()
    assert est.se == pytest.approx(np.sqrt(p * (1 - p) / (n - 1)), rel=1e-12)
    assert est.n_eff == pytest.approx(n - 1, rel=1e-12)


def test_equal_weights_stratified_matches_scipy_per_stratum(survey):
    """A stratum per group: the SE of each group's mean is scipy's sem within that group."""
    y, g = survey["y"], survey["g"]
    result = mean(y, Design(np.ones(y.shape[0]), strata=g), domain=g)
    for level, est in result.items():
        assert est.se == pytest.approx(stats.sem(y[g == level]), rel=1e-12)


def test_domain_estimation_keeps_the_design(survey):
    """A domain's SE is not the SE of the subset analysed as if it were the whole sample (R's vignette)."""
    y, g, w = survey["y"], survey["g"], survey["w"]
    strata = np.where(np.arange(y.shape[0]) % 2 == 0, "s1", "s2")
    by = mean(y, Design(w, strata=strata), domain=g)
    inside = g == "a"
    naive = mean(y[inside], Design(w[inside], strata=strata[inside]))
    assert by["a"].estimate == pytest.approx(naive.estimate)
    assert by["a"].se != pytest.approx(naive.se, rel=1e-6)


def test_missing_values_leave_the_domain_not_the_design(survey):
    y = survey["y"].copy()
    y[::7] = np.nan
    design = Design(survey["w"])
    got = mean(y, design, domain=survey["g"])
    as_domain = mean(np.nan_to_num(y), design, domain=np.where(np.isnan(y), None, survey["g"]).astype(object))
    for field in ("estimate", "se", "ci_low", "ci_high", "deff", "n_eff"):
        np.testing.assert_allclose(getattr(got, field), getattr(as_domain, field), rtol=1e-12)
    np.testing.assert_array_equal(got.n, as_domain.n)


def test_composite_of_one_item_is_that_item(survey):
    design = Design(survey["w"], psu=np.arange(300) // 6)
    one = composite([survey["b"]], design, domain=survey["g"])
    ref = proportion(survey["b"], design, domain=survey["g"])
    for field in ("estimate", "se", "ci_low", "ci_high", "deff", "n_eff", "df", "n"):
        np.testing.assert_allclose(getattr(one, field), getattr(ref, field), rtol=1e-12)


def test_composite_se_includes_item_covariance(survey):
    """Two identical items: the composite's SE equals the item's, not the item's / sqrt(2)."""
    design = Design(survey["w"], psu=np.arange(300) // 6)
    two = composite([survey["b"], survey["b"]], design, item_weights=[1, 3])
    assert two.se == pytest.approx(proportion(survey["b"], design).se, rel=1e-12)


def test_scores_composite_is_weighted_mean_of_item_means(survey):
    design = Design(survey["w"])
    y2 = survey["y"] * 0.5 + 10
    est = composite([survey["y"], y2], design, item_weights=[2, 1], kind="score")
    expected = (2 * mean(survey["y"], design).estimate + mean(y2, design).estimate) / 3
    assert est.estimate == pytest.approx(expected)
