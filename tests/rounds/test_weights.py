"""A round's weights from the database: ``margins`` and ``weights`` commands, checked against R.

The round: 2 districts, 4 streets, 8 communities of 30 households; an SRS of 12 per community (seed 7); answers
loaded with ``import-responses`` (complete, break-off, screened out, none), one community with only 3 complete
interviews (its class is merged), H1 up to 7 (above the cap of 4). R recomputes the chain from a CSV the test
writes with its own queries (tests/rounds/r/weights_check.R, which reuses tests/analysis/r/weight_chain.R).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

import analysis
from survey.extensions import db
from survey.models import HouseholdWeight, Margin, Response, Round, WeightRun
from tests.conftest import csrf_token
from tests.rounds.conftest import invoke
from tests.rounds.test_import_responses import complete_answers

HERE = Path(__file__).parent
COMMUNITIES = [(f"D0{d}", f"S{d}{s}", f"C{d}{s}{c}") for d in (1, 2) for s in (1, 2) for c in (1, 2)]
THIN = "C212"  # only 3 complete interviews: merged with the other small classes of its street
S3_TOTALS = {"1": 4800.0, "2": 5200.0}
S2_TOTALS = {"D01": {"2": 900.0, "3": 1300.0, "4": 1200.0, "5": 900.0, "6": 600.0},
             "D02": {"2": 1000.0, "3": 1400.0, "4": 1100.0, "5": 1000.0, "6": 600.0}}


def frame_csv() -> str:
    lines = ["district_code,district_name,street_code,street_name,community_code,community_name,building,unit,"
             "address"]
    for district, street, community in COMMUNITIES:
        for b in range(1, 4):
            lines += [f"{district},区{district},{street},街{street},{community},社区{community},{b},{b}{u:02d},"
                      for u in range(1, 11)]
    return "\n".join(lines) + "\n"


def margins_csv(path: Path, round_column: bool = False) -> Path:
    rows = [("*", "S3", c, t) for c, t in S3_TOTALS.items()]
    rows += [(d, "S2", c, t) for d, totals in S2_TOTALS.items() for c, t in totals.items()]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow((["round"] if round_column else []) + ["scope", "variable", "category", "total"])
        writer.writerows(((["srs"] if round_column else []) + [s, v, c, t]) for s, v, c, t in rows)
    return path


def answers_for(i: int, community: str) -> dict[str, str] | None:
    """The answers of the i-th sampled household: complete (most), break-off, screened out, or none."""
    kind = i % 12
    if community == THIN and kind not in (0, 4, 8):
        return None
    if kind == 10:
        return None  # never answered: UH
    if kind == 11:
        return {"S1": "1"}  # lived here under 6 months: screened out, NE
    if kind == 9:
        return {"S1": "4", "S2": "3"}  # break-off: P
    answers = complete_answers()
    answers.update(S2=str(2 + i % 5), S3=str(1 + i % 2), H1=str(1 + i % 7), A1=str(1 + i % 3), C1=str(1 + i % 5))
    return answers


def answer_on_paper(app, runner, tmp_path, *create_options) -> None:
    """The city loaded; round W1 drawn (SRS of 12 per community, seed 7, ``create_options``), opened and answered
    on paper by ``import-responses`` as :func:`answers_for` says."""
    from questionnaires import builtin
    from survey.services import frame, versions

    with app.app_context():
        versions.publish(builtin())
        frame.import_frame(frame_csv().encode("utf-8"), source="city.csv")
    code, _, err = invoke(runner, "round", "create", "W1", "--design", "srs", "--per-community", 12, "--seed", 7,
                          *create_options)
    assert code == 0, err
    assert invoke(runner, "round", "open", "W1")[0] == 0
    assert invoke(runner, "export-sample", "--round", "W1", "--out", tmp_path / "sample.csv")[0] == 0
    with (tmp_path / "sample.csv").open(encoding="utf-8-sig") as f:
        sample = list(csv.DictReader(f))
    items = [item.code for item in builtin().items]
    with (tmp_path / "paper.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["community_code", "building", "unit", "mode", *items])
        for i, row in enumerate(sample):
            answers = answers_for(i, row["community_code"])
            if answers is not None:
                writer.writerow([row["community_code"], row["building"], row["unit"], "paper",
                                 *(answers.get(code, "") for code in items)])
    code, out, err = invoke(runner, "import-responses", tmp_path / "paper.csv", "--round", "W1")
    assert code == 0, err


@pytest.fixture
def weighted(app, runner, tmp_path):
    """Round W1 drawn, opened and answered on paper; margins stored."""
    answer_on_paper(app, runner, tmp_path)
    code, out, err = invoke(runner, "margins", margins_csv(tmp_path / "margins.csv"), "--round", "W1")
    assert code == 0, err
    return tmp_path


def read_weights(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == (
            "community_code", "building", "unit", "outcome", "response_id", "base_weight", "unknown_factor",
            "nonresponse_factor", "adults", "person_factor", "calibration_factor", "final_weight", "weight_class")
        return list(reader)


def database_rows(app) -> list[dict]:
    """The round's sampled households as R reads them, by the test's own query (not the service's)."""
    sql = """
        SELECT c.code, s.code, d.code, h.building, h.unit, sh.probability, rc.households, r.status, r.id
        FROM sampled_household sh JOIN household h ON h.id = sh.household_id
        JOIN community c ON c.id = h.community_id JOIN street s ON s.id = c.street_id
        JOIN district d ON d.id = s.district_id
        JOIN round_community rc ON rc.round_id = sh.round_id AND rc.community_id = c.id
        LEFT JOIN response r ON r.round_id = sh.round_id AND r.household_id = sh.household_id
        WHERE sh.released AND sh.round_id = (SELECT id FROM survey_round WHERE code = 'W1')
        ORDER BY c.code, h.building, h.unit"""
    outcome = {"complete": "I", "partial": "P", "ineligible": "NE", None: "UH"}
    with app.app_context():
        rows = db.session.execute(db.text(sql)).all()
        answers = {}
        for rid, item, value in db.session.execute(db.text("SELECT response_id, item, value FROM answer")):
            answers.setdefault(rid, {})[item] = value
    out = []
    for community, street, district, building, unit, probability, n_c, status, rid in rows:
        given = answers.get(rid, {})
        out.append({"round": "srs", "community": community, "street": street, "district": district,
                    "building": building, "unit": unit, "probability": repr(probability),
                    "outcome": outcome[status], "fpc": n_c,
                    **{k: given.get(item, "") for k, item in
                       (("H1", "H1"), ("S2", "S2"), ("S3", "S3"), ("A1", "A1"), ("Q1", "C1"))}})
    return out


def r_chain(app, tmp_path: Path) -> dict:
    rows = database_rows(app)
    with (tmp_path / "households.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    margins_csv(tmp_path / "r_margins.csv", round_column=True)
    subprocess.run(["Rscript", str(HERE / "r" / "weights_check.R"), str(tmp_path / "households.csv"),
                    str(tmp_path / "r_margins.csv"), str(tmp_path / "r.json")], check=True, capture_output=True)
    return json.loads((tmp_path / "r.json").read_text())


def close(ours: str, theirs, rtol: float) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isnan(theirs)):
        return ours == ""
    return ours != "" and math.isclose(float(ours), theirs, rel_tol=rtol, abs_tol=1e-300)


@pytest.mark.r
def test_weights_from_the_database_equal_r_step_by_step(app, runner, weighted):
    """R: chain_steps() (plain R), rake(des, list(~S3, ~dS2), ...), trimWeights(lower=0.4*median, upper=2*median),
    rake again (tests/analysis/r/weight_chain.R via tests/rounds/r/weights_check.R)."""
    code, out, err = invoke(runner, "weights", "--round", "W1", "--out", weighted / "w.csv", "--trim", "0.4,2")
    assert code == 0, err
    ours = read_weights(weighted / "w.csv")
    r = r_chain(app, weighted)["households"]
    assert len(ours) == len(r["community"]) == 96
    for i, row in enumerate(ours):
        assert (row["community_code"], row["building"], row["unit"]) == (r["community"][i], r["building"][i],
                                                                        r["unit"][i])
        assert row["weight_class"] == r["class"][i]
        for column, key in (("base_weight", "base_weight"), ("unknown_factor", "unknown_factor"),
                            ("nonresponse_factor", "nonresponse_factor"), ("person_factor", "adults")):
            assert close(row[column], r[key][i], 1e-9), (i, column, row[column], r[key][i])
        assert close(row["final_weight"], r["final_weight"][i], 1e-7), (i, row["final_weight"], r["final_weight"][i])
    classes = {row["weight_class"] for row in ours if row["final_weight"]}
    assert any(THIN in c and "+" in c for c in classes)  # the thin community was merged
    assert any(row["adults"] == "7" and row["person_factor"] == "4.0" for row in ours)  # H1 above the cap


@pytest.mark.r
def test_rate_by_community_on_the_raked_design_equals_r_svyciprop(app, weighted):
    """R: svyby(~I(A1 %in% c(1,2)), ~community, raked, svyciprop, method="logit", vartype=c("se","ci"))."""
    from survey.services import rounds, weights

    with app.app_context():
        chosen = weights.WeightParameters(trim=(0.4, 2.0))
        result = weights.weighted_design(rounds.get("W1"), ["A1"], chosen)
        ours = analysis.proportion(result.answers("A1"), result.design, [1, 2],
                                   domain=result.column(result.arrays.community))
    r = r_chain(app, weighted)["rate"]
    for community, estimate, se, low, high in zip(r["community"], r["estimate"], r["se"], r["ci_low"], r["ci_high"],
                                                  strict=True):
        mine = ours[community]
        assert math.isclose(mine.estimate, estimate, rel_tol=1e-6)
        if 0 < estimate < 1:
            assert math.isclose(mine.se, se, rel_tol=1e-6)
            assert math.isclose(mine.ci_low, low, rel_tol=1e-6) and math.isclose(mine.ci_high, high, rel_tol=1e-6)


def test_weights_are_stored_with_their_parameters_and_reused_until_the_round_changes(app, runner, weighted):
    from survey.services import rounds, weights

    with app.app_context():
        round_ = rounds.get("W1")
        first = weights.fresh(round_)
        assert first.parameters == {"cap": 4, "min_class": 5, "trim": None}
        assert weights.fresh(round_).id == first.id  # nothing changed: the stored run is used
        assert db.session.scalar(select(db.func.count()).select_from(HouseholdWeight)) == 96
        diagnostics = first.diagnostics
        assert diagnostics["overall"]["respondents"] == sum(
            1 for r in db.session.scalars(select(Response)) if r.status == "complete")
        assert {tuple(m["classes"]) for m in diagnostics["merges"]}
        achieved = {(s, v, c): (t, a) for s, v, c, t, a in diagnostics["margins"]}
        assert math.isclose(*achieved[("*", "S3", "1")], rel_tol=1e-8)
        other = weights.fresh(round_, weights.WeightParameters(cap=2))
        assert other.parameters["cap"] == 2 and weights.latest(round_).parameters["cap"] == 2
        assert db.session.scalar(select(db.func.count()).select_from(WeightRun)) == 1  # the older run replaced
    # a change to the round (new margins) makes the stored weights stale
    assert invoke(runner, "margins", margins_csv(weighted / "again.csv"), "--round", "W1")[0] == 0
    with app.app_context():
        round_ = db.session.scalar(select(Round).filter_by(code="W1"))
        run = weights.latest(round_)
        assert weights.stale(round_, run)


def test_final_weights_sum_to_the_margins_and_non_respondents_have_none(app, runner, weighted):
    assert invoke(runner, "weights", "--round", "W1", "--out", weighted / "w.csv")[0] == 0
    rows = read_weights(weighted / "w.csv")
    finals = [float(r["final_weight"]) for r in rows if r["final_weight"]]
    assert math.isclose(sum(finals), sum(S3_TOTALS.values()), rel_tol=1e-8)
    for row in rows:
        assert (row["final_weight"] != "") == (row["outcome"] == "I")
        if row["outcome"] == "UH":
            assert row["unknown_factor"] == "0.0" and row["nonresponse_factor"] == ""
        if row["outcome"] in ("P", "NE"):
            assert row["response_id"] and row["final_weight"] == ""


@pytest.mark.parametrize(("lines", "message"), [
    (["X9,S3,1,100"], "unknown scope 'X9'"),
    (["*,Q99,1,100"], "unknown variable 'Q99'"),
    (["*,S3,7,100"], "S3 has no answer code '7'"),
    (["*,S3,1,abc"], "total 'abc' is not a number"),
    (["*,S3,1,4800", "*,S3,1,4800"], "is given twice"),
    (["*,S2,1,500"], "*/S2/1: no respondent has this category"),
    (["D01,S3,1,2400", "D01,S3,2,2600"], "S3 is given per district but not for D02"),
    (["*,S3,1,4800", "*,S3,2,5200", "*,S2,2,2000", "*,S2,3,2000", "*,S2,4,2000", "*,S2,5,2000", "*,S2,6,1000"],
     "the totals of * disagree by more than 0.1%"),
])
def test_bad_margins_are_refused_with_the_row_and_nothing_is_stored(app, runner, weighted, lines, message):
    path = weighted / "bad.csv"
    path.write_text("scope,variable,category,total\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Margin))
    code, out, err = invoke(runner, "margins", path, "--round", "W1")
    assert code == 1 and message in err and "Traceback" not in err
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Margin)) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--round", "NOPE"], "NOPE"),
    (["--round", "W1", "--cap", "zero"], "--cap 'zero' is not a whole number"),
    (["--round", "W1", "--trim", "2,0.5"], "need 0 < LOW < 1 < HIGH"),
    (["--round", "W1", "--trim", "x"], "must be LOW,HIGH"),
])
def test_bad_weights_options_are_one_line(app, runner, weighted, args, message):
    code, out, err = invoke(runner, "weights", "--out", weighted / "w.csv", *args)
    assert code == 1 and message in err and "Traceback" not in err


