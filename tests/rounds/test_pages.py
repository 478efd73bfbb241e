"""The administrator's round pages: list with outcome counts, create and draw, release reserves, open, close."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Round, SampledHousehold
from tests.conftest import csrf_token
from tests.respond.flow import answer_all
from tests.rounds.test_closing import household_secret


def row(html, code):
    """The cells' text of the table row with data-code=code."""
    found = re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S)
    assert found, f"no row {code}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def create(client, **fields):
    page = client.get("/manage/rounds")
    data = {"csrf_token": csrf_token(page.text), "design": "srs", "reserve": "0", **fields}
    return client.post("/manage/rounds", data=data, content_type="multipart/form-data")


def test_rounds_page_lists_each_round_with_its_outcome_counts(town, signed_in, client):
    answer_all(client, household_secret(town))
    page = signed_in.get("/manage/rounds")
    assert page.status_code == 200
    assert "调查轮次 Survey rounds" in page.text and 'href="/manage/rounds"' in page.text
    cells = row(page.text, "R1")
    assert cells[1:6] == ["调查中 In the field", "take-all", "1.1", "69", "69"]
    assert cells[6:14] == ["1", "0", "0", "0", "0", "0", "0", "68"]  # I P R O NE NC UO UH
    assert "UH</strong> 不明是否住户 unknown if occupied dwelling (AAPOR 3.10)" in page.text


def test_create_draw_release_open_and_close_from_the_pages(town, signed_in):
    made = create(signed_in, code="W1", per_community="4", reserve="1", seed="11")
    assert made.status_code == 302 and made.headers["Location"].endswith("/manage/rounds/W1")
    page = signed_in.get("/manage/rounds/W1")
    assert "计划中 Planned" in page.text and "Seed: 11" in page.text
    assert row(page.text, "C001")[1:7] == ["40", "4", "4", "2", "1", "4"]
    token = csrf_token(page.text)
    released = signed_in.post("/manage/rounds/W1/release", data={"csrf_token": token, "community": "C001"},
                              follow_redirects=True)
    assert "4 reserve households of C001 released" in released.text
    assert row(released.text, "C001")[5:7] == ["2", "8"]
    opened = signed_in.post("/manage/rounds/W1/open", data={"csrf_token": token}, follow_redirects=True)
    assert "Round W1 is in the field and current." in opened.text and "（当前轮次 the current round）" in opened.text
    closed = signed_in.post("/manage/rounds/W1/close", data={"csrf_token": token}, follow_redirects=True)
    assert "已结束 Closed" in closed.text and "Release reserve" not in closed.text
    with town.app_context():
        assert db.session.scalar(select(Round.status).filter_by(code="W1")) == "closed"


def test_a_refused_draw_says_why_in_both_languages_and_stores_nothing(town, signed_in):
    page = signed_in.get("/manage/rounds")
    data = {"csrf_token": csrf_token(page.text), "code": "BAD", "design": "srs", "reserve": "0",
            "sizes": (io.BytesIO(b"community_code,n\nC001,3\nC999,1\n"), "sizes.csv")}
    refused = signed_in.post("/manage/rounds", data=data, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "未创建，未保存任何内容。 Not created, nothing was stored." in refused.text
    assert "row 3: unknown community &#39;C999&#39;" in refused.text
    negative = create(signed_in, code="BAD", per_community="-3")
    assert negative.status_code == 400 and "Number must be at least 0" in negative.text
    with town.app_context():
        assert db.session.scalar(select(func.count()).select_from(Round)) == 1
        assert db.session.scalar(select(func.count()).select_from(SampledHousehold)) == 69


def test_unknown_round_page_is_404_and_actions_need_the_csrf_token(town, signed_in):
    assert signed_in.get("/manage/rounds/NOPE").status_code == 404
    forged = signed_in.post("/manage/rounds/R1/close", data={})
    assert forged.status_code == 400
    with town.app_context():
        assert db.session.scalar(select(Round.status)) == "in_field"


def test_round_pages_need_a_signed_in_user(town, client):
    assert client.get("/manage/rounds").status_code == 302
