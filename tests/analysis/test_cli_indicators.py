"""``--indicator`` and ``--questionnaire``: composite indicators from an exported file in one command.

R's numbers: the composite cases of topic ``estimates`` (r/estimates.R): ``svycontrast(svymean(~I(sch.wide=="Yes") +
I(comp.imp=="Yes") + I(both=="Yes"), des), c(.5, .3, .2))`` on apiclus1, with ``confint(., df=degf(des))``, computed
here from data/api_indicators.yaml (those items coded 1 = Yes, 2 = No, weights 5, 3, 2).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from analysis import Design, code_rate, code_score, composite
from analysis.__main__ import main
from questionnaires import BUILTIN_DIR
from tests.analysis._reference import DATA_DIR, reference

QUESTIONNAIRE = DATA_DIR / "api_indicators.yaml"
COMPOSITES = [c for c in reference("estimates")["cases"]
              if c["kind"] == "composite" and c["data"] == "apiclus1.csv"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """apiclus1 as an export would hold it: the three Yes/No items as answer codes (1 = Yes, 2 = No), plus 0/1."""
    frame = pd.read_csv(DATA_DIR / "apiclus1.csv", keep_default_na=False, na_values=[""])
    for column in ("sch.wide", "comp.imp", "both"):
        item, yes = column.replace(".", "_"), frame[column] == "Yes"
        frame[item] = np.where(yes, 1, 2)  # replaces 'both' itself
        frame[f"{item}01"] = np.where(yes, 1, 0)
    path = tmp_path_factory.mktemp("export") / "export.csv"
    frame.to_csv(path, index=False)
    return path


def base(path):
    return ["estimate", path, "--weights", "pw", "--psu", "dnum", "--fpc", "fpc"]


@pytest.mark.parametrize("case", COMPOSITES, ids=[c["r_call"][:100] for c in COMPOSITES])
def test_questionnaire_indicator_matches_r(case, export):
    by = ["--by", case["by"]] if case["by"] else []
    status, out, err = run([*base(export), *by, "--questionnaire", QUESTIONNAIRE, "--indicator", "targets_rate",
                            "--ci-method", "mean"])
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    assert {r["variable"] for r in rows} == {"targets_rate"}
    if case["by"]:
        assert [r["domain"] for r in rows] == case["levels"]
    for field in ("estimate", "se", "ci_low", "ci_high"):
        expected = np.atleast_1d(np.array(case[field], dtype=float))
        np.testing.assert_allclose([r[field] for r in rows], expected, rtol=1e-7, err_msg=field)
    assert [r["df"] for r in rows] == list(np.atleast_1d(case["df"]))


def api_design(path):
    frame = pd.read_csv(path)
    return frame, Design("pw", psu="dnum", fpc="fpc", data=frame)


def test_questionnaire_alone_estimates_all_its_indicators(export):
    status, out, err = run([*base(export), "--questionnaire", QUESTIONNAIRE])
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    assert [r["variable"] for r in rows] == ["targets_rate", "targets_index"]
    frame, design = api_design(export)
    scores = [code_score(frame[item], {1: 100, 2: 0}) for item in ("sch_wide", "comp_imp")]
    index = composite(scores, design, kind="score")  # a score: Wald interval with the design df
    assert (rows[1]["estimate"], rows[1]["se"], rows[1]["ci_low"]) == pytest.approx(
        (index.estimate, index.se, index.ci_low), rel=1e-12)


def test_ad_hoc_indicator_uses_positive_sets_and_equal_weights(export):
    status, out, err = run([*base(export), "--questionnaire", QUESTIONNAIRE, "--indicator",
                            "yes_rate=sch_wide,comp_imp,both", "--by", "stype"])
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    frame, design = api_design(export)
    items = [code_rate(frame[item], [1]) for item in ("sch_wide", "comp_imp", "both")]
    expected = composite(items, design, domain="stype")  # logit interval (the default --ci-method)
    assert [r["domain"] for r in rows] == list(expected.labels)
    np.testing.assert_allclose([r["estimate"] for r in rows], expected.estimate, rtol=1e-12)
    np.testing.assert_allclose([r["ci_high"] for r in rows], expected.ci_high, rtol=1e-12)
    # the same items already coded 0/1 need no questionnaire
    status, out, err = run([*base(export), "--indicator", "yes_rate=sch_wide01,comp_imp01,both01", "--by", "stype"])
    assert status == 0, err
    np.testing.assert_allclose([r["estimate"] for r in json.loads(out)["estimates"]], expected.estimate, rtol=1e-12)


def test_awareness_rate_of_the_builtin_questionnaire_from_an_export(tmp_path):
    """知晓率 by community from an export of the civility survey: one command."""
    rng = np.random.default_rng(11)
    n = 400
    frame = pd.DataFrame({"community": rng.choice(["C001", "C002", "C010"], n), "psu": rng.integers(1, 9, n),
                          "final_weight": rng.uniform(50, 150, n).round(2)})
    for item in ("A1", "A2", "A3", "A4", "A5"):
        frame[item] = rng.choice([1, 2, 3, 9], n)
    frame.loc[rng.random(n) < 0.1, "A3"] = np.nan  # skipped
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    status, out, err = run(["estimate", path, "--weights", "final_weight", "--strata", "community", "--psu", "psu",
                            "--by", "community", "--questionnaire", BUILTIN_DIR / "civility-household.yaml",
                            "--indicator", "awareness_rate"])
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    assert [r["domain"] for r in rows] == ["C001", "C002", "C010"]
    design = Design("final_weight", strata="community", psu="psu", data=frame)
    from questionnaires import builtin

    q = builtin()
    items = [code_rate(frame[code], sorted(q.item(code).positive)) for code in ("A1", "A2", "A3", "A4", "A5")]
    expected = composite(items, design, domain="community")
    np.testing.assert_allclose([r["estimate"] for r in rows], expected.estimate, rtol=1e-12)
    np.testing.assert_allclose([r["se"] for r in rows], expected.se, rtol=1e-12)


ERRORS = [
    (["--indicator", "x=sch_wide,comp_imp"], "column 'sch_wide' has 2 at row 16; without --questionnaire the items "
                                            "must be 0/1"),
    (["--indicator", "targets_rate"], "a bare indicator code needs --questionnaire FILE"),
    (["--indicator", "x="], "--indicator: expected NAME=ITEM1,ITEM2,..., got 'x='"),
    (["--indicator", "x=sch_wide,,both"], "--indicator x: an empty item in 'sch_wide,,both'"),
    (["--questionnaire", QUESTIONNAIRE, "--indicator", "nope"],
     "has no indicator 'nope' (indicators: targets_rate, targets_index)"),
    (["--questionnaire", QUESTIONNAIRE, "--indicator", "x=sch_wide,A9"], "api_indicators.yaml has no item 'A9'"),
    (["--questionnaire", QUESTIONNAIRE, "--indicator", "x=sch_wide,api00"], "has no item 'api00'"),
    (["--questionnaire", DATA_DIR / "apiclus1.csv"], "--questionnaire"),
    (["--questionnaire", DATA_DIR / "missing.yaml"], "missing.yaml"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[m[:60] for _, m in ERRORS])
def test_indicator_errors_are_one_line(export, args, message):
    status, out, err = run([*base(export), *args])
    assert status == 2 and out == "" and err.count("\n") == 1
    assert message in err


def test_item_column_missing_from_the_file(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("pw,sch_wide\n1,1\n")
    status, _, err = run(["estimate", data, "--weights", "pw", "--questionnaire", QUESTIONNAIRE,
                          "--indicator", "targets_rate"])
    assert status == 2 and "unknown column 'comp_imp'" in err
