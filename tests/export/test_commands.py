"""``export-responses`` and ``export-codebook``: formats chosen by --format or the extension, bad input refused
with one line on stderr (nothing written), the codebook and datapackage describing the CSV."""

from __future__ import annotations

import csv
import json

import pytest

from survey.services.export_table import FIXED


def test_format_from_the_extension_and_by_option(runner, all_types, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    result = runner.invoke(args=["export-responses", "--out", str(tmp_path / "r.parquet")])
    assert result.exit_code == 0 and "3 responses written" in result.output and "(parquet)" in result.output
    assert (tmp_path / "r.parquet").read_bytes()[:4] == b"PAR1"
    result = runner.invoke(args=["export-responses", "--out", str(tmp_path / "x.dat"), "--format", "dta"])
    assert result.exit_code == 0 and (tmp_path / "x.dat").read_bytes().startswith(b"<stata_dta>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet", "x.dat"]  # no partial file left


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xls"], "unknown or missing --format 'xls'; choose one of csv, excel-csv, xlsx, sav, dta, parquet"),
    (["--round", "2031Q1"], "there is no round '2031Q1'; nothing was written"),
    (["--language", "fr"], "--language must be zh or en, not 'fr'"),
])
def test_bad_input_is_one_line_on_stderr(runner, all_types, tmp_path, args, message):
    out = tmp_path / "r.sav"
    result = runner.invoke(args=["export-responses", "--out", str(out), *args])
    assert result.exit_code == 1 and result.stderr.strip() == f"Error: {message}"
    assert "Traceback" not in result.output and not out.exists()


def test_unwritable_or_unknown_out(runner, all_types, tmp_path):
    missing = tmp_path / "no-such-folder" / "r.csv"
    result = runner.invoke(args=["export-responses", "--out", str(missing)])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"Error: cannot write {missing}")
    result = runner.invoke(args=["export-responses", "--out", str(tmp_path / "r.txt")])
    assert result.exit_code == 1 and "unknown or missing --format ''" in result.stderr


def test_codebook_and_datapackage_describe_the_csv(app, runner, all_types, tmp_path):
    tmp_path = tmp_path / "out"
    from openpyxl import load_workbook

    result = runner.invoke(args=["export-codebook", "--out", str(tmp_path)])
    assert runner.invoke(args=["export-responses", "--out", str(tmp_path / "responses.csv")]).exit_code == 0
    assert result.exit_code == 0, result.output
    with (tmp_path / "responses.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    resource = package["resources"][0]
    fields = {f["name"]: f for f in resource["schema"]["fields"]}
    assert resource["path"] == "responses.csv" and list(fields) == header
    assert fields["S1"]["type"] == "integer" and fields["S1"]["constraints"] == {"enum": [1, 2]}
    assert fields["C4"]["type"] == "string" and fields["H1"]["type"] == "number"
    assert fields["C1"]["description"] == "您对环境满意吗？" and fields["final_weight"]["type"] == "number"

    book = load_workbook(tmp_path / "codebook.xlsx")
    items = [[c.value for c in row] for row in book["items"].iter_rows()]
    rows = {row[0]: dict(zip(items[0], row, strict=True)) for row in items[1:]}
    c1, c4, e1 = rows["C1"], rows["C4"], rows["E1"]
    assert (c1["question_zh"], c1["question_en"], c1["type"]) == ("您对环境满意吗？",
                                                               "Are you satisfied with the environment?", "rating")
    assert (c1["answer_codes"], c1["answer_labels_zh"]) == ("1;2;9", "1=满意; 2=不满意; 9=说不清")
    assert (c1["positive"], c1["scores"], c1["indicators"]) == ("1", "1=100; 2=0", "satisfaction_rate")
    assert c4["columns"] == "C4_1;C4_2;C4_3" and e1["skip_rule"] == "S1 = 2"
    answers = [[c.value for c in row] for row in book["answers"].iter_rows()]
    assert ["C1", 9, "说不清", "Can't say", 0, None] in answers
    fixed = [row[0].value for row in book["fixed columns"].iter_rows()][1:]
    assert fixed == [f.name for f in FIXED]


def test_qr_index_is_formula_safe(app, runner, tmp_path):
    from survey.services import frame

    frame_csv = ("district_code,district_name,street_code,street_name,community_code,community_name,building,unit,"
                 "address\nD01,东城区,S01,和平街道,C001,和平里社区,=1+1,@SUM(A1),\n")
    with app.app_context():
        frame.import_frame(frame_csv.encode("utf-8"), source="f.csv")
    assert runner.invoke(args=["export-qr", "--community", "C001", "--out", str(tmp_path / "qr")]).exit_code == 0
    with (tmp_path / "qr" / "index.csv").open(encoding="utf-8-sig", newline="") as f:
        row = list(csv.DictReader(f))[0]
    assert (row["building"], row["unit"]) == ("'=1+1", "'@SUM(A1)")


def test_round_column_filter_and_outcome(app, runner, all_types, tmp_path):
    from survey.extensions import db
    from survey.models import Response, Round
    from tests.manage.helpers import add_response

    with app.app_context():
        other = Round(code="R2", name="R2", design="take-all", questionnaire_version_id=all_types.id)
        db.session.add(other)
        db.session.flush()
        moved = add_response(all_types.id, "C002", status="partial", answers={"S1": "1"})  # an open-link answer
        stored = db.session.get(Response, moved.id)
        stored.round_id, stored.probability_sample = other.id, False  # as the poster link stores it
        db.session.commit()
    every, only_r1 = tmp_path / "all.csv", tmp_path / "r1.csv"
    assert runner.invoke(args=["export-responses", "--out", str(every)]).exit_code == 0
    assert runner.invoke(args=["export-responses", "--out", str(only_r1), "--round", "R1"]).exit_code == 0
    with every.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["round"], r["status"], r["outcome"]) for r in rows] == [
        ("R1", "complete", "I"), ("R1", "complete", "I"), ("R1", "complete", "I"), ("R2", "partial", "")]
    with only_r1.open(encoding="utf-8", newline="") as f:
        assert [r["round"] for r in csv.DictReader(f)] == ["R1"] * 3
