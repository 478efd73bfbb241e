"""The resident's way through a household QR link, as pages rendered and answers stored."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, PageSubmission, Response, Token
from tests.forms import page_form
from tests.respond.flow import answer_all, fill, page_path


def secrets_of(app, kind="household"):
    with app.app_context():
        return list(db.session.scalars(select(Token.token).filter_by(kind=kind).order_by(Token.id)))


def count(app, model, **filters):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def first_page(client, secret):
    landing = client.get(f"/r/{secret}")
    path = re.search(r'href="(/r/[^"]+/p/\d+)"', landing.text).group(1)
    return path, client.get(path)


def test_landing_shows_purpose_privacy_time_and_language_switch(client, app, city):
    secret = secrets_of(app)[0]
    page = client.get(f"/r/{secret}")
    assert page.status_code == 200
    assert "和平里社区" in page.text
    assert "隐私" in page.text and "分钟" in page.text
    assert 'href="?lang=en"' in page.text and "开始答题" in page.text
    english = client.get(f"/r/{secret}?lang=en")
    assert "Start" in english.text and "Privacy" in english.text and "minutes" in english.text


def test_pages_name_fields_by_item_code_and_choices_by_answer_code(client, app, city):
    _path, page = first_page(client, secrets_of(app)[0])
    form = page_form(page.text)
    assert form.choices["S1"] == ["1", "2", "3", "4"]
    assert form.choices["S2"] == ["1", "2", "3", "4", "5", "6"]
    assert "您在本市（本社区）连续居住了多长时间？" in page.text
    assert "<progress" in page.text


def test_whole_questionnaire_is_stored_once_and_link_is_then_closed(client, app, city):
    secret = secrets_of(app)[0]
    done = answer_all(client, secret)
    assert "感谢您的参与" in done.text
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert (response.status, response.mode, response.probability_sample) == ("complete", "qr_household", True)
        assert response.submitted_at is not None and response.household_id is not None
        stored = dict(db.session.execute(select(Answer.item, Answer.value)).all())
        assert stored["S1"] == "4" and stored["A1"] == "1" and stored["E1"] == "希望加强楼道清洁"
        assert len(stored) == 31
        assert db.session.scalar(select(Token.used_at).filter_by(token=secret)) is not None
    again = app.test_client().get(f"/r/{secret}")
    assert again.status_code == 409 and "本户已完成问卷" in again.text
    # the same browser going back to a page is sent to the thank-you page
    assert client.get(f"/r/{secret}/p/0").headers["Location"].endswith("/done")
    assert "感谢您的参与" in client.get(f"/r/{secret}/done").text
    assert count(app, Response) == 1


def test_english_flow(client, app, city):
    done = answer_all(client, secrets_of(app)[1], lang="en")
    assert "Thank you" in done.text
    with app.app_context():
        assert db.session.scalar(select(Response.language)) == "en"


def test_screened_out_resident_ends_as_ineligible(client, app, city):
    done = answer_all(client, secrets_of(app)[0], overrides={"S2": ["1"]})
    assert "年满18岁" in done.text
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.status == "ineligible"
        assert {a.item for a in response.answers} == {"S1", "S2", "S3", "H1"}


def test_forged_token_gets_the_same_404_as_a_mistyped_one(client, app, city):
    real = secrets_of(app)[0]
    forged = client.get("/r/" + "A" * len(real))
    mistyped = client.get("/r/" + real[:-1] + ("B" if real[-1] != "B" else "C"))
    assert forged.status_code == mistyped.status_code == 404
    assert forged.text == mistyped.text
    assert "This link is not valid" in forged.text
    assert client.post("/r/" + "A" * len(real) + "/p/0", data={}).status_code in (400, 404)


def test_answer_code_not_in_list_is_refused_and_nothing_stored(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text), {"S1": ["7"]})
    refused = client.post(path, data=data)
    assert refused.status_code == 422
    assert 'id="q-S1"' in refused.text and "has-error" in refused.text
    assert count(app, Response) == 0 and count(app, Answer) == 0


def test_missing_required_answer_is_named(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text))
    del data["S3"]
    refused = client.post(path, data=data)
    assert refused.status_code == 422
    assert re.search(r'class="question has-error" id="q-S3"', refused.text)
    assert count(app, Response) == 0
    # the answers given are kept on the re-rendered page
    assert page_form(refused.text).checked["S1"] == ["4"]


def test_missing_or_wrong_csrf_token_is_refused(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text))
    for bad in (None, "forged-token"):
        posted = dict(data)
        if bad is None:
            posted.pop("csrf_token")
        else:
            posted["csrf_token"] = [bad]
        refused = client.post(path, data=posted)
        assert refused.status_code == 400 and "Form expired" in refused.text
    assert count(app, Response) == 0


def test_oversized_body_is_refused(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text))
    data["S3"] = ["2" + " " * 100_000]
    refused = client.post(path, data=data)
    assert refused.status_code == 413 and "too large" in refused.text
    assert count(app, Response) == 0


def test_same_page_posted_twice_changes_nothing(client, app, city):
    path, page = first_page(client, secrets_of(app)[0])
    data = fill(page_form(page.text))
    first = client.post(path, data=data)
    other = app.test_client()  # a re-sent POST may come without the session cookie of the first
    second = other.post(path, data={**data, "csrf_token": data["csrf_token"]})
    assert first.status_code == 302
    assert second.status_code in (302, 400)  # CSRF is bound to the session: a foreign replay is refused
    again = client.post(path, data=data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(app, Response) == 1 and count(app, PageSubmission) == 1
    assert count(app, Answer) == 4


def test_free_text_is_stored_as_typed_and_shown_escaped(client, app, city):
    secret = secrets_of(app)[0]
    typed = '<script>alert("x")</script> & 楼道'
    answer_all(client, secret, overrides={"E1": [typed]})
    with app.app_context():
        assert db.session.scalar(select(Answer.value).filter_by(item="E1")) == typed


def test_free_text_is_escaped_when_shown_again(client, app, city):
    secret = secrets_of(app)[0]
    typed = "<script>alert(1)</script>"
    path, page = first_page(client, secret)
    while True:
        form = page_form(page.text)
        if "E1" in form.kinds:
            break
        path = page_path(client.post(path, data=fill(form)).headers["Location"])
        page = client.get(path)
    data = fill(form, {"E1": [typed], "E2": []})
    data.pop("E2")
    shown = client.post(path, data=data)  # E2 missing: the page comes back with E1 as typed, escaped
    assert shown.status_code == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    assert "<script>alert(1)" not in shown.text


def test_resident_can_stop_and_continue_later_from_the_same_qr(client, app, city):
    secret = secrets_of(app)[0]
    path, page = first_page(client, secret)
    client.post(path, data=fill(page_form(page.text)))
    later = app.test_client()  # another day, another browser session
    landing = later.get(f"/r/{secret}")
    assert landing.status_code == 200 and "继续答题" in landing.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', landing.text).group(1)
    # without pressing 'continue', the page sends them to the landing page, and a first-page POST
    # from this browser is refused rather than overwriting the answers already saved
    assert later.get(path).headers["Location"].endswith(f"/r/{secret}")
    forged = {**fill(page_form(page.text), {"S3": ["1"]}), "csrf_token": [token], "submission_key": ["k" * 22]}
    refused = later.post(path, data=forged)
    assert refused.status_code == 409 and "本户问卷正在填写中" in refused.text
    resumed = later.post(f"/r/{secret}/resume", data={"csrf_token": token})
    assert resumed.status_code == 302 and resumed.headers["Location"].endswith("/p/1")
    shown = later.get(page_path(resumed.headers["Location"]))
    assert "第 2 页" in shown.text
    back = later.get(f"/r/{secret}/p/0")
    assert page_form(back.text).checked == {"S1": ["4"], "S2": ["3"], "S3": ["2"]}  # earlier answers kept
    done = answer_all(later, secret)
    assert "感谢" in done.text
    assert count(app, Response) == 1


def test_a_page_cannot_be_skipped_ahead(client, app, city):
    secret = secrets_of(app)[0]
    assert client.get(f"/r/{secret}/p/3").status_code == 404
    assert client.get(f"/r/{secret}/p/999").status_code == 404


def test_community_poster_link_records_non_probability_responses(app, city):
    secret = secrets_of(app, kind="community")[0]
    for _ in range(2):
        answer_all(app.test_client(), secret)
    with app.app_context():
        rows = db.session.execute(select(Response.mode, Response.probability_sample, Response.household_id)).all()
    assert rows == [("qr_community", False, None)] * 2


def test_poster_link_thanks_a_finished_resident_instead_of_offering_continue(client, app, city):
    secret = secrets_of(app, kind="community")[0]
    answer_all(client, secret)
    again = client.get(f"/r/{secret}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/r/{secret}/done")
    page = client.get(again.headers["Location"])
    assert "感谢您的参与" in page.text and "继续答题" not in page.text and "开始答题" not in page.text
