"""``python -m analysis estimate``: output format, R's numbers on calibrated designs, and one-line errors.

The calibrated cases (``cli_cases`` of topic ``estimates`` in reference.json) come from r/estimates.R: R's
``postStratify`` / ``rake`` on the apiclus1 design, then ``svymean`` and ``svyciprop``; each carries its ``r_call``.
Data and margins: tests/analysis/data/.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.__main__ import main
from tests.analysis._reference import DATA_DIR, reference

ROOT = Path(__file__).resolve().parents[2]
CLI_CASES = reference("estimates")["cli_cases"]
CLUS1 = ["estimate", "apiclus1.csv", "--weights", "pw", "--psu", "dnum", "--fpc", "fpc"]


def run(argv, tmp=None):
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def in_data_dir(monkeypatch):
    monkeypatch.chdir(DATA_DIR)


@pytest.mark.parametrize("case", CLI_CASES, ids=[c["r_call"][:110] for c in CLI_CASES])
def test_calibrated_designs_match_r(case):
    status, out, err = run(case["argv"])
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    got = {f: np.array([np.nan if r[f] is None else r[f] for r in rows], dtype=float) for f in list(rows[0])[2:]}
    p = got["estimate"]
    # Rates of 0 or 1 (our documented interval; deff undefined) and a rate the weights were raked to (se = 0 up
    # to rounding: our interval is the point, R's beta gives NaN): see rate_interval's notes.
    edge = np.isclose(p, 0) | np.isclose(p, 1) | (got["se"] < 1e-10)
    for field in ("estimate", "se", "ci_low", "ci_high", "deff"):
        expected = np.array([np.nan if v is None else v for v in case[field]], dtype=float)
        keep = ~edge if field in ("ci_low", "ci_high", "deff") else slice(None)
        np.testing.assert_allclose(got[field][keep], expected[keep], rtol=1e-7, atol=1e-12, err_msg=field)
    np.testing.assert_array_equal(got["df"], case["df"])
    if case["levels"]:
        assert [r["domain"] for r in rows] == case["levels"] * 2


def test_json_shape_without_by():
    status, out, _ = run([*CLUS1, "--mean", "api00", "--proportion", "sch.wide=Yes"])
    assert status == 0
    rows = json.loads(out)["estimates"]
    assert [r["variable"] for r in rows] == ["api00", "sch.wide=Yes"]
    assert all(r["domain"] is None for r in rows)
    assert list(rows[0]) == ["variable", "domain", "estimate", "se", "ci_low", "ci_high", "df", "deff", "n", "n_eff"]
    # R: svyciprop(~I(sch.wide=="Yes"), svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1))
    assert rows[1]["estimate"] == pytest.approx(0.874317, abs=1e-6)
    assert (rows[1]["ci_low"], rows[1]["ci_high"]) == pytest.approx((0.823799, 0.911900), abs=1e-6)


def test_csv_output_and_integer_domains_sort_numerically():
    status, out, _ = run([*CLUS1, "--by", "dnum", "--proportion", "sch.wide=Yes", "--format", "csv"])
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "variable,domain,estimate,se,ci_low,ci_high,df,deff,n,n_eff"
    domains = [int(line.split(",")[1]) for line in lines[1:]]
    assert domains == sorted(domains) and len(domains) == 15


def test_code_sets_and_numeric_codes(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,q\n1,1\n1,2\n1,3\n1,\n2,3.0\n")
    status, out, _ = run(["estimate", str(data), "--weights", "w", "--proportion", "q=2,3"])
    assert status == 0
    row = json.loads(out)["estimates"][0]
    assert row["variable"] == "q=2,3" and row["n"] == 4
    assert row["estimate"] == pytest.approx(4 / 5)


def test_no_interval_is_null_in_json(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,s,y\n1,a,1\n1,a,0\n")
    status, out, _ = run(["estimate", str(data), "--weights", "w", "--strata", "s", "--psu", "s",
                          "--lonely-psu", "certainty", "--proportion", "y=1"])
    assert status == 0
    row = json.loads(out)["estimates"][0]
    assert row["df"] == 0 and row["ci_low"] is None and row["ci_high"] is None


ERRORS = [
    (["estimate", "apiclus1.csv", "--weights", "nope", "--mean", "api00"], "unknown column 'nope'"),
    (["estimate", "apiclus1.csv", "--weights", "pw", "--mean", "nope"], "unknown column 'nope'"),
    (["estimate", "apiclus1.csv", "--weights", "stype", "--mean", "api00"], "column 'stype': non-numeric value"),
    (["estimate", "apiclus1.csv", "--weights", "pw", "--mean", "stype"], "column 'stype': non-numeric value"),
    (["estimate", "apiclus1.csv", "--weights", "pw", "--strata", "dnum", "--mean", "api00"],
     "stratum '413' has only one PSU"),
    ([*CLUS1, "--poststratify", "stype=margins_bad_total.csv", "--mean", "api00"], "level 'H'"),
    ([*CLUS1, "--poststratify", "stype=margins_missing_level.csv", "--mean", "api00"], "sample level 'M'"),
    ([*CLUS1, "--poststratify", "stype=margins_extra_level.csv", "--mean", "api00"], "population level 'X'"),
    ([*CLUS1, "--rake", "stype=margins_stype.csv", "sch.wide=margins_schwide_other_total.csv", "--mean", "api00"],
     "total"),
    ([*CLUS1, "--poststratify", "stype=margins_schwide.csv", "--mean", "api00"], "header must be 'stype,total'"),
    ([*CLUS1, "--poststratify", "stype", "--mean", "api00"], "expected COL=MARGINS.csv"),
    ([*CLUS1, "--proportion", "sch.wide", "--mean", "api00"], "expected COL=VALUE"),
    (CLUS1, "nothing to estimate"),
    ([*CLUS1, "--mean", "api00", "--ci-method", "exact"], "invalid choice: 'exact'"),
    ([*CLUS1, "--mean", "api00", "--level", "95"], "level"),
    (["estimate", "missing.csv", "--weights", "pw", "--mean", "api00"], "missing.csv"),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS, ids=[m for _, m in ERRORS])
def test_errors_are_one_line_with_status_2(argv, message, tmp_path):
    (DATA_DIR / "margins_stype.csv").read_text()
    status, out, err = run(argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("analysis: error: ")
    assert message in err


def test_negative_weight_names_the_row(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,y\n1,2\n-1,3\n")
    status, _, err = run(["estimate", str(data), "--weights", "w", "--mean", "y"])
    assert status == 2 and "negative weight -1 at row 2" in err and "'w'" in err


def test_raking_that_does_not_converge(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,a,b,y\n1,x,u,1\n1,y,v,2\n")  # a and b are the same split: 10/10 cannot be 15/5
    (tmp_path / "a.csv").write_text("a,total\nx,10\ny,10\n")
    (tmp_path / "b.csv").write_text("b,total\nu,15\nv,5\n")
    status, _, err = run(["estimate", str(data), "--weights", "w", "--rake", f"a={tmp_path / 'a.csv'}",
                          f"b={tmp_path / 'b.csv'}", "--mean", "y"])
    assert status == 2 and "did not converge" in err


def test_python_dash_m_exits_2_without_traceback():
    proc = subprocess.run([sys.executable, "-m", "analysis", "estimate", str(DATA_DIR / "apiclus1.csv"),
                           "--weights", "pw", "--mean", "nope"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    proc = subprocess.run([sys.executable, "-m", "analysis", "estimate", str(DATA_DIR / "apiclus1.csv"),
                           "--weights", "pw", "--mean", "api00"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["estimates"][0]["n"] == 183
