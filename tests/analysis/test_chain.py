"""The weight chain (steps 1-5 of docs rounds-and-weights.md) against an independent R computation.

Reference: tests/analysis/r/weight_chain.R (plain R for steps 1-4, survey's rake/trimWeights for step 5, then
svyciprop/svymean on the raked design), on the rounds of tests/analysis/data/chain_*.csv written by
tests/analysis/r/make_chain_data.py. Every reference value carries the R call that produced it ("call").
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

import analysis
from analysis import AnalysisError, Margin, WeightingError, diagnostics, weight_chain
from tests.analysis._chain_data import round_data, round_margins, run_chain
from tests.analysis._reference import reference


@cache
def _chain_reference() -> dict:
    """R's numbers (topic "weight_chain" of tests/analysis/reference.json)."""
    return reference("weight_chain")


ROUNDS = ("take-all", "srs", "two-stage")
STEPS = ("base_weight", "unknown_factor", "eligibility_weight", "nonresponse_factor", "nonresponse_weight",
         "adults", "person_weight")


def _ref(name):
    return _chain_reference()["rounds"][name]


def _num(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@cache
def _ours(name):
    ref = _ref(name)
    return run_chain(name, trim=ref["trim"] or None, epsilon=1e-11)


def _design(name):
    d, chain = _ours(name)
    psu = d["building"] if name == "two-stage" else None
    return d, chain, chain.design(strata=d["community"], psu=psu, fpc=d["fpc"], lonely_psu="adjust")


@pytest.mark.parametrize("name", ROUNDS)
@pytest.mark.parametrize("step", STEPS)
def test_steps_1_to_4_match_r_household_by_household(name, step):
    # R: chain_steps() of weight_chain.R (ave(d, class, FUN=sum) ratios), NA where a step does not apply
    expected = _num(_ref(name)["households"][step])
    got = getattr(_ours(name)[1], step)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0, equal_nan=True)


@pytest.mark.parametrize("name", ROUNDS)
def test_classes_match_r(name):
    assert _ours(name)[1].weight_class.tolist() == _ref(name)["households"]["class"]


@pytest.mark.parametrize("name", ROUNDS)
def test_final_weights_match_r_rake(name):
    # R: weights(rake(des, list(~S3, ~dS2), ...)), with trimWeights and a second rake in the srs round
    ref = _ref(name)
    expected = _num(ref["households"]["final_weight"])
    chain = _ours(name)[1]
    np.testing.assert_array_equal(np.isnan(chain.final_weight), np.isnan(expected))
    np.testing.assert_allclose(chain.final_weight, expected, rtol=1e-7, equal_nan=True)
    resp = chain.respondent
    np.testing.assert_allclose(chain.final_weight[resp], chain.person_weight[resp] * chain.calibration_factor[resp],
                               rtol=1e-12)


@pytest.mark.parametrize("name", ROUNDS)
def test_svyciprop_by_community_on_the_raked_design(name):
    rate = _ref(name)["rate"]  # svyby(~I(A1 %in% c(1,2)), ~community, raked, svyciprop, method="logit")
    d, chain, design = _design(name)
    r = chain.respondent
    got = analysis.proportion(np.isin(d["A1"][r], [1, 2]), design, domain=d["community"][r], ci_method="logit")
    assert [str(x) for x in got.labels] == rate["community"]
    np.testing.assert_allclose(got.estimate, _num(rate["estimate"]), rtol=1e-6, atol=1e-9)
    # R's logit interval of a rate of exactly 0 or 1 is a glm artefact (p ~ 1e-12); we give Korn-Graubard there
    # (docs/analysis.md), so SEs and intervals are compared where 0 < p < 1.
    inner = (np.asarray(got.estimate) > 0) & (np.asarray(got.estimate) < 1)
    assert inner.sum() >= 9
    for key in ("se", "ci_low", "ci_high"):
        np.testing.assert_allclose(np.asarray(getattr(got, key))[inner], _num(rate[key])[inner], rtol=1e-6)


