"""The flask commands: demo, import-frame, check-questionnaire, export-qr, export-responses, users."""

from __future__ import annotations

import csv
import re

import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Community, Household, HouseholdContact, QuestionnaireVersion, Token, User
from tests.conftest import SMALL_FRAME
from tests.manage.helpers import add_response


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Community, Household, HouseholdContact, Token, QuestionnaireVersion, User)}


def test_demo_builds_a_city_and_a_second_run_changes_nothing(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = table_counts(app)
    assert counts["Community"] == 6 and counts["User"] == 1 and counts["QuestionnaireVersion"] == 1
    assert 6 * 45 <= counts["Household"] <= 6 * 55 and counts["Token"] == counts["Household"] + 6
    password = re.search(r"Password \(shown only this once, write it down\): (\S+)", first.output).group(1)
    assert "http://survey.test/manage/login" in first.output
    assert re.search(r"http://survey\.test/r/[A-Za-z0-9_-]{32}", first.output)
    assert "http://survey.test/manage/communities/C0101/poster.png" in first.output
    with app.app_context():
        tokens = set(db.session.scalars(select(Token.token)))
        assert db.session.scalar(select(User)).check_password(password)

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert password not in second.output and "Password" not in second.output
    assert "exists already" in second.output and "flask --app wsgi reset-password admin" in second.output
    assert "(0 added, 0 QR links issued)" in second.output
    assert table_counts(app) == counts
    with app.app_context():
        assert set(db.session.scalars(select(Token.token))) == tokens


def test_demo_frame_is_the_same_on_every_run():
    from survey.services.demo import frame_csv

    assert frame_csv() == frame_csv()


def test_import_frame_prints_the_report_and_reloading_changes_nothing(app, runner, tmp_path):
    path = tmp_path / "frame.csv"
    path.write_bytes(SMALL_FRAME.encode("utf-8-sig"))
    result = runner.invoke(args=["import-frame", str(path)])
    assert result.exit_code == 0, result.output
    assert "households: 4 added, 0 updated, 0 unchanged; 6 QR links issued" in result.output
    again = runner.invoke(args=["import-frame", str(path)])
    assert "households: 0 added, 0 updated, 4 unchanged; 0 QR links issued" in again.output


def test_import_frame_refused_prints_every_problem_and_exits_1(app, runner, tmp_path):
    path = tmp_path / "bad.csv"
    bad_rows = "D01,东城区,S01,和平街道,C001,,1,9,\nD01,东城区,S01,和平街道,C001,和平里社区,1,101,\n"
    path.write_text(SMALL_FRAME + bad_rows, encoding="utf-8")
    result = runner.invoke(args=["import-frame", str(path)])
    assert result.exit_code == 1
    assert "refused, nothing was loaded (2 problems)" in result.output
    assert "row 6: community_name is empty" in result.output
    assert "row 7: household C001 building 1 unit 101 already appears on row 2" in result.output
    assert table_counts(app)["Household"] == 0


def test_check_questionnaire_good_and_bad(runner, tmp_path):
    from questionnaires import BUILTIN_DIR

    good = runner.invoke(args=["check-questionnaire", str(BUILTIN_DIR / "civility-household.yaml")])
    assert good.exit_code == 0, good.output
    assert "OK" in good.output and "civility-household" in good.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nversion: '1'\ntitle: {zh: 标题}\nsections:\n  - code: A\n    items:\n"
                   "      - {code: Q1, type: nonsense, label: {zh: 问题}}\n", encoding="utf-8")
    result = runner.invoke(args=["check-questionnaire", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml:7: item Q1: unknown question type 'nonsense'" in result.output


def test_export_qr_writes_pngs_that_decode_to_the_index_urls(app, runner, city, tmp_path):
    out = tmp_path / "qr"
    result = runner.invoke(args=["export-qr", "--community", "C001", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 QR codes of community C001" in result.output
    with (out / "index.csv").open(encoding="utf-8-sig", newline="") as index:
        rows = list(csv.DictReader(index))
    assert [(r["building"], r["unit"]) for r in rows] == [("1", "101"), ("1", "102"), ("2", "201")]
    assert list(rows[0]) == ["household", "building", "unit", "url", "file"]
    with app.app_context():
        secrets = set(db.session.scalars(select(Token.token).filter_by(kind="household")))
    for row in rows:
        assert re.fullmatch(r"[\w-]+\.png", row["file"]) and (out / row["file"]).is_file()
        decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(out / row["file"]))]
        assert decoded == [row["url"]]
        assert row["url"].startswith("http://survey.test/r/")
        assert row["url"].removeprefix("http://survey.test/r/") in secrets
    assert sorted(p.name for p in out.iterdir()) == sorted([*(r["file"] for r in rows), "index.csv"])


def test_export_qr_unknown_community_exits_1(runner, city, tmp_path):
    result = runner.invoke(args=["export-qr", "--community", "NOPE", "--out", str(tmp_path / "qr")])
    assert result.exit_code == 1 and "there is no community 'NOPE'" in result.output


def test_export_responses_header_and_rows(app, runner, city, tmp_path):
    with app.app_context():
        add_response(city["version_id"], "C001", household=("1", "101"),
                     answers={"S1": "4", "C1": "2", "E1": '说得好, "很好"\n第二行'})
        add_response(city["version_id"], "C002", status="partial", answers={"S1": "3"})
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export-responses", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 responses written" in result.output
    with out.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header[:7] == ["response_id", "community", "household", "mode", "status", "submitted_at",
                          "questionnaire_version"]
    assert header[7:11] == ["S1", "S2", "S3", "H1"] and header[-2:] == ["E1", "E2"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["community"] == "C001" and first["household"].isdigit() and first["mode"] == "qr_household"
    assert first["status"] == "complete" and first["submitted_at"] == "2025-05-01T08:30:00Z"
    assert first["questionnaire_version"] == "1.1"
    assert (first["S1"], first["C1"], first["S2"]) == ("4", "2", "")
    assert first["E1"] == '说得好, "很好"\n第二行'
    second = dict(zip(header, rows[1], strict=True))
    assert (second["household"], second["status"], second["submitted_at"], second["S1"]) == ("", "partial", "", "3")
    assert second["mode"] == "qr_community"


def test_create_admin_and_reset_password(app, runner):
    created = runner.invoke(args=["create-admin", "supervisor1"])
    assert created.exit_code == 0, created.output
    password = re.search(r"write it down\): (\S+)", created.output).group(1)
    again = runner.invoke(args=["create-admin", "supervisor1"])
    assert again.exit_code == 1 and "exists already" in again.output and "reset-password" in again.output
    reset = runner.invoke(args=["reset-password", "supervisor1"])
    assert reset.exit_code == 0
    new = re.search(r"\(shown only this once\): (\S+)", reset.output).group(1)
    assert new != password
    from survey.services import users

    with app.app_context():
        assert users.authenticate("supervisor1", new) and not users.authenticate("supervisor1", password)
    assert runner.invoke(args=["reset-password", "nobody"]).exit_code == 1
    assert runner.invoke(args=["create-admin", "bad name!"]).exit_code == 1
