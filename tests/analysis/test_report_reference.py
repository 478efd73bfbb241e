"""Report cards and Fay-Herriot against R (topic ``report`` of reference.json, written by r/report.R).

Every item rate (also without code 9, and the share of code 9), item score and indicator at city, district, street
and community level of two raked rounds (take-all, srs): estimate to 1e-9 relative, SE and interval to 1e-6,
df and n exactly. The R calls are in reference.json ("calls", "design") and r/report.R. Rate intervals are
R's ``svyciprop(method="logit")``, except on the units where it returns a degenerate [0, 0] (on subsets of the raked
design that keep the other rows with weight 0; marked ``degenerate``, fewer than a quarter of a level's units):
there the same logit interval computed in R from its p, SE and degf. Rates of exactly 0 or 1 have our documented
Korn-Graubard interval, not R's.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import fay_herriot
from tests.analysis._reference import reference
from tests.analysis._report_data import INDICATORS, ITEMS, card

R = reference("report")
LEVELS = ("city", "district", "street", "community")
ROUNDS = ("takeall", "srs")


def _close(ours, theirs, rtol, atol=1e-12):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=rtol, atol=atol)


def _check(est, r, kind):
    assert list(est.labels) == list(np.atleast_1d(r["units"]))
    _close(est.estimate, r["estimate"], 1e-9)
    _close(est.se, r["se"], 1e-6)
    assert est.df.tolist() == np.atleast_1d(r["df"]).astype(int).tolist()
    assert est.n.tolist() == np.atleast_1d(r["n"]).astype(int).tolist()
    p = np.asarray(est.estimate)
    inner = (p > 0) & (p < 1) if kind == "rate" else np.ones(p.shape, dtype=bool)  # R: NaN / [1, 1] at 0 and 1
    low, high = (np.array(np.atleast_1d(r[k]), dtype=float) for k in ("ci_low", "ci_high"))
    if "degenerate" in r:  # where svyciprop's interval is [0, 0]: the logit interval from R's p, SE and degf
        warned = np.atleast_1d(r["degenerate"]).astype(bool) & inner
        low[warned] = np.array(np.atleast_1d(r["formula_low"]), dtype=float)[warned]
        high[warned] = np.array(np.atleast_1d(r["formula_high"]), dtype=float)[warned]
        assert warned.mean() < 0.25
    _close(est.ci_low[inner], low[inner], 1e-6)
    _close(est.ci_high[inner], high[inner], 1e-6)


@pytest.mark.parametrize("round_", ROUNDS)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("item", [i.code for i in ITEMS])
def test_item_matches_r(round_, level, item):
    """svyciprop(~I(y %in% positive), subset(design, unit & !is.na(y)), method="logit") per unit (rates),
    svymean + confint(df=degf) (scores); rates also without code 9 and the share of code 9."""
    entry = card(round_).get(level, f"item:{item}")
    r = R["rounds"][round_]["items"][item][level]
    _check(entry.estimates, r, entry.kind)
    if entry.kind == "rate":
        for part in ("without_9", "share_9"):
            _close(getattr(entry, part).estimate, r[part]["estimate"], 1e-9)
            _close(getattr(entry, part).se, r[part]["se"], 1e-6)


@pytest.mark.parametrize("round_", ROUNDS)
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("indicator", [i.code for i in INDICATORS])
def test_indicator_matches_r(round_, level, indicator):
    """svycontrast(svyratio(~n_1+n_2, ~v_1+v_2, subset(design, unit & any valid), covmat=TRUE), a/sum(a))."""
    entry = card(round_).get(level, indicator)
    _check(entry.estimates, R["rounds"][round_]["indicators"][indicator][level], entry.kind)


@pytest.mark.parametrize("case", ["street", "last_round", "intercept"])
def test_fay_herriot_matches_metafor(case):
    """rma(yi, vi, mods=, method="REML") (tau2, coefficients), blup() (EBLUPs), g1 + g2 + 2 g3 in R."""
    r = R["fay_herriot"][case]
    covariates = None if case != "last_round" else np.asarray(r["covariate"], dtype=float)
    groups = r["covariate"] if case == "street" else None
    fh = fay_herriot(r["yi"], r["vi"], covariates, groups=groups)
    assert fh.used.all()
    _close(fh.sigma2_u, r["sigma2_u"], 1e-6)
    _close(fh.beta, r["beta"], 1e-6)
    _close(fh.eblup, r["eblup"], 1e-6)
    for name in ("g1", "g2", "g3", "mse"):
        _close(getattr(fh, name), r[name], 1e-6)


def test_fay_herriot_on_the_report_card():
    """The platform's path: the card's community rates of `aware` and their SEs are R's yi, vi."""
    est = card("srs").get("community", "aware").estimates
    r = R["fay_herriot"]["street"]
    ok = est.se > 0
    assert list(np.asarray(est.labels)[ok]) == r["units"]
    streets = [u[:-2] for u in est.labels]
    fh = fay_herriot(est.estimate, est.se**2, groups=streets)
    _close(fh.eblup[ok], r["eblup"], 1e-6)
    assert np.isnan(fh.eblup[~ok]).all()
