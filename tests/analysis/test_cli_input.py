"""``python -m analysis estimate``: input formats, options given twice, bad input that used to give silent numbers.

R's numbers: topic ``estimates`` of reference.json (r/estimates.R; the R call is in each test id), the mean and
proportion cases run through the command line on the same data written as .csv, .csv.gz, .parquet, .sav and .dta.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv
import pyarrow.parquet
import pyreadstat
import pytest

from analysis.__main__ import main
from tests.analysis._reference import DATA_DIR, reference
from tests.analysis.test_r_reference import as_list, r_differs

ROOT = Path(__file__).resolve().parents[2]
CASES = [c for c in reference("estimates")["cases"] if c["kind"] in ("mean", "proportion")]
FORMATS = [".csv", ".csv.gz", ".parquet", ".sav", ".dta"]
CLUS1 = ["estimate", str(DATA_DIR / "apiclus1.csv"), "--weights", "pw", "--psu", "dnum", "--fpc", "fpc"]


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Every data set of the cases in every format: {(name, ext): path}."""
    folder = tmp_path_factory.mktemp("formats")
    paths = {}
    for name in sorted({c["data"] for c in CASES}):
        source = DATA_DIR / name
        stem = folder / Path(name).stem
        frame = pd.read_csv(source, keep_default_na=False, na_values=[""])
        frame.columns = [c.replace(".", "_") for c in frame.columns]  # SPSS / Stata names: no dots
        paths[name, ".csv"] = source
        paths[name, ".csv.gz"] = stem.with_suffix(".csv.gz")
        paths[name, ".csv.gz"].write_bytes(gzip.compress(source.read_bytes()))
        paths[name, ".parquet"] = stem.with_suffix(".parquet")
        pyarrow.parquet.write_table(pyarrow.csv.read_csv(source), paths[name, ".parquet"])
        paths[name, ".sav"] = stem.with_suffix(".sav")
        pyreadstat.write_sav(frame, paths[name, ".sav"])
        paths[name, ".dta"] = stem.with_suffix(".dta")
        pyreadstat.write_dta(frame, paths[name, ".dta"], version=15)
    return paths


def argv_for(case, path, ext):
    col = (lambda c: c.replace(".", "_")) if ext in (".sav", ".dta") else (lambda c: c)
    argv = ["estimate", path, "--lonely-psu", case["lonely_psu"]]
    for option, column in case["py_design"].items():
        argv += [f"--{option}", col(column)]
    if case["by"]:
        argv += ["--by", col(case["by"])]
    if case["kind"] == "mean":
        return [*argv, "--mean", col(case["variable"])]
    value = ",".join(str(v) for v in as_list(case["value"]))
    return [*argv, "--proportion", f"{col(case['variable'])}={value}", "--ci-method", case["ci_method"]]


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[f"{c['design']}: {c['r_call'][:80]}" for c in CASES])
def test_every_format_matches_r(case, ext, converted):
    status, out, err = run(argv_for(case, converted[case["data"], ext], ext))
    assert status == 0, err
    rows = json.loads(out)["estimates"]
    if case["by"]:
        assert [r["domain"] for r in rows] == case["levels"]

    class Result:  # what r_differs reads
        estimate = np.array([r["estimate"] for r in rows])
        df = np.array([r["df"] for r in rows])

    for field in ("estimate", "se", "ci_low", "ci_high", "deff"):
        expected = np.array([np.nan if v is None else v for v in as_list(case[field])], dtype=float)
        got = np.array([np.nan if r[field] is None else r[field] for r in rows], dtype=float)
        if field.startswith("ci_") and case["kind"] == "proportion":
            known = r_differs(case, Result)
            got, expected = got[~known], expected[~known]
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10, err_msg=f"{field}: {case['r_call']}")
    assert [r["n"] for r in rows] == as_list(case["n"])


def test_rake_repeated_flag_equals_one_flag_with_several_margins(monkeypatch):
    """Regression: ``--rake a --rake b`` used to keep only b (wrong weights without a word)."""
    case = next(c for c in reference("estimates")["cli_cases"] if "--rake" in c["argv"] and "--by" not in c["argv"])
    monkeypatch.chdir(DATA_DIR)
    argv = case["argv"]
    i = argv.index("--rake")
    repeated = [*argv[:i], "--rake", argv[i + 1], "--rake", argv[i + 2], *argv[i + 3:]]
    outputs = []
    for form in (argv, repeated):
        status, out, err = run(form)
        assert status == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]
    # R: case["r_call"], the raked design on both margins
    got = [r["estimate"] for r in json.loads(outputs[1])["estimates"]]
    np.testing.assert_allclose(got, case["estimate"], rtol=1e-7)
    status, out, _ = run(repeated[:i + 2] + argv[i + 3:])  # the first margin only: other numbers
    assert [r["estimate"] for r in json.loads(out)["estimates"]] != pytest.approx(case["estimate"], rel=1e-7)


