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