def test_weights_to_a_missing_folder_is_one_line(runner, weighted):
    code, out, err = invoke(runner, "weights", "--round", "W1", "--out", weighted / "missing" / "w.csv")
    assert code == 1 and "cannot write" in err and "Traceback" not in err


def test_raking_that_cannot_converge_is_a_clear_error(app, runner, weighted):
    """A margin category that no respondent has cannot be met by raking (the file check refuses such a file, so
    the row is stored directly here): the weights command names it, and nothing is stored."""
    with app.app_context():
        round_ = db.session.scalar(select(Round).filter_by(code="W1"))
        db.session.add(Margin(round_id=round_.id, scope="D01", variable="S2", category="1", total=50.0))
        db.session.commit()
    code, out, err = invoke(runner, "weights", "--round", "W1", "--out", weighted / "w.csv")
    assert code == 1 and "cannot be computed" in err and "'1'" in err and "Traceback" not in err
    assert not (weighted / "w.csv").exists()
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(WeightRun)) == 0


def test_reconcile_scales_margins_to_one_population():
    from survey.services.margins import reconcile

    totals = {("*", "S3"): {"1": 4800.0, "2": 5203.0},
              ("D01", "S2"): {"2": 2000.0, "3": 2999.0}, ("D02", "S2"): {"2": 2500.0, "3": 2500.0}}
    out = reconcile(totals)
    sums = {key: sum(v.values()) for key, v in out.items()}
    assert math.isclose(sums[("*", "S3")], sums[("D01", "S2")] + sums[("D02", "S2")], rel_tol=1e-12)
    for key, cats in totals.items():
        factors = np.array([out[key][c] / t for c, t in cats.items()])
        assert np.allclose(factors, factors[0]) and abs(factors[0] - 1) < 1e-3