@pytest.mark.parametrize("name", ROUNDS)
def test_svymean_of_a_score_on_the_raked_design(name):
    ref = _ref(name)
    d, chain, design = _design(name)
    score = (d["Q1"][chain.respondent] - 1) * 25
    overall = analysis.mean(score, design)  # svymean(~I((Q1 - 1) * 25), raked)
    assert overall.estimate == pytest.approx(ref["score"]["estimate"], rel=1e-6)
    assert overall.se == pytest.approx(np.ravel(ref["score"]["se"])[0], rel=1e-6)
    by = analysis.mean(score, design, domain=d["district"][chain.respondent])  # svyby(..., ~district, svymean)
    np.testing.assert_allclose(by.estimate, ref["score_by_district"]["estimate"], rtol=1e-6)
    np.testing.assert_allclose(by.se, np.ravel(ref["score_by_district"]["se"]), rtol=1e-6)


def test_merges_take_the_refusing_community_up_the_geography():
    d, chain = _ours("take-all")
    assert [(m.level, m.classes, m.respondents) for m in chain.merges] == [
        ("street", ("C05", "C06"), 3), ("district", ("C03", "C05+C06"), 3),
        ("street", ("C03+C05+C06", "C04"), 28)]
    refused = d["community"] == "C03"
    assert set(d["outcome"][refused]) == {"R"} and set(chain.weight_class[refused]) == {"C03+C04+C05+C06"}
    assert np.all(chain.nonresponse_weight[refused] == 0)


def test_h1_above_the_cap_counts_as_the_cap():
    d, chain = _ours("take-all")
    r = chain.respondent
    assert d["H1"][r].max() == 7
    np.testing.assert_array_equal(chain.adults[r], np.minimum(d["H1"][r], 4))
    assert np.isnan(chain.adults[~r]).all() and np.isnan(chain.final_weight[~r]).all()


def test_without_h1_or_margins_the_steps_do_not_apply():
    d = round_data("srs")
    chain = weight_chain(base_weight=1 / d["probability"], outcome=d["outcome"], community=d["community"],
                         street=d["street"], district=d["district"])
    r = chain.respondent
    assert np.isnan(chain.person_factor).all() and np.isnan(chain.calibration_factor).all()
    np.testing.assert_array_equal(chain.final_weight[r], chain.nonresponse_weight[r])
    assert chain.calibrated is None
    # the eligible and unknown households of each class are carried by the respondents (and NE households)
    assert chain.final_weight[r].sum() + chain.nonresponse_weight[d["outcome"] == "NE"].sum() == pytest.approx(
        chain.base_weight.sum(), rel=1e-12)


def test_diagnostics_per_community_and_overall():
    d, chain = _ours("take-all")
    diag = diagnostics(chain, d["community"], population={"C01": 3000})
    r = chain.respondent
    assert diag.overall.respondents == r.sum() and diag.overall.weight_sum == pytest.approx(50000, rel=1e-9)
    w = chain.final_weight[r & (d["community"] == "C01")]
    c01 = diag.communities["C01"]
    assert (c01.respondents, c01.population) == (w.size, 3000)
    assert c01.deff == pytest.approx(1 + w.var() / w.mean() ** 2, rel=1e-12)
    assert c01.ratio == pytest.approx(w.max() / w.min())
    assert diag.communities["C03"].respondents == 0
    targets = {(s, v, c): (t, a) for s, v, c, t, a in diag.margins}
    assert targets[("D2", "S2", "3")][0] == 6750 and targets[("D2", "S2", "3")][1] == pytest.approx(6750, rel=1e-9)
    assert diag.merges == chain.merges
    with pytest.raises(AnalysisError, match="population: community 'C99' has no sampled household"):
        diagnostics(chain, d["community"], population={"C99": 10})


def _kw(name="take-all", **change):
    d = round_data(name)
    kw = dict(base_weight=1 / d["probability"], outcome=d["outcome"], community=d["community"],
              street=d["street"], district=d["district"], adults=d["H1"], values={"S2": d["S2"], "S3": d["S3"]},
              margins=round_margins(name))
    kw.update(change)
    return kw


def test_margins_that_disagree_are_refused():
    margins = [m if m.scope != "*" else Margin("*", "S3", {"1": 24500, "2": 25600}) for m in round_margins("srs")]
    with pytest.raises(WeightingError, match=r"margins disagree on the population: S3@\* sums to 50100"):
        weight_chain(**_kw("srs", margins=margins))


