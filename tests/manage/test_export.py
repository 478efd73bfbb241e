"""The responses export: streamed from the dashboard, every version of the questionnaire, items in order."""

from __future__ import annotations

import csv
import io

import questionnaires as qn
from survey.services import export, versions
from tests.manage.helpers import add_response


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_download_from_the_dashboard_is_csv_with_a_bom(app, signed_in, city):
    with app.app_context():
        add_response(city["version_id"], "C001", household=("1", "101"), answers={"S1": "4", "A1": "1"})
    response = signed_in.get("/manage/export/responses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffresponse_id,community,household,mode,status,submitted_at,questionnaire_version,S1")
    header, row = rows_of(text.removeprefix("\ufeff"))
    assert dict(zip(header, row, strict=True))["A1"] == "1"


def test_no_questionnaire_published_gives_the_fixed_header_only(app):
    with app.app_context():
        out = io.StringIO()
        assert export.write_responses(out) == 0
        assert rows_of(out.getvalue()) == [list(export.FIXED_COLUMNS)]


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
    assert header[-1] == "E1" and "E1" not in header[7:-1]
    assert (old[6], old[-1], new[6], new[-1]) == ("1.1", "旧版意见", "1.2", "")
    assert new[header.index("S1")] == "3"


def test_export_streams_in_batches(app, city, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 2)
    with app.app_context():
        for _ in range(5):
            add_response(city["version_id"], "C002", answers={"S1": "4"})
        chunks = list(export.stream_responses())
    assert len(chunks) >= 3
    assert len(rows_of("".join(chunks).removeprefix("\ufeff"))) == 6
