"""Regression tests of the holes found by trying the platform as an attacker would (issue #7, items 1-7).

Each runs on SQLite and on PostgreSQL (the ``app`` fixture), since several holes were PostgreSQL-only.
"""

from __future__ import annotations

import csv

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, District, Household, Response
from tests.conftest import SMALL_FRAME, csrf_token
from tests.forms import page_form
from tests.manage.conftest import sign_in
from tests.respond.flow import fill, page_path
from tests.respond.test_flow import count, first_page, secrets_of

BILINGUAL_413 = ("提交内容过大", "The submission is too large")


# -- 1. an oversized POST gets the 413 page, never a bare 500 ------------------------------------------------

def test_oversized_login_post_gets_the_413_page(client):
    response = client.post("/manage/login", data={"username": "a", "password": "x" * 100_000})
    assert response.status_code == 413
    assert all(text in response.text for text in BILINGUAL_413)


def test_oversized_post_to_a_manage_page_signed_in_gets_the_413_page(signed_in):
    response = signed_in.post("/manage/logout", data={"csrf_token": "x" * 100_000})
    assert response.status_code == 413 and all(text in response.text for text in BILINGUAL_413)
    assert signed_in.get("/manage/").status_code == 200  # still signed in: nothing was acted on


def test_frame_upload_over_32_mb_gets_the_413_page_and_loads_nothing(app, signed_in):
    html = signed_in.get("/manage/frame").text
    head = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf_token(html)}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n')
    body = head.encode() + SMALL_FRAME.encode() + b"#" * (33 * 1024 * 1024) + b"\r\n--b--\r\n"
    response = signed_in.post("/manage/frame", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and all(text in response.text for text in BILINGUAL_413)
    assert count(app, Household) == 0


# -- 2. lengths and characters PostgreSQL refuses are refused first, alike on both databases -----------------

def test_overlong_submission_key_gets_a_400_page_and_stores_nothing(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text))
    data["submission_key"] = ["k" * 65]
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "表单无效" in response.text and "The form sent was damaged" in response.text
    assert count(app, Response) == 0 and count(app, Answer) == 0


def test_nul_in_a_frame_cell_is_refused_naming_the_row_on_the_web_page(app, signed_in):
    from io import BytesIO

    data = SMALL_FRAME.replace("和平里1号楼101", "和平里\x001号楼101").encode()
    html = signed_in.get("/manage/frame").text
    response = signed_in.post("/manage/frame", data={"csrf_token": csrf_token(html),
                                                     "file": (BytesIO(data), "nul.csv")},
                              content_type="multipart/form-data")
    assert response.status_code == 400
    assert "address contains the control character U+0000" in response.text
    assert count(app, Household) == 0 and count(app, District) == 0


