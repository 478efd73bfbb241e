"""Estimates, SEs, intervals, df and deff against R's survey package.

Every number comes from topic ``estimates`` of reference.json (r/estimates.R, R 4.2, survey 4.1-1, written by
``Rscript tests/analysis/r/make_reference.R``); each case carries the R design call (``r_design``) and the R call
that produced its numbers (``r_call``), shown in the test id. Data: data/apistrat.csv, data/apiclus1.csv,
data/apiclus2.csv (R's ``data(api)``, r/export_api.R) and data/synthetic_domains.csv (a seeded household survey,
r/make_synthetic.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis import Design, code_rate, composite, mean, proportion, total
from tests.analysis._reference import load, numeric, reference

CASES = reference("estimates")["cases"]


def build_design(case) -> Design:
    data = load(case["data"])
    spec = case["py_design"]
    return Design(
        numeric(data[spec["weights"]]),
        strata=data[spec["strata"]] if "strata" in spec else None,
        psu=data[spec["psu"]] if "psu" in spec else None,
        fpc=numeric(data[spec["fpc"]]) if "fpc" in spec else None,
        lonely_psu=case["lonely_psu"],
    )


def run(case):
    data, design = load(case["data"]), build_design(case)
    domain = data[case["by"]] if case["by"] else None
    kind = case["kind"]
    if kind == "mean":
        return mean(numeric(data[case["variable"]]), design, domain=domain)
    if kind == "total":
        return total(numeric(data[case["variable"]]), design, domain=domain)
    if kind == "proportion":
        value = case["value"]
        y = data[case["variable"]] if isinstance(value, str) else numeric(data[case["variable"]])
        return proportion(y, design, value, domain=domain, ci_method=case["ci_method"])
    items = [code_rate(data[name], "Yes") for name in case["items"]]
    return composite(items, design, item_weights=case["item_weights"], domain=domain, ci_method="mean")


def as_list(x):
    return [x] if np.isscalar(x) else list(x)


def r_differs(case, result) -> np.ndarray:
    """Where our interval knowingly differs from R's (documented in docs/analysis.md).

    * a rate of exactly 0 or 1: R gives NaN (beta) or a degenerate interval; ours is Korn-Graubard with n* = n;
    * ``logit`` with df = 1: R's ``confint.svyglm`` turns t_1 into a normal level that rounds to 1 and
      returns [0, NaN]; we use t_1 itself.
    """
    p, df = np.atleast_1d(result.estimate), np.atleast_1d(result.df)
    edge = (p == 0) | (p == 1)
    if case["ci_method"] in ("logit", "xlogit"):
        edge |= df == 1
    return edge


@pytest.mark.parametrize("case", CASES, ids=[f"{c['design']}: {c['r_call'][:90]}" for c in CASES])
def test_matches_r(case):
    result = run(case)
    if case["by"]:
        assert list(result.labels) == case["levels"]
    for field in ("estimate", "se", "ci_low", "ci_high", "deff"):
        if field not in case:
            continue
        expected = np.array([np.nan if v is None else v for v in as_list(case[field])], dtype=float)
        got = np.atleast_1d(getattr(result, field))
        if field.startswith("ci_") and case["kind"] == "proportion":
            known = r_differs(case, result)
            got, expected = got[~known], expected[~known]
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10, err_msg=f"{field}: {case['r_call']}")
    np.testing.assert_array_equal(np.atleast_1d(result.df), as_list(case["df"]))
    np.testing.assert_array_equal(np.atleast_1d(result.n), as_list(case["n"]))


def test_statistics_doc_reference_values():
    """The numbers quoted in the statistics conventions and docs/analysis.md (apiclus1, R: svyciprop /
    svymean(deff=TRUE))."""
    data = load("apiclus1.csv")
    design = Design(numeric(data["pw"]), psu=data["dnum"], fpc=numeric(data["fpc"]))
    beta = proportion(data["sch.wide"], design, "Yes", ci_method="beta")
    assert beta.estimate == pytest.approx(0.874317, abs=1e-6)
    assert beta.se == pytest.approx(0.020359, abs=1e-6)
    assert (beta.ci_low, beta.ci_high) == pytest.approx((0.823702, 0.914704), abs=1e-6)
    logit = proportion(data["sch.wide"], design, "Yes")
    assert (logit.ci_low, logit.ci_high) == pytest.approx((0.823799, 0.911900), abs=1e-6)
    wald = proportion(data["sch.wide"], design, "Yes", ci_method="mean")
    assert (wald.ci_low, wald.ci_high) == pytest.approx((0.830650, 0.917984), abs=1e-6)
    assert mean(numeric(data["api00"]), design).deff == pytest.approx(9.3459, abs=1e-4)
    # options(survey.lonely.psu=...); svymean(~api00, svydesign(id=~1, strata=~dnum, weights=~pw, data=apiclus1))
    for policy, se in (("remove", 5.8058), ("adjust", 5.8281), ("average", 6.0096)):
        lonely = Design(numeric(data["pw"]), strata=data["dnum"], lonely_psu=policy)
        assert mean(numeric(data["api00"]), lonely).se == pytest.approx(se, abs=1e-4)
