"""The frame upload page: a report for a good file, every refused row for a bad one, CSRF required."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Household, Token
from tests.conftest import SMALL_FRAME, csrf_token


def upload(client, data: bytes, *, token: str | None = "page", name: str = "frame.csv"):
    form = {"file": (io.BytesIO(data), name)}
    if token == "page":
        token = csrf_token(client.get("/manage/frame").get_data(as_text=True))
    if token:
        form["csrf_token"] = token
    return client.post("/manage/frame", data=form, content_type="multipart/form-data")


def households(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Household))


def test_upload_page_shows_the_form_and_the_columns(signed_in):
    html = signed_in.get("/manage/frame").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    assert "district_code,district_name,street_code" in html


def test_good_file_shows_the_report(app, signed_in):
    response = upload(signed_in, b"\xef\xbb\xbf" + SMALL_FRAME.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已导入 Loaded frame.csv" in html
    assert "新增住户 Households added: <strong>4</strong>" in html
    assert "新发放二维码 Tokens issued: <strong>6</strong>" in html
    assert households(app) == 4


def test_same_file_again_reports_no_change(app, signed_in):
    upload(signed_in, SMALL_FRAME.encode())
    html = upload(signed_in, SMALL_FRAME.encode()).get_data(as_text=True)
    assert "新增住户 Households added: <strong>0</strong>" in html
    assert "新发放二维码 Tokens issued: <strong>0</strong>" in html
    assert "没有任何改动" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Token)) == 6


def test_bad_file_lists_every_refused_row_and_loads_nothing(app, signed_in):
    bad = SMALL_FRAME + "D01,东城区,S01,和平街道,C001,和平里社区,1,101,\nD01,东城区,S01,和平街道,,x,1,1,\n"
    response = upload(signed_in, bad.encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "文件未导入" in html and "发现 2 个问题" in html
    assert "row 6: household C001 building 1 unit 101 already appears on row 2" in html
    assert "row 7: community_code is empty" in html
    assert households(app) == 0


def test_gbk_file_is_refused_with_advice(app, signed_in):
    html = upload(signed_in, SMALL_FRAME.encode("gbk")).get_data(as_text=True)
    assert "not UTF-8" in html and "CSV UTF-8" in html
    assert households(app) == 0


def test_upload_without_a_file_asks_for_one(signed_in):
    token = csrf_token(signed_in.get("/manage/frame").get_data(as_text=True))
    response = signed_in.post("/manage/frame", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择文件" in response.get_data(as_text=True)


def test_upload_without_or_with_a_wrong_csrf_token_is_refused(app, signed_in):
    for token in (None, "forged-token"):
        response = upload(signed_in, SMALL_FRAME.encode(), token=token)
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    assert households(app) == 0


def test_a_frame_bigger_than_answer_pages_is_accepted(app, signed_in):
    header, *_ = SMALL_FRAME.splitlines()
    rows = [f"D01,东城区,S01,和平街道,C001,和平里社区,{b},{u},和平里{b}号楼{u}室"
            for b in range(20) for u in range(100)]
    data = ("\n".join([header, *rows]) + "\n").encode()
    assert len(data) > 64 * 1024
    response = upload(signed_in, data)
    assert response.status_code == 200 and "Households added: <strong>2000</strong>" in response.get_data(as_text=True)
