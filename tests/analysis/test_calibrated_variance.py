"""The calibrated domain variance by the calibration's linear form equals the dense residualisation (R's svyrecvar
path, itself checked against R in test_cli.py, test_weighting_reference.py and test_report_reference.py)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import CalibrationChain, Design, poststratify, rake
from analysis._calibrated_variance import prepared
from analysis._variance import _dense, variance


def _designs():
    rng = np.random.default_rng(5)
    n = 3000
    community = rng.integers(0, 40, n)
    building = rng.integers(0, 6, n)
    sex, age = rng.integers(0, 2, n), rng.integers(0, 3, n)
    w = rng.uniform(1, 4, n)
    total = w.sum() * 1.1
    margins = [("sex", sex, {0: total * 0.48, 1: total * 0.52}),
               ("age", age, {0: total * 0.3, 1: total * 0.4, 2: total * 0.3})]
    raked = rake(w, margins)
    post = poststratify(w, age, margins[1][2])
    chain = rake(poststratify(w, age, margins[1][2]), margins)  # post-stratification, then raking
    for cal in (raked, post, chain):
        yield Design(cal.weights, strata=community, psu=building, calibration=cal.calibration), community, rng


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("domains", ["community", "crossing"])
def test_linear_form_equals_dense(case, domains):
    design, community, rng = list(_designs())[case]
    n = design.n
    dom = community if domains == "community" else rng.integers(0, 7, n)  # domains that cut across PSUs
    ndom = int(dom.max()) + 1
    member = rng.random(n) < 0.9
    y = rng.random(n)
    z = np.where(member, design.weights * (y - 0.5), 0.0)
    assert case != 2 or isinstance(design.calibration, CalibrationChain)
    assert prepared(design) is not None  # the linear form is known: variance() takes it
    v, _df = variance(design, z, member, dom, ndom)
    dense = _dense(design, z, member, dom, np.arange(ndom))
    np.testing.assert_allclose(v, dense, rtol=1e-9)
