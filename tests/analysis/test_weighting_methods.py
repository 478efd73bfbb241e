"""Design weights, non-response adjustment, trimming and raking: worked examples and invariances."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis import (
    Calibrated,
    CalibrationChain,
    PostStratification,
    Raking,
    WeightingError,
    design_weights,
    nonresponse_adjust,
    poststratify,
    rake,
    trim,
)


def test_design_weights_households_and_adults():
    # A: 200 households in the frame, 20 sampled -> 10; B: 90 of 30 -> 3; one adult chosen at random.
    res = design_weights(["A", "A", "B"], {"A": 200, "B": 90}, {"A": 20, "B": 30}, eligible_adults=[1, 3, 2])
    np.testing.assert_allclose(res.household_weights, [10, 10, 3])
    np.testing.assert_allclose(res.weights, [10, 30, 6])


def test_design_weights_with_community_selection_probability():
    res = design_weights(["A", "B"], {"A": 100, "B": 100}, {"A": 10, "B": 20},
                         community_probability={"A": 0.5, "B": 0.25})
    np.testing.assert_allclose(res.weights, [20, 20])


def test_nonresponse_adjust_worked_example():
    # Class x: respondents 10+10, nonrespondent 20, ineligible 10, unknown 20.
    # Eligible share e = 40/50 = 0.8, so respondents carry (20 + 20 + 0.8*20)/20 = 2.8.
    status = ["respondent", "respondent", "nonrespondent", "ineligible", "unknown", "respondent"]
    res = nonresponse_adjust([10, 10, 20, 10, 20, 5], status, ["x", "x", "x", "x", "x", "y"])
    assert res.factors == pytest.approx({"x": 2.8, "y": 1.0})
    assert res.eligible_share == pytest.approx({"x": 0.8, "y": 1.0})
    # The ineligible keeps its share of the unknowns' weight: 10 * 70/50.
    np.testing.assert_allclose(res.weights, [28, 28, 0, 14, 0, 5])
    # Total weight is preserved within each class.
    assert res.weights[:5].sum() == pytest.approx(70)


def test_nonresponse_adjust_without_classes_is_one_class():
    res = nonresponse_adjust([1, 1, 2], ["respondent", "respondent", "nonrespondent"])
    np.testing.assert_allclose(res.weights, [2, 2, 0])


def test_trim_matches_r_single_pass_by_hand():
    # R trimWeights(upper=10): 20 -> 10, the excess 10 spread equally over the 4 rows inside.
    res = trim([1, 2, 3, 4, 20], upper=10)
    np.testing.assert_allclose(res.weights, [3.5, 4.5, 5.5, 6.5, 10])
    assert res.n_trimmed == 1 and res.passes == 1


def test_trim_strict_holds_clipped_rows_and_keeps_the_total():
    w = np.array([1, 1, 1, 9, 9, 30.0])
    res = trim(w, upper=10, strict=True)
    assert res.weights.max() <= 10 + 1e-12
    assert res.weights.sum() == pytest.approx(w.sum())
    prop = trim(w, upper=10, strict=True, spread="proportional")
    assert prop.weights.max() <= 10 + 1e-12 and prop.weights.sum() == pytest.approx(w.sum())


def test_trim_keeps_calibration_as_r_does():
    cal = poststratify([1.0, 1, 1, 5], ["a", "a", "b", "b"], {"a": 4, "b": 6})
    res = trim(cal, upper=4)
    assert res.calibration is cal.calibration


def test_integer_weights_equal_repeated_rows():
    rng = np.random.default_rng(7)
    n = 40
    a, b = rng.choice(["p", "q", "r"], n), rng.choice(["u", "v"], n)
    reps = rng.integers(1, 4, n)
    margins = [("a", a, {"p": 30, "q": 50, "r": 20}), ("b", b, {"u": 45, "v": 55})]
    grouped = rake(reps.astype(float), margins, tol=1e-13)
    expanded = rake(np.ones(reps.sum()), [(m, np.repeat(g, reps), t) for m, g, t in margins], tol=1e-13)
    np.testing.assert_allclose(np.repeat(grouped.weights / reps, reps), expanded.weights, rtol=1e-10)


def test_rake_meets_every_margin_and_reports_distance():
    rng = np.random.default_rng(11)
    n = 300
    a, b, c = rng.choice(list("xyz"), n), rng.choice(list("FM"), n), rng.choice(list("123"), n)
    totals = [{"x": 300, "y": 500, "z": 200}, {"F": 520, "M": 480}, {"1": 100, "2": 600, "3": 300}]
    res = rake(rng.uniform(1, 5, n), [("a", a, totals[0]), ("b", b, totals[1]), ("c", c, totals[2])])
    for groups, tot in zip((a, b, c), totals, strict=True):
        for level, value in tot.items():
            assert res.weights[groups == level].sum() == pytest.approx(value, rel=1e-9)
    assert res.distance < 1e-10 and res.iterations >= 1
    assert isinstance(res.calibration, Raking)


def test_bounded_rake_keeps_weights_within_bounds():
    rng = np.random.default_rng(3)
    n = 400
    a = rng.choice(list("xyz"), n, p=[0.5, 0.3, 0.2])
    b = np.where(rng.uniform(size=n) < np.where(a == "z", 0.8, 0.4), "F", "M")
    margins = [("a", a, {"x": 300, "y": 300, "z": 400}), ("b", b, {"F": 500, "M": 500})]
    free = rake(np.ones(n), margins)
    bounded = rake(np.ones(n), margins, bounds=(1.0, 7.0))
    assert free.weights.max() > 8
    assert bounded.weights.min() >= 1.0 and bounded.weights.max() <= 7.0
    assert bounded.distance < 1e-10
    for groups, tot in ((a, margins[0][2]), (b, margins[1][2])):
        for level, value in tot.items():
            assert bounded.weights[groups == level].sum() == pytest.approx(value, rel=1e-9)
    # Bounds no set of weights can meet: a loud error, not weights off target.
    with pytest.raises(WeightingError, match="within the bounds"):
        rake(np.ones(n), margins, bounds=(1.4, 5.0), max_iter=200)


def test_results_are_frozen_and_weights_read_only():
    res = poststratify([1.0, 2.0], ["a", "b"], {"a": 2, "b": 2})
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.weights = np.ones(2)  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.weights[0] = 5
    assert isinstance(res, Calibrated) and isinstance(res.calibration, PostStratification)


def test_chained_calibration_and_zero_weight_rows():
    first = poststratify([1.0, 1, 0, 2], ["a", "a", "b", "b"], {"a": 4, "b": 4})
    second = rake(first, [("c", ["u", "v", "u", "v"], {"u": 3, "v": 5})])
    assert isinstance(second.calibration, CalibrationChain)
    assert len(second.calibration.steps) == 2
    z = np.asarray(second.weights) * np.array([1.0, 2.0, 3.0, 4.0])
    out = second.calibration.residualize(z)
    assert np.all(np.isfinite(out))
    # R's svyrecvar counts a row of weight 0 (before and after) as weight 1 in the post-stratification
    # step, so its residual is minus its post-stratum's mean score; the raking step leaves it alone.
    ps = first.calibration
    mean_b = np.sum(z[2:] * ps.old_weights[2:] / np.array([1.0, ps.weights[3]])) / ps.old_weights[2:].sum()
    rk = second.calibration.steps[1]
    assert out[2] == pytest.approx(-mean_b) and rk.residualize(np.array([0.0, 0, 0, 0]))[2] == 0


def test_poststratify_accepts_integer_and_string_labels():
    res = poststratify([1.0, 1.0, 2.0], [1, 1, 2], {1: 10, 2: 5})
    np.testing.assert_allclose(res.weights, [5, 5, 5])
    res = poststratify([1.0, 1.0, 2.0], np.array(["a", "a", "b"], dtype=object), {"a": 10, "b": 5})
    np.testing.assert_allclose(res.weights, [5, 5, 5])


def test_raking_residuals_equal_a_literal_port_of_r():
    """R's svyrecvar: for (iterations in 1:10) for (margin in psvar) {psw <- attr(margin, "weights");
    x <- x - psw * apply(x/psw, 2, ave, margin)}; our residualize runs the same sweeps on level sums."""
    rng = np.random.default_rng(5)
    n = 500
    groups = [rng.choice(list("abcd"), n), rng.choice(list("FM"), n), rng.choice(list("123"), n)]
    margins = [("a", groups[0], {"a": 10, "b": 20, "c": 30, "d": 40}), ("s", groups[1], {"F": 55, "M": 45}),
               ("e", groups[2], {"1": 25, "2": 25, "3": 50})]
    res = rake(rng.uniform(0.5, 2, n), margins, tol=1e-6)
    z = rng.normal(size=(n, 3)) * np.asarray(res.weights)[:, None]
    expected = z.copy()
    for _ in range(10):
        for _name, _levels, codes, psw in res.calibration.margins:
            ratio = expected / psw[:, None]
            for j in range(ratio.shape[1]):
                means = np.bincount(codes, ratio[:, j]) / np.bincount(codes)
                expected[:, j] -= psw * means[codes]
    np.testing.assert_allclose(res.calibration.residualize(z), expected, rtol=1e-9, atol=1e-12)
