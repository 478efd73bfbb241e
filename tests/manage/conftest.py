"""Fixtures for the administrator pages: an administrator account and a signed-in client."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token


@pytest.fixture
def admin(app):
    from survey.services import users

    with app.app_context():
        _user, password = users.create_admin("admin")
    return {"username": "admin", "password": password}


def sign_in(client, username: str, password: str, next_url: str | None = None):
    page = client.get("/manage/login" + (f"?next={next_url}" if next_url else ""))
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/manage/login", data=data)


@pytest.fixture
def signed_in(client, admin):
    response = sign_in(client, admin["username"], admin["password"])
    assert response.status_code == 302
    return client
