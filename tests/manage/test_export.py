"""The responses export from the administrator pages: every format downloadable by an administrator only,
never cached, streamed CSV, every version of the questionnaire with older items after current ones."""

from __future__ import annotations

import csv
import io

import pytest

import questionnaires as qn
from survey.services import export, versions
from survey.services.export_table import FIXED
from tests.manage.helpers import add_response


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_download_from_the_dashboard_is_csv_with_a_bom(app, signed_in, city):
    with app.app_context():
        add_response(city["version_id"], "C001", household=("1", "101"), answers={"S1": "4", "A1": "1"})
    response = signed_in.get("/manage/export/responses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffresponse_id,round,community_code,community_name,street_code")
    header, row = rows_of(text.removeprefix("\ufeff"))
    assert dict(zip(header, row, strict=True))["A1"] == "1"


MAGIC = {"csv": b"response_id,", "excel-csv": "\ufeffresponse_id,".encode(), "xlsx": b"PK\x03\x04",
         "sav": b"$FL2", "dta": b"<stata_dta>", "parquet": b"PAR1"}


@pytest.mark.parametrize("fmt", list(MAGIC))
def test_every_format_downloads_from_the_export_page(app, signed_in, city, fmt):
    with app.app_context():
        add_response(city["version_id"], "C001", household=("1", "101"), answers={"S1": "4", "E1": "好"})
    page = signed_in.get("/manage/export")
    assert page.status_code == 200 and f"/manage/export/responses/{fmt}" in page.text
    response = signed_in.get(f"/manage/export/responses/{fmt}?lang=en")
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == export.FORMATS[fmt].mimetype
    assert f'.{export.FORMATS[fmt].extension}"' in response.headers["Content-Disposition"]
    assert response.data.startswith(MAGIC[fmt])
    response.close()


def test_codebook_and_datapackage_download(signed_in, city):
    book = signed_in.get("/manage/export/codebook.xlsx")
    assert book.status_code == 200 and book.data.startswith(b"PK") and book.headers["Cache-Control"] == "no-store"
    book.close()
    package = signed_in.get("/manage/export/datapackage.json").get_json()
    assert package["resources"][0]["schema"]["fields"][0]["name"] == "response_id"


def test_downloads_need_a_signed_in_administrator(app, client, signed_in, city):
    with app.app_context():
        from survey.services import users
        _user, password = users.create_admin("helper", role="supervisor")
    anonymous = app.test_client()
    assert anonymous.get("/manage/export/responses/sav").status_code == 302  # to the sign-in page
    signed_in.post("/manage/logout", data={})
    supervisor = app.test_client()
    from tests.manage.conftest import sign_in
    sign_in(supervisor, "helper", password)
    refused = supervisor.get("/manage/export/responses/csv")
    assert refused.status_code == 403 and "Your account may not open this page" in refused.text
    assert "您的账号无权打开此页面" in refused.text


def test_unknown_format_round_or_language_is_a_bilingual_4xx(signed_in, city):
    assert signed_in.get("/manage/export/responses/xls").status_code == 404
    unknown_round = signed_in.get("/manage/export/responses/csv?round=2031Q1")
    assert unknown_round.status_code == 404 and "Page not found" in unknown_round.text
    assert signed_in.get("/manage/export/responses/sav?lang=fr").status_code == 400


def test_no_questionnaire_published_gives_the_fixed_header_only(app):
    with app.app_context():
        out = io.StringIO()
        assert export.write_responses(out) == 0
        assert rows_of(out.getvalue()) == [[f.name for f in FIXED]]


def test_every_version_is_exported_with_older_items_after_current_ones(app, city):
    data = qn.builtin().to_dict()
    data["version"] = "1.2"
    section = data["sections"][-1]
    section["items"] = [item for item in section["items"] if item["code"] != "E1"]
    with app.app_context():
        newer = versions.publish(qn.from_dict(data, source="v1.2"))
        add_response(city["version_id"], "C001", household=("1", "101"), answers={"E1": "旧版意见", "S1": "4"})
        add_response(newer.id, "C002", household=("5", "301"), answers={"S1": "3"})
        out = io.StringIO()
        assert export.write_responses(out) == 2
    header, old, new = rows_of(out.getvalue())
    assert header[-1] == "E1" and "E1" not in header[len(FIXED):-1]
    version = header.index("questionnaire_version")
    assert (old[version], old[-1], new[version], new[-1]) == ("1.1", "旧版意见", "1.2", "")
    assert new[header.index("S1")] == "3"


def test_export_streams_in_batches(app, city, monkeypatch):
    from survey.services import export_table
    monkeypatch.setattr(export_table, "BATCH", 2)
    monkeypatch.setattr("survey.services.export_files.BATCH", 2)
    with app.app_context():
        for _ in range(5):
            add_response(city["version_id"], "C002", answers={"S1": "4"})
        chunks = list(export.stream_csv(bom=True))
    assert len(chunks) >= 3
    assert len(rows_of(b"".join(chunks).decode("utf-8").removeprefix("\ufeff"))) == 6
