"""A fresh app per test (as Flask's tutorial does), on SQLite and, when SURVEY_TEST_DATABASE_URL is set,
again on PostgreSQL.  The schema is built by the Alembic migrations, so the tests exercise them too."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("SURVEY_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

SMALL_FRAME = (
    "district_code,district_name,street_code,street_name,community_code,community_name,building,unit,address\n"
    "D01,东城区,S01,和平街道,C001,和平里社区,1,101,和平里1号楼101\n"
    "D01,东城区,S01,和平街道,C001,和平里社区,1,102,\n"
    "D01,东城区,S01,和平街道,C001,和平里社区,2,201,和平里2号楼201\n"
    "D01,东城区,S02,安定街道,C002,安定门社区,5,301,安定门5号楼301\n"
)


def pytest_sessionstart(session):
    """A configured PostgreSQL that does not answer fails the run at once (CI must not skip it)."""
    if not PG_URL:
        return
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError as err:
        raise pytest.UsageError(f"SURVEY_TEST_DATABASE_URL={PG_URL} does not answer: {err}") from err


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    yield PG_URL


@pytest.fixture
def app(database_url, tmp_path):
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "http://survey.test",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def city(app):
    """The built-in questionnaire published and a small frame (2 communities, 4 households) loaded."""
    from questionnaires import builtin
    from survey.services import frame, versions

    with app.app_context():
        version = versions.publish(builtin())
        report = frame.import_frame(SMALL_FRAME.encode("utf-8"), source="small.csv")
        return {"version_id": version.id, "report": report}


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)

