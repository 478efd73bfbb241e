"""Two phones submitting the first page of one household link at the same moment: exactly one wins.

Runs on SQLite and on PostgreSQL (the suite's second backend); on PostgreSQL the two requests are
truly concurrent transactions racing for the household's unique response row.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Response
from tests.forms import page_form
from tests.respond.flow import fill
from tests.respond.test_flow import first_page, secrets_of


def race(app, path, payloads):
    barrier = threading.Barrier(len(payloads))
    results = [None] * len(payloads)

    def post(i, client, data):
        with app.app_context():
            barrier.wait()
            results[i] = client.post(path, data=data)

    threads = [threading.Thread(target=post, args=(i, c, d)) for i, (c, d) in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_concurrent_first_submissions_exactly_one_wins(app, city):
    secret = secrets_of(app)[0]
    payloads = []
    for sex in ("1", "2", "1", "2"):
        client = app.test_client()
        path, page = first_page(client, secret)
        payloads.append((client, fill(page_form(page.text), {"S3": [sex]})))
    results = race(app, path, payloads)
    codes = sorted(r.status_code for r in results)
    assert codes == [302, 409, 409, 409], [r.text[:300] for r in results]
    winner = next(i for i, r in enumerate(results) if r.status_code == 302)
    loser = next(r for r in results if r.status_code == 409)
    assert "本户问卷正在填写中" in loser.text
    with app.app_context():
        assert len(db.session.scalars(select(Response)).all()) == 1
        stored = dict(db.session.execute(select(Answer.item, Answer.value)).all())
    assert stored == {"S1": "4", "S2": "3", "S3": payloads[winner][1]["S3"][0], "H1": "2"}


def test_a_resent_page_racing_its_twin_gets_the_replay_not_a_500(app, city):
    """The fault run's case: a browser re-sends a page (same submission key) while the first POST, on a worker
    about to die, has inserted the key but not committed. The re-sent POST waits, then loses the key's insert to
    its twin: it must answer as a replay, not with a 500. (PostgreSQL: truly concurrent transactions.)"""
    import time

    import pytest
    import sqlalchemy as sa

    from survey.models import PageSubmission

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite serialises writers: the twin cannot hold an uncommitted key while the other writes")
    client = app.test_client()
    secret = secrets_of(app)[0]
    path, page = first_page(client, secret)
    second = client.post(path, data=fill(page_form(page.text))).headers["Location"]
    second = second.replace("http://localhost", "")
    form = fill(page_form(client.get(second).text))
    key = form["submission_key"][0]
    with app.app_context():
        response_id = db.session.scalar(select(Response.id))
        engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    twin = engine.connect()
    twin.begin()
    twin.execute(sa.insert(PageSubmission.__table__).values(key=key, response_id=response_id, page=1))
    result = {}

    def post():
        with app.app_context():
            result["response"] = client.post(second, data=form)

    thread = threading.Thread(target=post)
    thread.start()
    time.sleep(1.0)  # the re-sent POST is now waiting on the twin's uncommitted key
    twin.commit()
    twin.close()
    engine.dispose()
    thread.join(30)
    assert result["response"].status_code == 302, result["response"].text[:300]
