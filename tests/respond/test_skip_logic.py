"""Skip logic and constraints enforced by the server, on a questionnaire published for the test."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, Response
from survey.services import rounds, versions
from tests.forms import page_form
from tests.respond.test_flow import first_page, secrets_of

SKIP_YAML = """
code: skip-test
version: "1"
title: {zh: 跳题测试, en: Skip test}
description: {zh: 测试, en: Test}
privacy: {zh: 不记录姓名, en: No names}
estimated_minutes: 1
sections:
  - code: P
    title: {zh: 第一部分, en: Part one}
    items:
      - code: Q1
        type: single
        label: {zh: 您家有车吗？, en: "Does your household own a car?"}
        choices:
          - {code: 1, zh: 有, en: "Yes"}
          - {code: 2, zh: 没有, en: "No"}
  - code: R
    title: {zh: 第二部分, en: Part two}
    items:
      - code: Q2
        type: number
        label: {zh: 有几辆车？, en: "How many cars?"}
        relevant: Q1 = 1
        constraint: . >= 1 and . <= 9
        constraint_message: {zh: 请填写1到9, en: Enter 1 to 9}
      - code: Q3
        type: text
        required: false
        max_length: 20
        label: {zh: 其他意见, en: Other comments}
  - code: T
    title: {zh: 第三部分, en: Part three}
    items:
      - code: Q4
        type: single
        label: {zh: 是否满意？, en: "Satisfied?"}
        choices:
          - {code: 1, zh: 是, en: "Yes"}
          - {code: 2, zh: 否, en: "No"}
"""


@pytest.fixture
def skip_city(app, city):
    with app.app_context():
        version = versions.publish(qn.loads(SKIP_YAML, source="skip.yaml"))
        rounds.current().questionnaire_version_id = version.id  # the round's questionnaire is what it asks
        db.session.commit()
    app.config["BUILTIN_QUESTIONNAIRE"] = "skip-test"
    return secrets_of(app)[0]


def answer_first(client, secret, car):
    path, page = first_page(client, secret)
    form = page_form(page.text)
    moved = client.post(path, data={**form.hidden, "Q1": car})
    assert moved.status_code == 302
    return moved.headers["Location"]


def stored(app):
    with app.app_context():
        return dict(db.session.execute(select(Answer.item, Answer.value)).all())


def test_answer_to_a_hidden_item_is_refused_and_named(client, app, skip_city):
    path = answer_first(client, skip_city, "2")
    page = client.get(path)
    assert "有几辆车" not in page.text  # Q2 is not shown to a household without a car
    refused = client.post(path, data={**page_form(page.text).hidden, "Q2": "3", "Q3": "好"})
    assert refused.status_code == 422 and 'id="q-Q2"' not in refused.text
    assert "Q2" in refused.text
    assert stored(app) == {"Q1": "2"}


def test_constraint_and_length_are_checked_on_the_server(client, app, skip_city):
    path = answer_first(client, skip_city, "1")
    page = client.get(path)
    form = page_form(page.text)
    for bad in ({"Q2": "12"}, {"Q2": "two"}, {"Q2": "2", "Q3": "长" * 21}):
        refused = client.post(path, data={**form.hidden, **bad})
        assert refused.status_code == 422 and "has-error" in refused.text
    assert stored(app) == {"Q1": "1"}
    last = client.post(path, data={**form.hidden, "Q2": "2"}).headers["Location"]
    done = client.post(last, data={**page_form(client.get(last).text).hidden, "Q4": "1"})
    assert done.headers["Location"].endswith("/done")
    assert stored(app) == {"Q1": "1", "Q2": "2", "Q4": "1"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response).filter_by(status="complete")) == 1


def test_changing_an_earlier_answer_drops_answers_it_now_hides(client, app, skip_city):
    secret = skip_city
    path = answer_first(client, secret, "1")
    client.post(path, data={**page_form(client.get(path).text).hidden, "Q2": "3", "Q3": "旧意见"})
    assert stored(app) == {"Q1": "1", "Q2": "3", "Q3": "旧意见"}
    back = client.get(f"/r/{secret}/p/0")
    assert client.post(f"/r/{secret}/p/0", data={**page_form(back.text).hidden, "Q1": "2"}).status_code == 302
    assert stored(app) == {"Q1": "2", "Q3": "旧意见"}  # Q2 is no longer asked, so its answer goes
    cleared = client.post(path, data={**page_form(client.get(path).text).hidden, "Q3": ""})
    assert stored(app) == {"Q1": "2"}  # an optional answer emptied on a second visit is removed
    last = cleared.headers["Location"]
    finished = client.post(last, data={**page_form(client.get(last).text).hidden, "Q4": "2"})
    assert finished.headers["Location"].endswith("/done")
    assert stored(app) == {"Q1": "2", "Q4": "2"}
