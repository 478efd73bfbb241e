"""Estimates and SEs after post-stratification, raking and trimming, through the package's estimators.

Reference values: topic ``weighting`` of tests/analysis/reference.json (r/weighting.R, R 4.2, survey 4.1-1,
written by ``Rscript tests/analysis/r/make_reference.R``); each estimate there carries its R call (``r_call``),
e.g. for case ``clus1_rake``
``svymean(~api00, rake(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), list(~stype, ~sch.wide),
list(pop.types, pop.schwide)))`` = 641.2303, SE 23.70362.
"""

from __future__ import annotations

import numpy as np
import pytest

import analysis
from analysis import Design, mean, poststratify, rake, total, trim
from tests.analysis._reference import load, numeric, reference

REF = reference("weighting")
POP = REF["populations"]


def _api_margins(d):
    return [("stype", d["stype"], POP["stype"]), ("sch.wide", d["sch.wide"], POP["sch.wide"])]


def _weights(case):
    """Our calls mirroring the R designs of r/weighting.R (see each case's r_call)."""
    st, cl, sy = load("apistrat.csv"), load("apiclus1.csv"), load("synthetic_weighting.csv")
    syn_margins = [(k, sy[k], POP[k]) for k in ("age", "sex", "edu")]
    upper = REF["bounds"]["syn_rake_trim_upper"]
    cells = np.char.add(np.char.add(sy["age"], "|"), sy["sex"])
    return {
        "strat_ps_stype": lambda: poststratify(numeric(st["pw"]), st["stype"], POP["stype"], name="stype"),
        "strat_ps_schwide": lambda: poststratify(numeric(st["pw"]), st["sch.wide"], POP["sch.wide"]),
        "clus1_ps_stype": lambda: poststratify(numeric(cl["pw"]), cl["stype"], POP["stype"]),
        "clus1_ps_stype_schwide": lambda: poststratify(
            poststratify(numeric(cl["pw"]), cl["stype"], POP["stype"]), cl["sch.wide"], POP["sch.wide"]),
        "strat_rake": lambda: rake(numeric(st["pw"]), _api_margins(st)),
        "clus1_rake": lambda: rake(numeric(cl["pw"]), _api_margins(cl)),
        "syn_ps_cell": lambda: poststratify(numeric(sy["w"]), cells, POP["age_sex"], name="age|sex"),
        "syn_rake": lambda: rake(numeric(sy["w"]), syn_margins),
        "clus1_rake_trim": lambda: trim(rake(numeric(cl["pw"]), _api_margins(cl)), lower=32, upper=55),
        "clus1_rake_trim_strict": lambda: trim(rake(numeric(cl["pw"]), _api_margins(cl)), upper=55, strict=True),
        "syn_rake_trim": lambda: trim(rake(numeric(sy["w"]), syn_margins), upper=upper),
        "syn_rake_trim_strict": lambda: trim(rake(numeric(sy["w"]), syn_margins), upper=upper, strict=True),
    }[case]()


def _design(data_name, result):
    d = load(data_name)
    if data_name == "apistrat.csv":  # svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
        return Design(result.weights, strata=d["stype"], fpc=numeric(d["fpc"]), calibration=result.calibration)
    if data_name == "apiclus1.csv":  # svydesign(id=~dnum, weights=~pw, fpc=~fpc)
        return Design(result.weights, psu=d["dnum"], fpc=numeric(d["fpc"]), calibration=result.calibration)
    # svydesign(id=~community, strata=~district, weights=~w, nest=TRUE)
    return Design(result.weights, strata=d["district"], psu=d["community"], calibration=result.calibration)


ESTIMATES = [(c, k) for c in sorted(REF["cases"]) for k in range(len(REF["cases"][c]["estimates"]))]


@pytest.mark.parametrize(("case", "k"), ESTIMATES)
def test_estimators_match_r_after_calibration(case, k):
    """Each estimate's r_call in reference.json: estimate to 1e-9, SE to 1e-8 relative (seen: 6e-11)."""
    spec = REF["cases"][case]
    est = spec["estimates"][k]
    data = load(spec["data"])
    design = _design(spec["data"], _weights(case))
    estimator = mean if est["kind"] == "mean" else total
    y = numeric(data[est["variable"]])
    if est["domain"] is None:
        got = estimator(y, design)
    else:
        column, level = est["domain"]
        got = estimator(y, design, domain=data[column])[level]
    assert got.estimate == pytest.approx(est["estimate"], rel=1e-9), est["r_call"]
    assert got.se == pytest.approx(est["se"], rel=1e-8), est["r_call"]


def test_calibrated_se_is_smaller_than_treating_weights_as_fixed():
    """R: svymean(~api00, <clus1_rake>) SE 23.70362; with postStrata removed 23.80621."""
    cl = load("apiclus1.csv")
    raked = rake(numeric(cl["pw"]), _api_margins(cl))
    spec = REF["cases"]["clus1_rake"]
    fixed = mean(numeric(cl["api00"]), Design(raked.weights, psu=cl["dnum"], fpc=numeric(cl["fpc"])))
    calibrated = mean(numeric(cl["api00"]), _design("apiclus1.csv", raked))
    assert fixed.se == pytest.approx(spec["se_api00_ignoring_calibration"], rel=1e-6)
    assert calibrated.se == pytest.approx(spec["estimates"][0]["se"], rel=1e-6)


def test_post_stratified_total_of_the_post_strata_is_exact():
    """After postStratify on sch.wide its total is the population's 5122 with SE 0 (R: the same)."""
    st = load("apistrat.csv")
    ps = poststratify(numeric(st["pw"]), st["sch.wide"], POP["sch.wide"], name="sch.wide")
    got = total((st["sch.wide"] == "Yes").astype(float), _design("apistrat.csv", ps))
    assert got.estimate == pytest.approx(5122)
    assert got.se == pytest.approx(0, abs=1e-8)


def test_weighting_names_are_exported():
    for name in ("poststratify", "rake", "trim", "design_weights", "nonresponse_adjust", "Calibrated",
                 "WeightingError", "DesignWeights", "NonresponseAdjusted", "Trimmed", "PostStratification", "Raking",
                 "CalibrationChain"):
        assert name in analysis.__all__ and hasattr(analysis, name)
