"""A closed round accepts no answers: refused with a page in both languages, never stored, never lost silently."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response, Round, Token
from survey.services import outcomes
from tests.forms import page_form
from tests.respond.flow import answer_all, fill
from tests.rounds.conftest import invoke


def household_secret(app, round_code="R1"):
    with app.app_context():
        return db.session.scalar(select(Token.token).join(Round, Round.id == Token.round_id)
                                 .where(Round.code == round_code).order_by(Token.id).limit(1))


def responses(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def first_page(client, secret):
    landing = client.get(f"/r/{secret}")
    assert landing.status_code == 200
    path = f"/r/{secret}/p/0"
    return path, page_form(client.get(path).text)


def assert_closed_page(page):
    assert page.status_code == 409
    assert "本轮调查已结束" in page.text and "This survey round has closed" in page.text
    assert "accepts no more answers" in page.text


def test_landing_asks_the_adult_with_the_next_birthday(town, client):
    page = client.get(f"/r/{household_secret(town)}")
    assert "下一个过生日的成年人" in page.text
    english = client.get(f"/r/{household_secret(town)}?lang=en")
    assert "whose birthday comes next" in english.text


def test_a_page_posted_after_the_close_is_refused_and_nothing_is_stored(town, client, runner):
    path, form = first_page(client, household_secret(town))
    assert invoke(runner, "round", "close", "R1")[0] == 0
    assert_closed_page(client.post(path, data=fill(form)))
    assert responses(town) == 0
    assert_closed_page(client.get(f"/r/{household_secret(town)}"))


def test_an_answer_saved_before_the_close_stays(town, client, runner):
    answer_all(client, household_secret(town))
    assert invoke(runner, "round", "close", "R1")[0] == 0
    with town.app_context():
        assert db.session.scalar(select(Response.status)) == "complete"
    listed = invoke(runner, "round", "list")[1].splitlines()
    assert listed[1].startswith("R1 (current)  closed  take-all  1.1  69  69  1  0")


def test_an_answer_racing_a_close_waits_for_it_and_is_then_refused(town, client):
    """The close holds the round row (PostgreSQL: its row lock; SQLite: the write lock) while a resident posts
    a page: the page's transaction waits, sees the round closed, stores nothing and says so."""
    path, form = first_page(client, household_secret(town))
    with town.app_context():
        engine = sa.create_engine(db.engine.url)
    closer = engine.connect()
    if engine.dialect.name == "sqlite":
        closer.exec_driver_sql("BEGIN IMMEDIATE")
    closer.execute(sa.text("UPDATE survey_round SET status = 'closed' WHERE code = 'R1'"))
    result = {}
    poster = threading.Thread(target=lambda: result.update(page=client.post(path, data=fill(form))))
    poster.start()
    time.sleep(0.3)  # let the post reach the lock; the outcome is the same if it has not yet
    closer.commit()
    poster.join(timeout=30)
    closer.close()
    engine.dispose()
    assert_closed_page(result["page"])
    assert responses(town) == 0


def test_outcome_of_a_household_comes_from_its_response():
    assert [outcomes.outcome_of(s) for s in ("complete", "partial", "ineligible", None)] == ["I", "P", "NE", "UH"]
    assert outcomes.outcome_of(None, ["not_at_home", "refusal_household"]) == "R"
    assert outcomes.outcome_of("partial", ["vacant"]) == "P"


def test_a_planned_round_takes_no_answer_yet(town, client, runner):
    assert invoke(runner, "round", "create", "P", "--design", "srs", "--per-community", 1, "--seed", 2)[0] == 0
    page = client.get(f"/r/{household_secret(town, 'P')}")
    assert page.status_code == 409
    assert "本轮调查尚未开始" in page.text and "This survey round has not started" in page.text


def test_a_round_on_questionnaire_1_0_asks_1_0_and_the_latest_stays_current(town, client, runner):
    code, out, err = invoke(runner, "round", "create", "OLD", "--design", "srs", "--per-community", 1, "--seed", 2,
                            "--questionnaire", "1.0")
    assert code == 0, err
    assert "questionnaire 1.0" in out
    assert invoke(runner, "round", "open", "OLD")[0] == 0
    secret = household_secret(town, "OLD")
    first = client.get(f"/r/{secret}/p/0")
    assert 'id="q-S3"' in first.text and 'id="q-H1"' not in first.text
    with town.app_context():
        from survey.services import versions

        assert versions.current_version().version == "1.1"
