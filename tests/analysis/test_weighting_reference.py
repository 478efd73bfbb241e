"""Post-stratification, raking and trimming against R's survey package.

Every reference number comes from topic ``weighting`` of tests/analysis/reference.json (r/weighting.R, R 4.2,
survey 4.1-1, written by ``Rscript tests/analysis/r/make_reference.R``); each case and estimate there carries the
R call that produced it (``r_call``). Data: data/apistrat.csv, data/apiclus1.csv, data/synthetic_weighting.csv.
Standard errors here use a minimal Taylor-linearisation (strata, PSUs, first-stage FPC) written in this
file, so that they test ``calibration.residualize`` on its own; test_weighting_estimators.py checks the
same numbers through the package's estimators.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import poststratify, rake, trim
from tests.analysis._reference import load, numeric, reference

REF = reference("weighting")
POP = REF["populations"]


def design_of(data_name):
    """(strata, psu, population PSU count per row or None) of the R svydesign call of each data set."""
    d = load(data_name)
    if data_name == "apistrat.csv":  # svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
        return d["stype"], np.arange(d["stype"].shape[0]).astype(str), numeric(d["fpc"])
    if data_name == "apiclus1.csv":  # svydesign(id=~dnum, weights=~pw, fpc=~fpc)
        return np.zeros(d["dnum"].shape[0]).astype(str), d["dnum"], numeric(d["fpc"])
    return d["district"], d["community"], None  # svydesign(id=~community, strata=~district, nest=TRUE)


def calibrate(case_name):
    """Our calls that mirror each R design in r/weighting.R."""
    st, cl, sy = load("apistrat.csv"), load("apiclus1.csv"), load("synthetic_weighting.csv")
    def m_api(d):
        return [("stype", d["stype"], POP["stype"]), ("sch.wide", d["sch.wide"], POP["sch.wide"])]

    m_syn = [(k, sy[k], POP[k]) for k in ("age", "sex", "edu")]
    upper = REF["bounds"]["syn_rake_trim_upper"]
    return {
        "strat_ps_stype": lambda: poststratify(numeric(st["pw"]), st["stype"], POP["stype"], name="stype"),
        "strat_ps_schwide": lambda: poststratify(numeric(st["pw"]), st["sch.wide"], POP["sch.wide"]),
        "clus1_ps_stype": lambda: poststratify(numeric(cl["pw"]), cl["stype"], POP["stype"]),
        "clus1_ps_stype_schwide": lambda: poststratify(
            poststratify(numeric(cl["pw"]), cl["stype"], POP["stype"]), cl["sch.wide"], POP["sch.wide"]),
        "strat_rake": lambda: rake(numeric(st["pw"]), m_api(st)),
        "clus1_rake": lambda: rake(numeric(cl["pw"]), m_api(cl)),
        "syn_ps_cell": lambda: poststratify(
            numeric(sy["w"]), np.char.add(np.char.add(sy["age"], "|"), sy["sex"]), POP["age_sex"]),
        "syn_rake": lambda: rake(numeric(sy["w"]), m_syn),
        "clus1_rake_trim": lambda: trim(rake(numeric(cl["pw"]), m_api(cl)), lower=32, upper=55),
        "clus1_rake_trim_strict": lambda: trim(rake(numeric(cl["pw"]), m_api(cl)), upper=55, strict=True),
        "syn_rake_trim": lambda: trim(rake(numeric(sy["w"]), m_syn), upper=upper),
        "syn_rake_trim_strict": lambda: trim(rake(numeric(sy["w"]), m_syn), upper=upper, strict=True),
    }[case_name]()


def linearised_se(w, y, domain, strata, psu, popsize, calibration, kind):
    """SE of a (domain) mean or total: z_i = w_i d_i (y_i - ybar_D) / sum(w d) (total: w_i d_i y_i), residualised,
    summed by PSU: R's Taylor linearisation (svyrecvar)."""
    d = domain.astype(float)
    if kind == "mean":
        ybar = np.sum(w * d * y) / np.sum(w * d)
        z = w * d * (y - ybar) / np.sum(w * d)
    else:
        z = w * d * y
    z = calibration.residualize(z)
    var = 0.0
    for h in np.unique(strata):
        rows = strata == h
        _, inv = np.unique(psu[rows], return_inverse=True)
        totals = np.bincount(inv, weights=z[rows])
        n_h = totals.shape[0]
        f_h = 0.0 if popsize is None else n_h / popsize[rows][0]
        var += (1 - f_h) * n_h / (n_h - 1) * np.sum((totals - totals.mean()) ** 2)
    return float(np.sqrt(var))


