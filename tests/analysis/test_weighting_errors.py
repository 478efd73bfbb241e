"""Clear errors from the weighting functions, each naming the argument, column and level."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import WeightingError, design_weights, nonresponse_adjust, poststratify, rake, trim

AGE = ["young", "old", "young", "old"]
SEX = ["F", "F", "M", "M"]


def test_margins_with_different_totals():
    margins = [("age", AGE, {"young": 50, "old": 50}), ("sex", SEX, {"F": 60, "M": 41})]
    with pytest.raises(WeightingError, match=r"'age' sums to 100 but 'sex' sums to 101"):
        rake(np.ones(4), margins)


def test_population_level_without_respondents():
    with pytest.raises(WeightingError, match=r"'age': population level 'middle' .* has no respondents"):
        poststratify(np.ones(4), AGE, {"young": 50, "old": 40, "middle": 10}, name="age")
    margins = [("sex", SEX, {"F": 50, "M": 50}), ("age", AGE, {"young": 50, "old": 40, "middle": 10})]
    with pytest.raises(WeightingError, match=r"column 'age': population level 'middle'"):
        rake(np.ones(4), margins)


def test_population_level_with_zero_total_and_no_respondents_is_fine():
    res = poststratify(np.ones(4), AGE, {"young": 50, "old": 50, "middle": 0}, name="age")
    assert res.weights.sum() == pytest.approx(100)


def test_sample_level_missing_from_margins():
    with pytest.raises(WeightingError, match=r"'sex': sample level 'M' is missing from the population"):
        rake(np.ones(4), [("sex", SEX, {"F": 100})])
    with pytest.raises(WeightingError, match=r"'sex': sample level 'M' has respondents but a population"):
        poststratify(np.ones(4), SEX, {"F": 100, "M": 0}, name="sex")


def test_level_whose_respondents_all_have_weight_zero():
    with pytest.raises(WeightingError, match=r"column 'sex': level 'M' .* all have weight 0"):
        poststratify([1.0, 1, 0, 0], SEX, {"F": 50, "M": 50}, name="sex")


def test_raking_that_does_not_converge_names_the_level():
    # Every young respondent is F and every old one M: age 50/50 and sex 30/70 cannot both hold.
    margins = [("age", ["y", "y", "o", "o"], {"y": 50, "o": 50}), ("sex", SEX, {"F": 30, "M": 70})]
    with pytest.raises(WeightingError, match=r"raking did not converge in 50 sweeps .*column 'age', level"):
        rake(np.ones(4), margins, max_iter=50)


@pytest.mark.parametrize(("weights", "message"), [
    ([1, -2, 3, 4], r"weights must be non-negative: row 2 is -2"),
    ([1, np.nan, 3, 4], r"weights must be finite: row 2 is nan"),
    (["1", "a", "3", "4"], r"weights must be numeric"),
    ([1, 2, 3], r"groups for column 'sex' has 3 rows, expected 4|weights"),
])
def test_bad_weights(weights, message):
    with pytest.raises(WeightingError, match=message):
        poststratify(weights, SEX if len(weights) == 4 else SEX + ["F"], {"F": 1, "M": 1}, name="sex")


def test_length_mismatch_names_the_column():
    with pytest.raises(WeightingError, match=r"groups for column 'sex' has 3 rows, expected 4"):
        poststratify(np.ones(4), SEX[:3], {"F": 1, "M": 1}, name="sex")
    with pytest.raises(WeightingError, match=r"groups for column 'age' has 2 rows, expected 4"):
        rake(np.ones(4), [("sex", SEX, {"F": 2, "M": 2}), ("age", AGE[:2], {"young": 2, "old": 2})])


def test_missing_label_and_bad_totals():
    with pytest.raises(WeightingError, match=r"column 'sex' has a missing level at row 3"):
        poststratify(np.ones(4), ["F", "M", None, "M"], {"F": 1, "M": 1}, name="sex")
    with pytest.raises(WeightingError, match=r"column 'sex' has a missing \(empty\) level at row 1"):
        poststratify(np.ones(4), ["", "M", "F", "M"], {"F": 1, "M": 1}, name="sex")
    with pytest.raises(WeightingError, match=r"population total of column 'sex', level 'M' must be"):
        poststratify(np.ones(4), SEX, {"F": 1, "M": "many"}, name="sex")
    with pytest.raises(WeightingError, match=r"margins\[0\] must be a \(name, groups, totals\) triple"):
        rake(np.ones(4), [("sex", SEX)])


def test_design_weight_errors():
    with pytest.raises(WeightingError, match=r"frame_households has no entry for community 'B'"):
        design_weights(["A", "B"], {"A": 10}, {"A": 1, "B": 1})
    with pytest.raises(WeightingError, match=r"community 'A': sampled_households \(20\) exceeds"):
        design_weights(["A"], {"A": 10}, {"A": 20})
    with pytest.raises(WeightingError, match=r"eligible_adults must be a whole number of at least 1: row 2"):
        design_weights(["A", "A"], {"A": 10}, {"A": 2}, eligible_adults=[1, 0])


def test_nonresponse_errors():
    with pytest.raises(WeightingError, match=r"status at row 2 is 'refused'"):
        nonresponse_adjust([1, 1], ["respondent", "refused"])
    with pytest.raises(WeightingError, match=r"class 'b' has eligible cases but no respondent weight"):
        nonresponse_adjust([1, 1, 1], ["respondent", "nonrespondent", "nonrespondent"], ["a", "b", "b"])
    with pytest.raises(WeightingError, match=r"status has shape \(1,\), expected \(2,\)"):
        nonresponse_adjust([1, 1], ["respondent"])


def test_trim_errors():
    with pytest.raises(WeightingError, match=r"no weights within \[None, 2\] can keep the total 10"):
        trim([1, 1, 8], upper=2, strict=True)
    with pytest.raises(WeightingError, match=r"spread must be 'equal' or 'proportional'"):
        trim([1, 2], upper=1.5, spread="ratio")
