"""Estimates and SEs after post-stratification, raking and trimming, through the package's estimators.

Reference values: tests/analysis/weighting/reference.json, written by make_reference.R beside it (R 4.2,
survey 4.1-1); each estimate there carries its R call (``r_call``), e.g. for case ``clus1_rake``
``svymean(~api00, rake(svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc), list(~stype, ~sch.wide),
list(pop.types, pop.schwide)))`` = 641.2303, SE 23.70362.
"""

from __future__ import annotations

import numpy as np
import pytest

import analysis
from analysis import Design, mean, poststratify, rake, total, trim
from tests.analysis._weighting_data import DATA, POP, REF
from tests.analysis._weighting_data import num as _num


def _api_margins(d):
    return [("stype", d["stype"], POP["stype"]), ("sch_wide", d["sch_wide"], POP["sch_wide"])]


def _weights(case):
    """Our calls mirroring the R designs of make_reference.R (see each case's r_call)."""
    st, cl, sy = DATA["apistrat"], DATA["apiclus1"], DATA["synthetic"]
    syn_margins = [(k, sy[k], POP[k]) for k in ("age", "sex", "edu")]
    upper = REF["bounds"]["syn_rake_trim_upper"]
    cells = np.char.add(np.char.add(sy["age"], "|"), sy["sex"])
    return {
        "strat_ps_stype": lambda: poststratify(_num(st, "pw"), st["stype"], POP["stype"], name="stype"),
        "strat_ps_schwide": lambda: poststratify(_num(st, "pw"), st["sch_wide"], POP["sch_wide"]),
        "clus1_ps_stype": lambda: poststratify(_num(cl, "pw"), cl["stype"], POP["stype"]),
        "clus1_ps_stype_schwide": lambda: poststratify(
            poststratify(_num(cl, "pw"), cl["stype"], POP["stype"]), cl["sch_wide"], POP["sch_wide"]),
        "strat_rake": lambda: rake(_num(st, "pw"), _api_margins(st)),
        "clus1_rake": lambda: rake(_num(cl, "pw"), _api_margins(cl)),
        "syn_ps_cell": lambda: poststratify(_num(sy, "w"), cells, POP["age_sex"], name="age|sex"),
        "syn_rake": lambda: rake(_num(sy, "w"), syn_margins),
        "clus1_rake_trim": lambda: trim(rake(_num(cl, "pw"), _api_margins(cl)), lower=32, upper=55),
        "clus1_rake_trim_strict": lambda: trim(rake(_num(cl, "pw"), _api_margins(cl)), upper=55, strict=True),
        "syn_rake_trim": lambda: trim(rake(_num(sy, "w"), syn_margins), upper=upper),
        "syn_rake_trim_strict": lambda: trim(rake(_num(sy, "w"), syn_margins), upper=upper, strict=True),
    }[case]()


def _design(data_name, result):
    d = DATA[data_name]
    if data_name == "apistrat":  # svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
        return Design(result.weights, strata=d["stype"], fpc=_num(d, "fpc"), calibration=result.calibration)
    if data_name == "apiclus1":  # svydesign(id=~dnum, weights=~pw, fpc=~fpc)
        return Design(result.weights, psu=d["dnum"], fpc=_num(d, "fpc"), calibration=result.calibration)
    # svydesign(id=~community, strata=~district, weights=~w, nest=TRUE)
    return Design(result.weights, strata=d["district"], psu=d["community"], calibration=result.calibration)


ESTIMATES = [(c, k) for c in sorted(REF["cases"]) for k in range(len(REF["cases"][c]["estimates"]))]


@pytest.mark.parametrize(("case", "k"), ESTIMATES)
def test_estimators_match_r_after_calibration(case, k):
    """Each estimate's r_call in reference.json: estimate to 1e-9, SE to 1e-8 relative (seen: 6e-11)."""
    spec = REF["cases"][case]
    est = spec["estimates"][k]
    data = DATA[spec["data"]]
    design = _design(spec["data"], _weights(case))
    estimator = mean if est["kind"] == "mean" else total
    y = _num(data, est["variable"])
    if est["domain"] is None:
        got = estimator(y, design)
    else:
        column, level = est["domain"]
        got = estimator(y, design, domain=data[column])[level]
    assert got.estimate == pytest.approx(est["estimate"], rel=1e-9), est["r_call"]
    assert got.se == pytest.approx(est["se"], rel=1e-8), est["r_call"]


def test_calibrated_se_is_smaller_than_treating_weights_as_fixed():
    """R: svymean(~api00, <clus1_rake>) SE 23.70362; with postStrata removed 23.80621."""
    cl = DATA["apiclus1"]
    raked = rake(_num(cl, "pw"), _api_margins(cl))
    spec = REF["cases"]["clus1_rake"]
    fixed = mean(_num(cl, "api00"), Design(raked.weights, psu=cl["dnum"], fpc=_num(cl, "fpc")))
    calibrated = mean(_num(cl, "api00"), _design("apiclus1", raked))
    assert fixed.se == pytest.approx(spec["se_api00_ignoring_calibration"], rel=1e-6)
    assert calibrated.se == pytest.approx(spec["estimates"][0]["se"], rel=1e-6)


def test_post_stratified_total_of_the_post_strata_is_exact():
    """After postStratify on sch.wide its total is the population's 5122 with SE 0 (R: the same)."""
    st = DATA["apistrat"]
    ps = poststratify(_num(st, "pw"), st["sch_wide"], POP["sch_wide"], name="sch_wide")
    got = total((st["sch_wide"] == "Yes").astype(float), _design("apistrat", ps))
    assert got.estimate == pytest.approx(5122)
    assert got.se == pytest.approx(0, abs=1e-8)


def test_weighting_names_are_exported():
    for name in ("poststratify", "rake", "trim", "design_weights", "nonresponse_adjust", "Calibrated",
                 "WeightingError", "DesignWeights", "NonresponseAdjusted", "Trimmed"):
        assert name in analysis.__all__ and hasattr(analysis, name)