def test_weights_page_shows_diagnostics_margins_and_merges(weighted, signed_in):
    page = signed_in.get("/manage/rounds/W1/weights")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Weights of round W1" in text and "Kish deff" in text and "Download weights (CSV)" in text
    assert re.search(r'<tr data-code="C111">', text) and THIN in text
    assert "street" in text and "Merged non-response classes" in text and "pooled" in text
    assert re.search(r"<td>\*</td><td>S3</td><td>1</td><td class=\"n\">4800</td><td class=\"n\">4800</td>", text)
    download = signed_in.get("/manage/rounds/W1/weights.csv")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert download.text.splitlines()[0].startswith("community_code,building,unit,outcome,response_id,")
    assert len(download.text.splitlines()) == 97


def test_weights_page_recomputes_with_the_parameters_posted(weighted, signed_in):
    page = signed_in.get("/manage/rounds/W1/weights")
    posted = signed_in.post("/manage/rounds/W1/weights", data={
        "csrf_token": csrf_token(page.text), "cap": "2", "min_class": "3", "trim_low": "", "trim_high": ""})
    assert posted.status_code == 200 and "cap 2, min class 3" in posted.text
    refused = signed_in.post("/manage/rounds/W1/weights", data={
        "csrf_token": csrf_token(page.text), "cap": "0", "min_class": "3"})
    assert refused.status_code == 400 and "Number must be between 1 and 20" in refused.text