ONCE = [
    ["--weights", "pw"], ["--strata", "stype"], ["--psu", "dnum"], ["--fpc", "fpc"], ["--by", "stype"],
    ["--lonely-psu", "fail"], ["--poststratify", "stype=margins_stype.csv"], ["--ci-method", "beta"],
    ["--level", "0.9"], ["--format", "csv"], ["--questionnaire", "q.yaml"],
]


@pytest.mark.parametrize("option", ONCE, ids=[o[0] for o in ONCE])
def test_single_valued_option_given_twice_is_an_error(option):
    argv = ["estimate", str(DATA_DIR / "apiclus1.csv"), "--weights", "pw", "--mean", "api00", *option, *option]
    if option[0] == "--weights":
        argv = argv[:-2]
    status, out, err = run(argv)
    assert status == 2 and out == ""
    assert err == f"analysis: error: {option[0]} given twice; it takes one value\n"


def test_same_column_raked_twice_is_an_error():
    margins = str(DATA_DIR / "margins_stype.csv")
    status, _, err = run([*CLUS1, "--rake", f"stype={margins}", "--rake", f"stype={margins}", "--mean", "api00"])
    assert status == 2 and "--rake: column 'stype' has two margins" in err


def test_duplicated_column_name_is_an_error(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,y,y\n1,2,3\n1,4,5\n")
    status, _, err = run(["estimate", data, "--weights", "w", "--mean", "y"])
    assert status == 2 and f"{data}: column name 'y' appears twice (columns 2 and 3)" in err


def test_weights_that_overflow_are_an_error(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,y\n1e308,1\n1e308,2\n")
    status, _, err = run(["estimate", data, "--weights", "w", "--mean", "y"])
    assert status == 2 and "--weights column 'w'" not in err  # the message names the column once, plainly
    assert "column 'w': the weights overflow" in err and "rescale them" in err
    data.write_text("w,y\n1e999,1\n1,2\n")
    status, _, err = run(["estimate", data, "--weights", "w", "--mean", "y"])
    assert status == 2 and "column 'w': infinite value at row 1" in err


def test_proportion_value_that_never_occurs_warns(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,q,t\n1,1,yes\n1,2,no\n1,5,yes\n")
    status, out, err = run(["estimate", data, "--weights", "w", "--proportion", "q=4,5", "--proportion", "t=Yes"])
    assert status == 0
    assert err.splitlines() == [
        "analysis: warning: --proportion q=4,5: value 4 never occurs in column 'q' (values from 1 to 5)",
        "analysis: warning: --proportion t=Yes: value 'Yes' never occurs in column 't'",
    ]
    rows = json.loads(out)["estimates"]
    assert rows[0]["estimate"] == pytest.approx(1 / 3) and rows[1]["estimate"] == 0


def test_proportion_text_value_on_numeric_column_is_an_error(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,q\n1,1\n1,2\n")
    status, _, err = run(["estimate", data, "--weights", "w", "--proportion", "q=yes"])
    assert status == 2 and "column 'q' holds numbers and 'yes' is not a number" in err


def test_text_domains_keep_leading_zeros_and_integers_sort_as_numbers(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("w,code,num,y\n1,0101,10,1\n1,0102,2,0\n1, 0101 ,2,1\n")
    status, out, _ = run(["estimate", data, "--weights", "w", "--by", "code", "--mean", "y"])
    assert [r["domain"] for r in json.loads(out)["estimates"]] == ["0101", "0102"]
    status, out, _ = run(["estimate", data, "--weights", "w", "--by", "num", "--mean", "y"])
    assert [r["domain"] for r in json.loads(out)["estimates"]] == ["2", "10"]


@pytest.mark.parametrize(("content", "name", "message"), [
    ("w,y\n1,2\n3\n", "d.csv", "Expected 2 columns, got 1"),
    ("", "d.csv", "empty file"),
    ("w,y\n", "d.csv", "no data rows"),
    ("w,y\n1,2\n", "d.txt", "unknown file type; expected one of .csv, .csv.gz, .parquet, .sav, .dta"),
    ("w,y\n1,a\n1,2\n", "d.csv", "column 'y': non-numeric value 'a' at row 1"),
])
def test_bad_files_are_one_line_errors(tmp_path, content, name, message):
    data = tmp_path / name
    data.write_text(content)
    status, _, err = run(["estimate", data, "--weights", "w", "--mean", "y"])
    assert status == 2 and err.count("\n") == 1 and message in err


def loaded_modules(*args) -> set[str]:
    """Top-level modules imported by ``python -m analysis ARGS`` (run in a fresh interpreter)."""
    code = ("import sys, runpy\nsys.argv = ['analysis', *sys.argv[1:]]\ntry:\n"
            "    runpy.run_module('analysis', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print('MODULES', ' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES"))
    return set(line.split()[1:])


def test_commands_import_only_what_they_need():
    heavy = {"pyarrow", "pyreadstat", "questionnaires", "scipy.stats", "pandas", "polars", "yaml"}
    assert heavy & loaded_modules("--help") == set()
    on_csv = loaded_modules("estimate", str(DATA_DIR / "apiclus1.csv"), "--weights", "pw", "--mean", "api00")
    assert "pyarrow" in on_csv and (heavy - {"pyarrow"}) & on_csv == set()