CASES = sorted(REF["cases"])
ESTIMATES = [(c, k) for c in CASES for k in range(len(REF["cases"][c]["estimates"]))]


@pytest.mark.parametrize("case", CASES)
def test_weights_match_r(case):
    """weights(<R design>) of each case in reference.json, to 1e-9 relative (raking to tol 1e-10)."""
    ref = np.array(REF["cases"][case]["weights"])
    np.testing.assert_allclose(calibrate(case).weights, ref, rtol=1e-9, atol=0)


@pytest.mark.parametrize(("case", "k"), ESTIMATES)
def test_estimate_and_se_match_r(case, k):
    """svymean/svytotal(..., <R design>) and its SE, to 1e-8 relative (r_call in reference.json)."""
    spec = REF["cases"][case]
    est = spec["estimates"][k]
    data = load(spec["data"])
    result = calibrate(case)
    y = numeric(data[est["variable"]])
    dom = est["domain"]
    domain = np.ones(y.shape[0], bool) if dom is None else data[dom[0]] == dom[1]
    w = np.asarray(result.weights)
    value = np.sum(w * domain * y) / (np.sum(w * domain) if est["kind"] == "mean" else 1.0)
    strata, psu, popsize = design_of(spec["data"])
    se = linearised_se(w, y, domain, strata, psu, popsize, result.calibration, est["kind"])
    assert value == pytest.approx(est["estimate"], rel=1e-9), est["r_call"]
    assert se == pytest.approx(est["se"], rel=1e-8, abs=1e-9), est["r_call"]


def test_ignoring_the_raking_overstates_the_se():
    """R: SE(svymean(~api00, <clus1_rake with postStrata removed>)) = 23.80621 against 23.70362 with them."""
    spec = REF["cases"]["clus1_rake"]
    d = load("apiclus1.csv")
    result = calibrate("clus1_rake")
    strata, psu, popsize = design_of("apiclus1.csv")

    class Fixed:
        residualize = staticmethod(lambda z: z)

    ones = np.ones(psu.shape[0], bool)
    fixed = linearised_se(result.weights, numeric(d["api00"]), ones, strata, psu, popsize, Fixed, "mean")
    calibrated = linearised_se(result.weights, numeric(d["api00"]), ones, strata, psu, popsize,
                               result.calibration, "mean")
    assert fixed == pytest.approx(spec["se_api00_ignoring_calibration"], rel=1e-6)
    assert calibrated < fixed


def test_residualize_keeps_shape_and_handles_columns_together():
    result = calibrate("syn_rake")
    sy = load("synthetic_weighting.csv")
    z = np.column_stack([numeric(sy["score"]), numeric(sy["aware"])]) * np.asarray(result.weights)[:, None]
    both = result.calibration.residualize(z)
    assert both.shape == z.shape
    np.testing.assert_allclose(both[:, 1], result.calibration.residualize(z[:, 1]), rtol=1e-12)
    ps = calibrate("clus1_ps_stype_schwide")
    zc = np.outer(np.asarray(ps.weights), [1.0, 2.0])
    np.testing.assert_allclose(ps.calibration.residualize(zc)[:, 1], ps.calibration.residualize(zc[:, 1]))