def test_margins_upload_refused_lists_rows_and_stores_nothing(app, weighted, signed_in):
    page = signed_in.get("/manage/rounds/W1/weights")
    bad = b"scope,variable,category,total\nX9,S3,1,100\n*,S3,7,100\n"
    refused = signed_in.post("/manage/rounds/W1/margins", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(bad), "m.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "row 2: unknown scope &#39;X9&#39;" in refused.text and "row 3: S3 has no answer code" in refused.text
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Margin)) == 12  # the earlier file's


def test_weights_page_of_a_round_without_answers_says_why(app, runner, weighted, signed_in):
    assert invoke(runner, "round", "create", "W2", "--design", "srs", "--per-community", 2, "--seed", 1)[0] == 0
    page = signed_in.get("/manage/rounds/W2/weights")
    assert page.status_code == 409 and "The weights cannot be computed" in page.text
    assert "no complete interview yet" in page.text
    assert signed_in.get("/manage/rounds/NOPE/weights").status_code == 404


def test_export_carries_round_outcome_final_weight_and_design_variables(app, runner, weighted):
    assert invoke(runner, "weights", "--round", "W1", "--out", weighted / "w.csv")[0] == 0
    finals = {r["response_id"]: r for r in read_weights(weighted / "w.csv") if r["response_id"]}
    code, out, err = invoke(runner, "export-responses", "--out", weighted / "x.csv", "--round", "W1")
    assert code == 0, err
    with (weighted / "x.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows and {"round", "outcome", "final_weight", "stratum", "psu", "fpc"} <= set(rows[0])
    for row in rows:
        mine = finals[row["response_id"]]
        assert row["round"] == "W1" and row["outcome"] == mine["outcome"]
        assert row["stratum"] == row["community_code"] and row["fpc"] in ("30", "30.0") and row["psu"]
        if mine["final_weight"]:
            assert math.isclose(float(row["final_weight"]), float(mine["final_weight"]), rel_tol=1e-12)
        else:
            assert row["final_weight"] == ""
    assert sum(1 for r in rows if r["final_weight"]) == sum(1 for r in finals.values() if r["final_weight"])