def test_a_margin_category_without_respondents_is_refused():
    margins = round_margins("srs") + [Margin("*", "A1", {"1": 1e4, "2": 1e4, "3": 1e4, "4": 1e4, "5": 5e3,
                                                         "9": 4e3, "7": 1e3})]
    kw = _kw("srs", margins=margins)
    kw["values"]["A1"] = round_data("srs")["A1"]
    with pytest.raises(WeightingError, match=r"margin \*/A1: category '7' \(total 1000\) has no respondent"):
        weight_chain(**kw)


def test_district_margins_must_cover_every_district_with_respondents():
    margins = [m for m in round_margins("srs") if m.scope != "D2"]
    with pytest.raises(AnalysisError, match="variable 'S2' has district margins but none for district 'D2'"):
        weight_chain(**_kw("srs", margins=margins))


def test_raking_that_cannot_converge_names_the_worst_margin():
    with pytest.raises(WeightingError, match=r"margins \(S3@\*, S2@districts\): raking did not converge in 2 "
                                             r"sweeps .*column 'S(2@districts|3@\*)', level"):
        weight_chain(**_kw("srs", max_iter=2, epsilon=1e-14))


@pytest.mark.parametrize(("change", "message"), [
    ({"outcome": np.array(["I", "X"])}, "outcome: 'X' at row 2 is not one of I, P, R"),
    ({"base_weight": np.array([1.0, 0.0])}, "base_weight: must be positive and finite, row 2"),
    ({"cap": 0}, "cap: 0 is not a whole number of at least 1"),
    ({"min_respondents": 2.5}, "min_respondents: 2.5 is not"),
])
def test_bad_arguments_are_named(change, message):
    kw = dict(base_weight=np.ones(2), outcome=np.array(["I", "I"]), community=["a", "a"], street=["s", "s"],
              district=["d", "d"])
    kw.update(change)
    with pytest.raises(AnalysisError, match=message):
        weight_chain(**kw)


def test_a_community_in_two_streets_a_missing_h1_and_no_respondent_are_refused():
    base = dict(base_weight=np.ones(3), outcome=np.array(["I", "I", "R"]), community=["a", "a", "b"],
                street=["s", "t", "t"], district=["d", "d", "d"])
    with pytest.raises(AnalysisError, match=r"street: community 'a' is in two of them \('s' and 't', row 2\)"):
        weight_chain(**base)
    base["street"] = ["s", "s", "t"]
    with pytest.raises(AnalysisError, match="adults: respondent at row 2 has H1 = nan"):
        weight_chain(**base, adults=np.array([2, np.nan, np.nan]))
    base["outcome"] = np.array(["R", "NC", "UH"])
    with pytest.raises(WeightingError, match=r"no respondent \(I\) in the round"):
        weight_chain(**base)


def test_trimming_binds_in_the_srs_round_and_is_followed_by_raking():
    d, trimmed = _ours("srs")
    untrimmed = run_chain("srs", epsilon=1e-11)[1]
    w = untrimmed.final_weight[untrimmed.respondent]
    assert np.sum(w > 2.0 * np.median(w)) > 0  # trim=(0.4, 2.0) of weight_chain.R clips some weights
    assert not np.allclose(trimmed.final_weight[trimmed.respondent], w, rtol=1e-3)
    assert all(abs(achieved / target - 1) < 1e-10 for *_k, target, achieved in trimmed.margin_table)


def test_a_city_too_small_for_any_class_is_one_class():
    chain = weight_chain(base_weight=np.ones(4), outcome=np.array(["I", "R", "I", "NC"]),
                         community=["a", "a", "b", "c"], street=["s", "s", "t", "u"], district=["d", "d", "d", "e"])
    assert set(chain.weight_class) == {"a+b+c"}
    assert [(m.level, m.classes) for m in chain.merges] == [("district", ("a", "b")), ("city", ("a+b", "c"))]
    np.testing.assert_allclose(chain.final_weight[chain.respondent], [2.0, 2.0])
