"""Post-stratification, raking and trimming against R's survey package.

Every reference number comes from tests/analysis/weighting/make_reference.R (R 4.2, survey 4.1-1), which
wrote reference.json; each case and estimate there carries the R call that produced it (``r_call``).
Standard errors here use a minimal Taylor-linearisation (strata, PSUs, first-stage FPC) written in this
file, so that they test ``calibration.residualize`` on its own; test_weighting_estimators.py checks the
same numbers through the package's estimators.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis._calibration import poststratify, rake
from analysis._weighting import trim
from tests.analysis._weighting_data import DATA, POP, REF, num


def design_of(data_name):
    """(strata, psu, population PSU count per row or None) of the R svydesign call of each data set."""
    d = DATA[data_name]
    if data_name == "apistrat":  # svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
        return d["stype"], np.arange(d["stype"].shape[0]).astype(str), num(d, "fpc")
    if data_name == "apiclus1":  # svydesign(id=~dnum, weights=~pw, fpc=~fpc)
        return np.zeros(d["dnum"].shape[0]).astype(str), d["dnum"], num(d, "fpc")
    return d["district"], d["community"], None  # svydesign(id=~community, strata=~district, nest=TRUE)


def calibrate(case_name):
    """Our calls that mirror each R design in make_reference.R."""
    st, cl, sy = DATA["apistrat"], DATA["apiclus1"], DATA["synthetic"]
    def m_api(d):
        return [("stype", d["stype"], POP["stype"]), ("sch_wide", d["sch_wide"], POP["sch_wide"])]

    m_syn = [(k, sy[k], POP[k]) for k in ("age", "sex", "edu")]
    upper = REF["bounds"]["syn_rake_trim_upper"]
    return {
        "strat_ps_stype": lambda: poststratify(num(st, "pw"), st["stype"], POP["stype"], name="stype"),
        "strat_ps_schwide": lambda: poststratify(num(st, "pw"), st["sch_wide"], POP["sch_wide"]),
        "clus1_ps_stype": lambda: poststratify(num(cl, "pw"), cl["stype"], POP["stype"]),
        "clus1_ps_stype_schwide": lambda: poststratify(
            poststratify(num(cl, "pw"), cl["stype"], POP["stype"]), cl["sch_wide"], POP["sch_wide"]),
        "strat_rake": lambda: rake(num(st, "pw"), m_api(st)),
        "clus1_rake": lambda: rake(num(cl, "pw"), m_api(cl)),
        "syn_ps_cell": lambda: poststratify(
            num(sy, "w"), np.char.add(np.char.add(sy["age"], "|"), sy["sex"]), POP["age_sex"]),
        "syn_rake": lambda: rake(num(sy, "w"), m_syn),
        "clus1_rake_trim": lambda: trim(rake(num(cl, "pw"), m_api(cl)), lower=32, upper=55),
        "clus1_rake_trim_strict": lambda: trim(rake(num(cl, "pw"), m_api(cl)), upper=55, strict=True),
        "syn_rake_trim": lambda: trim(rake(num(sy, "w"), m_syn), upper=upper),
        "syn_rake_trim_strict": lambda: trim(rake(num(sy, "w"), m_syn), upper=upper, strict=True),
    }[case_name]()


def linearised_se(w, y, domain, strata, psu, popsize, calibration, kind):
    """SE of a (domain) mean or total: z as in docs statistics.md, residualised, summed by PSU."""
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
    data = DATA[spec["data"]]
    result = calibrate(case)
    y = num(data, est["variable"])
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
    d = DATA["apiclus1"]
    result = calibrate("clus1_rake")
    strata, psu, popsize = design_of("apiclus1")

    class Fixed:
        residualize = staticmethod(lambda z: z)

    ones = np.ones(psu.shape[0], bool)
    fixed = linearised_se(result.weights, num(d, "api00"), ones, strata, psu, popsize, Fixed, "mean")
    calibrated = linearised_se(result.weights, num(d, "api00"), ones, strata, psu, popsize,
                               result.calibration, "mean")
    assert fixed == pytest.approx(spec["se_api00_ignoring_calibration"], rel=1e-6)
    assert calibrated < fixed


def test_residualize_keeps_shape_and_handles_columns_together():
    result = calibrate("syn_rake")
    sy = DATA["synthetic"]
    z = np.column_stack([num(sy, "score"), num(sy, "aware")]) * np.asarray(result.weights)[:, None]
    both = result.calibration.residualize(z)
    assert both.shape == z.shape
    np.testing.assert_allclose(both[:, 1], result.calibration.residualize(z[:, 1]), rtol=1e-12)
    ps = calibrate("clus1_ps_stype_schwide")
    zc = np.outer(np.asarray(ps.weights), [1.0, 2.0])
    np.testing.assert_allclose(ps.calibration.residualize(zc)[:, 1], ps.calibration.residualize(zc[:, 1]))
