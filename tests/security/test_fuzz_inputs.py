"""Property-based tests (Hypothesis) of every form post and CLI file reader: random bytes, random Unicode, long
strings, NUL and control characters never give a 500 or a traceback, and nothing is stored half-way.  They run
on SQLite and on PostgreSQL (the ``app`` fixture), where NUL and over-long values used to fail."""

from __future__ import annotations

import re
from io import BytesIO

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Household, Response
from tests.conftest import SMALL_FRAME, csrf_token
from tests.forms import page_form
from tests.respond.test_flow import secrets_of

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=5),
    st.from_regex(r"[0-9]{1,20}", fullmatch=True),
    st.builds(lambda ch, n: ch * n, st.characters(), st.integers(60, 3000)),
)


def rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@FUZZ
@given(values=st.dictionaries(st.sampled_from(["S1", "S2", "S3", "submission_key", "zz", "csrf_token"]),
                              st.lists(junk, min_size=1, max_size=3), max_size=5))
def test_a_resident_page_post_never_fails_and_stores_all_or_nothing(app, city, values):
    client = app.test_client()
    poster = secrets_of(app, kind="community")[0]
    landing = client.get(f"/r/{poster}")
    path = re.search(r'href="(/r/[^"]+/p/\d+)"', landing.text).group(1)
    form = page_form(client.get(path).text)
    data = {**{name: [value] for name, value in form.hidden.items()}, **values}
    before = rows(app, Response), rows(app, Answer)
    response = client.post(path, data=data)
    assert response.status_code < 500, response.text
    after = rows(app, Response), rows(app, Answer)
    if response.status_code == 302:
        assert after[0] == before[0] + 1 and after[1] > before[1]
    else:
        assert after == before


@FUZZ
@given(body=st.binary(max_size=400))
def test_raw_bytes_posted_anywhere_never_give_a_500(app, city, body):
    client = app.test_client()
    poster = secrets_of(app, kind="community")[0]
    for path in ("/manage/login", f"/r/{poster}/p/0", f"/r/{poster}/resume", "/manage/frame"):
        response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (path, response.text)


@FUZZ
@given(username=junk, password=junk)
def test_sign_in_with_any_text_never_fails(app, client, username, password):
    page = client.get("/manage/login")
    response = client.post("/manage/login", data={"csrf_token": csrf_token(page.text), "username": username,
                                                  "password": password})
    assert response.status_code in (200, 400, 413, 429)


@FUZZ
@given(data=st.one_of(st.binary(max_size=600),
                      st.lists(junk, min_size=9, max_size=9).map(lambda cells: (
                          SMALL_FRAME + ",".join(c.replace(",", "").replace("\n", "") for c in cells)).encode())))
def test_any_frame_file_is_loaded_whole_or_refused_whole(app, signed_in, data):
    before = rows(app, Household)
    page = signed_in.get("/manage/frame")
    response = signed_in.post("/manage/frame", data={"csrf_token": csrf_token(page.text),
                                                     "file": (BytesIO(data), "fuzz.csv")},
                              content_type="multipart/form-data")
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert rows(app, Household) == before


@FUZZ
@given(data=st.binary(max_size=600))
def test_cli_file_readers_never_print_a_traceback(app, runner, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "input"
    path.write_bytes(data)
    for command in ("import-frame", "check-questionnaire"):
        result = runner.invoke(args=[command, str(path)])
        assert result.exit_code in (0, 1), (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert "Traceback" not in result.output


@FUZZ
@given(current=junk, new=junk, confirm=st.one_of(junk, st.none()))
def test_password_change_with_any_text_never_fails(app, signed_in, current, new, confirm):
    page = signed_in.get("/manage/account")
    response = signed_in.post("/manage/account", data={"csrf_token": csrf_token(page.text), "current": current,
                                                       "new": new, "confirm": new if confirm is None else confirm})
    assert response.status_code in (302, 400, 413), response.text
