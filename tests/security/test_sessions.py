"""Administrators' sessions end on the server: sign out, password change, "sign out everywhere", idle and
absolute lifetimes; the cookie is Secure when the site is served over https."""

from __future__ import annotations

import pytest

from survey.services import sessions
from tests.conftest import csrf_token
from tests.manage.conftest import sign_in


def copy_of(app, client):
    """A second browser holding a copy of ``client``'s session cookie (as a thief would)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in_as(client, path="/manage/") -> bool:
    return client.get(path).status_code == 200


def test_sign_out_ends_a_copied_session_cookie(app, signed_in):
    thief = copy_of(app, signed_in)
    assert signed_in_as(thief)
    signed_in.post("/manage/logout", data={"csrf_token": csrf_token(signed_in.get("/manage/").text)})
    assert not signed_in_as(signed_in)
    response = thief.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/manage/login")


def test_reset_password_on_the_command_line_ends_every_session(app, signed_in, runner):
    assert runner.invoke(args=["reset-password", "admin"]).exit_code == 0
    assert not signed_in_as(signed_in)


def test_administrator_signs_another_user_out_everywhere(app, signed_in, admin):
    from survey.services import users

    with app.app_context():
        _user, password = users.create_admin("bob")
    bob = app.test_client()
    assert sign_in(bob, "bob", password).status_code == 302 and signed_in_as(bob)
    page = signed_in.get("/manage/users")
    assert page.status_code == 200 and 'data-user="bob"' in page.text
    response = signed_in.post("/manage/users/bob/sign-out-everywhere", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert not signed_in_as(bob) and signed_in_as(signed_in)


def test_a_supervisor_may_not_see_users_or_sign_others_out(app, signed_in):
    from survey.extensions import db
    from survey.services import users

    with app.app_context():
        user, password = users.create_admin("sue", role="supervisor")
        db.session.commit()
    sue = app.test_client()
    sign_in(sue, "sue", password)
    token = csrf_token(sue.get("/manage/account").text)
    assert sue.get("/manage/users").status_code == 403
    assert sue.get("/manage/audit").status_code == 403
    assert "无权访问" in sue.get("/manage/audit").text
    assert sue.post("/manage/users/admin/sign-out-everywhere", data={"csrf_token": token}).status_code == 403
    assert signed_in_as(signed_in)


def test_idle_session_ends_after_the_idle_time(app, signed_in, monkeypatch):
    start = sessions.clock()
    monkeypatch.setattr(sessions, "clock", lambda: start + 29 * 60)
    assert signed_in_as(signed_in)  # 29 minutes idle: still signed in, and the idle clock restarts
    monkeypatch.setattr(sessions, "clock", lambda: start + 58 * 60)
    assert signed_in_as(signed_in)
    monkeypatch.setattr(sessions, "clock", lambda: start + 89 * 60)
    assert not signed_in_as(signed_in)


def test_session_ends_after_the_absolute_lifetime_even_when_busy(app, signed_in, monkeypatch):
    start = sessions.clock()
    for minutes in range(20, 12 * 60, 20):
        monkeypatch.setattr(sessions, "clock", lambda m=minutes: start + m * 60)
        assert signed_in_as(signed_in), minutes
    monkeypatch.setattr(sessions, "clock", lambda: start + 12 * 3600 + 60)
    assert not signed_in_as(signed_in)


@pytest.mark.parametrize(("new", "message"), [
    ("short1!", "at least 12 characters"),
    ("admin-is-the-best-2026", "may not contain the username"),
    ("password1234", "too common"),
    ("aaaabbbbaaaabbbb", "too common or too simple"),
])
def test_password_policy_refuses_weak_passwords(signed_in, admin, new, message):
    page = signed_in.get("/manage/account")
    response = signed_in.post("/manage/account", data={"csrf_token": csrf_token(page.text),
                                                       "current": admin["password"], "new": new, "confirm": new})
    assert response.status_code == 400 and message in response.text
    assert sign_in(signed_in.application.test_client(), "admin", admin["password"]).status_code == 302


def test_password_change_keeps_this_session_and_ends_the_others(app, signed_in, admin):
    other = app.test_client()
    sign_in(other, "admin", admin["password"])
    page = signed_in.get("/manage/account")
    new = "Granite-lantern-47"
    response = signed_in.post("/manage/account", data={"csrf_token": csrf_token(page.text),
                                                       "current": admin["password"], "new": new, "confirm": new})
    assert response.status_code == 302 and signed_in_as(signed_in) and not signed_in_as(other)
    assert sign_in(app.test_client(), "admin", new).status_code == 302
    assert sign_in(app.test_client(), "admin", admin["password"]).status_code == 200


def test_cookie_is_secure_when_served_over_https(database_url, tmp_path):
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.services import users

    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": database_url,
                      "BASE_URL": "https://survey.example"})
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        upgrade()
        _user, password = users.create_admin("admin")
    client = app.test_client()
    page = client.get("/manage/login", base_url="https://survey.example")
    response = client.post("/manage/login", base_url="https://survey.example",
                           headers={"Referer": "https://survey.example/manage/login"}, data={
        "csrf_token": csrf_token(page.text), "username": "admin", "password": password})
    cookie = response.headers["Set-Cookie"]
    assert response.status_code == 302 and "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
