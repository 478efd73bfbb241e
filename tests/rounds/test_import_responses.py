"""``import-responses FILE --round CODE``: paper and interviewer questionnaires, judged as the web form judges."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, Response, Token
from tests.rounds.conftest import invoke

ELIGIBLE = {"S1": "4", "S2": "3", "S3": "2", "H1": "2"}


def complete_answers() -> dict[str, str]:
    """Every item of the built-in questionnaire answered (the first code, an eligible adult, no comment)."""
    return {item.code: ELIGIBLE.get(item.code, str(item.codes[0]) if item.choices else "")
            for item in qn.builtin().items}


def write(path, rows, items=None):
    items = items or [item.code for item in qn.builtin().items]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["community_code", "building", "unit", "mode", *items])
        for place, mode, answers in rows:
            writer.writerow([*place, mode, *(answers.get(code, "") for code in items)])
    return path


def stored(app):
    with app.app_context():
        return {(r.household_id, r.mode, r.status): {a.item: a.value for a in r.answers}
                for r in db.session.scalars(select(Response))}


def test_complete_break_off_and_screened_out_rows_load_once(town, runner, tmp_path):
    broken_off = {code: value for code, value in complete_answers().items() if code in ("S1", "S2", "S3", "H1",
                                                                                         "A1", "A2")}
    file = write(tmp_path / "paper.csv", [
        (("C001", "1", "1-01"), "paper", complete_answers()),
        (("C001", "1", "1-02"), "interviewer", broken_off),
        (("C002", "1", "1-01"), "paper", {"S1": "1", "S2": "3", "S3": "1"}),  # under 6 months: screened out
    ])
    code, out, err = invoke(runner, "import-responses", file, "--round", "R1")
    assert code == 0, err
    assert "3 responses added (1 complete, 1 partial, 1 ineligible), 0 unchanged" in out
    first = stored(town)
    assert sorted((mode, status, len(answers)) for (_h, mode, status), answers in first.items()) == [
        ("interviewer", "partial", 6), ("paper", "complete", 30), ("paper", "ineligible", 3)]
    complete = next(a for (_h, _m, status), a in first.items() if status == "complete")
    assert complete["H1"] == "2" and complete["S1"] == "4" and "E1" not in complete
    with town.app_context():
        assert db.session.scalar(select(func.count()).where(Token.used_at.is_not(None))) == 2  # closed ones

    code, out, err = invoke(runner, "import-responses", file, "--round", "R1")
    assert code == 0, err
    assert "0 responses added (0 complete, 0 partial, 0 ineligible), 3 unchanged" in out
    assert stored(town) == first


def test_a_bad_file_is_refused_whole_with_every_row_and_reason(town, runner, tmp_path):
    gap = {code: value for code, value in complete_answers().items() if code != "S3"}
    file = write(tmp_path / "bad.csv", [
        (("C001", "1", "1-01"), "paper", complete_answers()),
        (("C999", "1", "1-01"), "paper", complete_answers()),
        (("C001", "1", "1-01"), "paper", complete_answers()),
        (("C001", "2", "2-01"), "paper", {**complete_answers(), "S1": "7"}),
        (("C001", "2", "2-02"), "paper", gap),
        (("C001", "2", "2-03"), "web", complete_answers()),
        (("C001", "2", "2-04"), "paper", {**complete_answers(), "H1": "21"}),
    ])
    code, out, err = invoke(runner, "import-responses", file, "--round", "R1")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].endswith("bad.csv: refused, nothing was loaded (6 problems):")
    assert lines[1:] == [
        "  row 3: household C999/1/1-01 is not in the released sample of this round",
        "  row 4: a second answer for household C001/1/1-01 (also row 2)",
        "  row 5: item S1: '7': Please choose one of the answers given. (请从给出的选项中选择。)",
        "  row 6: item S3: is required but empty between answered items: Please answer this question. (请回答此题。)",
        "  row 7: mode 'web' is not one of paper, interviewer",
        "  row 8: item H1: '21': Please enter a number from 1 to 20. (请输入 1 到 20 之间的数。)",
    ]
    assert stored(town) == {}


def test_a_household_that_answered_differently_or_outside_the_sample_is_refused(town, runner, tmp_path):
    assert invoke(runner, "round", "create", "S", "--design", "srs", "--per-community", 1, "--seed", 1)[0] == 0
    assert invoke(runner, "round", "open", "S")[0] == 0
    with town.app_context():
        sampled = db.session.execute(select(Token.household_id).where(Token.round_id.is_not(None))
                                     .order_by(Token.id.desc()).limit(1)).scalar()
        from survey.models import Household
        home = db.session.get(Household, sampled)
        place = (home.community.code, home.building, home.unit)
    other = ("C001", "1", "1-01") if place != ("C001", "1", "1-01") else ("C001", "1", "1-02")
    code, _out, err = invoke(runner, "import-responses", write(tmp_path / "a.csv", [
        (other, "paper", complete_answers())]), "--round", "S")
    assert code == 1 and f"household {'/'.join(other)} is not in the released sample" in err
    assert invoke(runner, "import-responses", write(tmp_path / "b.csv", [(place, "paper", complete_answers())]),
                  "--round", "S")[0] == 0
    changed = {**complete_answers(), "A1": "2"}
    code, _out, err = invoke(runner, "import-responses", write(tmp_path / "c.csv", [(place, "paper", changed)]),
                             "--round", "S")
    assert code == 1 and "row 2: this household has already answered in round S (a different answer is stored)" in err


@pytest.mark.parametrize(("header", "message"), [
    (["community_code", "building", "unit", "S1"], "row 1: the header must start with community_code,building,unit"),
    (["community_code", "building", "unit", "mode", "Z9"], "row 1: column 'Z9' is not an item of civility-household"),
])
def test_a_bad_header_is_refused(town, runner, tmp_path, header, message):
    file = tmp_path / "h.csv"
    file.write_text(",".join(header) + "\nC001,1,1-01,paper\n", encoding="utf-8")
    code, _out, err = invoke(runner, "import-responses", file, "--round", "R1")
    assert code == 1 and message in err


def test_a_closed_or_unknown_round_takes_no_file(town, runner, tmp_path):
    file = write(tmp_path / "p.csv", [(("C001", "1", "1-01"), "paper", complete_answers())])
    assert invoke(runner, "import-responses", file, "--round", "NOPE") == (1, "", "Error: there is no round 'NOPE'\n")
    assert invoke(runner, "round", "close", "R1")[0] == 0
    code, out, err = invoke(runner, "import-responses", file, "--round", "R1")
    assert (code, out) == (1, "") and err == "Error: round R1: this round is closed; it accepts no answers\n"
    with town.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
