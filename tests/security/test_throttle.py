"""Sign-in throttle: failed sign-ins counted per account and per address, a lockout page that says when to
try again, counts shared by every worker through Redis."""

from __future__ import annotations

import os

import pytest
import redis

from tests.manage.conftest import sign_in

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def attempt(client, username, password, address="10.0.0.1"):
    client.environ_base["REMOTE_ADDR"] = address
    return sign_in(client, username, password)


def test_sixty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(app, client, admin):
    codes = [attempt(client, "admin", f"wrong-{n}").status_code for n in range(60)]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    locked = attempt(client, "admin", admin["password"])
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    assert "分钟后" in locked.text and "try again in about 15 minute(s), after" in locked.text
    assert client.get("/manage/").status_code == 302  # not signed in


def test_the_account_stays_locked_from_another_address_and_other_accounts_are_not(app, admin):
    from survey.services import users

    with app.app_context():
        _user, bob_password = users.create_admin("bob")
    for n in range(5):
        attempt(app.test_client(), "admin", f"wrong-{n}", address=f"10.0.1.{n}")
    assert attempt(app.test_client(), "ADMIN", admin["password"], address="10.9.9.9").status_code == 429
    assert attempt(app.test_client(), "bob", bob_password, address="10.9.9.9").status_code == 302


def test_one_address_trying_many_accounts_is_throttled(app, admin):
    app.config["LOGIN_LIMIT_ADDRESS"] = "8 per 15 minutes"
    client = app.test_client()
    for n in range(8):
        assert attempt(client, f"user{n}", "guess", address="10.0.2.1").status_code == 200
    assert attempt(client, "admin", admin["password"], address="10.0.2.1").status_code == 429
    assert attempt(app.test_client(), "admin", admin["password"], address="10.0.2.2").status_code == 302


def test_a_good_sign_in_is_not_counted(app, admin):
    for _ in range(8):
        client = app.test_client()
        assert attempt(client, "admin", admin["password"]).status_code == 302


@pytest.fixture
def redis_url():
    """Redis DB 5 (the tests' own), emptied before and after; a Redis that does not answer fails the test."""
    server = redis.Redis.from_url(REDIS_URL)
    server.ping()
    server.flushdb()
    yield REDIS_URL
    server.flushdb()
    server.close()


def test_redis_storage_shares_the_lockout_between_workers(app, admin, redis_url, database_url, tmp_path):
    from survey import create_app
    from survey.extensions import db

    def worker():
        instance = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                               "SQLALCHEMY_DATABASE_URI": database_url, "BASE_URL": "http://survey.test",
                               "RATELIMIT_STORAGE_URI": redis_url})
        instance.instance_path = str(tmp_path / "instance")
        return instance

    first = worker()
    for n in range(5):
        assert attempt(first.test_client(), "admin", f"wrong-{n}").status_code == 200
    assert redis.Redis.from_url(redis_url).keys("*login-account*")
    second = worker()  # a new process's limiter: nothing in its memory, counts only in Redis
    assert attempt(second.test_client(), "admin", admin["password"]).status_code == 429
    for instance in (first, second):
        with instance.app_context():
            db.session.remove()
            db.engine.dispose()