def test_nul_in_a_frame_cell_is_refused_by_import_frame(app, runner, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(SMALL_FRAME.replace("C002,安定门社区,5", "C002,安定门社区,5\x00").encode())
    result = runner.invoke(args=["import-frame", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "row 5: building contains the control character U+0000" in result.output
    assert count(app, Household) == 0


def test_nul_in_a_login_name_is_a_wrong_login_not_a_500(client, admin):
    response = sign_in(client, "adm\x00in", admin["password"])
    assert response.status_code == 200 and "用户名或密码错误" in response.text


# -- 3. a GBK or UTF-16 frame file gets the 'save as CSV UTF-8' advice on the web page ------------------------

def _upload(client, data: bytes, name: str):
    from io import BytesIO

    html = client.get("/manage/frame").text
    return client.post("/manage/frame", data={"csrf_token": csrf_token(html), "file": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_gbk_and_utf16_frames_with_a_chinese_header_cell_get_the_advice(app, signed_in):
    text = SMALL_FRAME.replace("address\n", "地址\n", 1)
    for encoding in ("gbk", "utf-16"):
        response = _upload(signed_in, text.encode(encoding), f"{encoding}.csv")
        assert response.status_code == 400, encoding
        assert "save it from the spreadsheet as &#39;CSV UTF-8&#39;" in response.text, encoding
        assert "row 1: contains bytes that are not UTF-8" in response.text, encoding
    assert count(app, Household) == 0


# -- 5. check-questionnaire refuses an answer code the web form cannot carry ---------------------------------

def test_check_questionnaire_refuses_a_ten_digit_answer_code(runner, tmp_path):
    import yaml

    from questionnaires import builtin

    data = builtin().to_dict()
    data["sections"][0]["items"][0]["choices"][0]["code"] = 1_000_000_000
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["check-questionnaire", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "answer code must be a whole number from 0 to 999999999, not 1000000000" in result.output


# -- 6. the export commands say why they cannot write, without a traceback -----------------------------------

def test_export_qr_to_an_unwritable_folder_is_one_line_on_stderr(runner, city):
    result = runner.invoke(args=["export-qr", "--community", "C001", "--out", "/proc/x"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: cannot write /proc/x") and result.output.count("\n") == 1


def test_export_responses_to_a_missing_folder_is_one_line_on_stderr(runner, city, tmp_path):
    out = tmp_path / "missing" / "dir" / "x.csv"
    result = runner.invoke(args=["export-responses", "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output == f"Error: cannot write {out} (its folder does not exist or is not writable)\n"


# -- 7. screened out after going back: the answers given after screening are removed ------------------------

def test_going_back_to_screen_out_removes_later_answers_from_store_and_export(client, app, runner, city,
                                                                             tmp_path):
    secret = secrets_of(app)[0]
    first_path, page = first_page(client, secret)
    second = client.post(first_path, data=fill(page_form(page.text)))
    second_path = page_path(second.headers["Location"])
    third = client.post(second_path, data=fill(page_form(client.get(second_path).text)))
    assert third.status_code == 302 and count(app, Answer) > 3
    again = client.post(first_path, data=fill(page_form(client.get(first_path).text), {"S2": ["1"]}))
    assert again.headers["Location"].endswith("/done")
    assert "年满18岁" in client.get(page_path(again.headers["Location"])).text
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "ineligible"
        from questionnaires import builtin

        screening_page = {item.code for item in builtin().pages()[0].items}
        assert {"S1", "S2", "S3"} <= set(db.session.scalars(select(Answer.item))) <= screening_page
    out = tmp_path / "x.csv"
    assert runner.invoke(args=["export-responses", "--out", str(out)]).exit_code == 0
    with out.open(encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 1 and rows[0]["status"] == "ineligible" and rows[0]["S2"] == "1"
    assert all(rows[0][item] == "" for item in rows[0] if item.startswith(("A", "B", "E")))


# -- the database unreachable: a 503 page that says to try again, in both languages ---------------------------

def test_database_down_gives_a_try_again_page_not_a_500(tmp_path):
    from survey import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 32, "BASE_URL": "http://survey.test",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    app.instance_path = str(tmp_path / "instance")
    response = app.test_client().get("/r/" + "x" * 32)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "请稍等片刻后再次提交" in response.text and "submit again" in response.text


def test_a_community_code_with_nul_or_too_long_is_a_404_not_a_500(signed_in, city):
    for code in ("C%00", "C001%00x", "C" * 300):
        for suffix in ("", "/qr-sheet", "/poster.png"):
            assert signed_in.get(f"/manage/communities/{code}{suffix}").status_code == 404, (code, suffix)
        assert signed_in.get(f"/manage/rounds/{code}").status_code == 404, code
        assert signed_in.get(f"/manage/rounds/{code}/weights").status_code == 404, code


def test_a_round_code_with_nul_is_refused_with_a_message(signed_in, city):
    page = signed_in.get("/manage/rounds")
    response = signed_in.post("/manage/rounds", data={"csrf_token": csrf_token(page.text), "code": "R\x002",
                                                      "design": "take-all"})
    assert response.status_code == 400 and "no spaces or control characters" in response.text


def test_a_connection_cut_after_the_response_is_built_keeps_the_response(app, client, city, database_url):
    """PostgreSQL restarting between a view's last query and the end of the request: the session's closing
    rollback fails, which used to replace the finished page by a bare 500."""
    import pytest
    import sqlalchemy as sa

    if not database_url.startswith("postgresql"):
        pytest.skip("cutting a server connection needs PostgreSQL")
    killer = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")

    @app.after_request
    def cut_my_connection(response):
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return response

    response = client.get(f"/r/{secrets_of(app)[0]}")
    killer.dispose()
    assert response.status_code == 200 and "和平里社区" in response.text
