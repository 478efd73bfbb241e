"""Signing in and out: every manage page needs a signed-in user; forms carry CSRF tokens."""

from __future__ import annotations

import pytest

from survey.manage.auth import safe_next
from tests.conftest import csrf_token
from tests.manage.conftest import sign_in

MANAGE_PAGES = ["/manage/", "/manage/frame", "/manage/communities/C001", "/manage/communities/C001/qr-sheet",
                "/manage/communities/C001/poster.png", "/manage/communities/C001/poster.svg",
                "/manage/export/responses.csv"]


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_every_manage_page_redirects_to_login(client, city, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/manage/login?next=")


def test_upload_without_login_is_redirected_and_loads_nothing(client, city):
    response = client.post("/manage/frame", data={})
    assert response.status_code == 302 and "/manage/login" in response.headers["Location"]


def test_login_page_shows_form(client):
    html = client.get("/manage/login").get_data(as_text=True)
    assert "管理员登录" in html and 'name="password"' in html and 'name="csrf_token"' in html


def test_good_login_goes_to_dashboard_and_shows_the_user(client, admin):
    response = sign_in(client, "admin", admin["password"])
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    html = client.get("/manage/").get_data(as_text=True)
    assert "进度总览" in html and "admin" in html and "退出 Sign out" in html


@pytest.mark.parametrize(("username", "password"), [("admin", "wrong"), ("nobody", "wrong"), ("admin", "")])
def test_bad_login_shows_one_generic_message(client, admin, username, password):
    response = sign_in(client, username, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("用户名或密码错误" in html) == bool(password)
    assert client.get("/manage/").status_code == 302  # still signed out


def test_login_follows_next_to_a_local_page_only(client, admin):
    response = sign_in(client, "admin", admin["password"], next_url="/manage/frame")
    assert response.headers["Location"] == "/manage/frame"
    client.post("/manage/logout", data={"csrf_token": csrf_token(client.get("/manage/").get_data(as_text=True))})
    response = sign_in(client, "admin", admin["password"], next_url="https://evil.example/")
    assert response.headers["Location"] == "/manage/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "manage",
                                    "/\tx", "", None, "javascript:alert(1)"])
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target) is None


def test_safe_next_keeps_local_paths():
    assert safe_next("/manage/communities/C001?x=1") == "/manage/communities/C001?x=1"


@pytest.mark.parametrize("token", [None, "forged"])
def test_login_without_valid_csrf_is_refused(client, admin, token):
    data = {"username": "admin", "password": admin["password"]}
    if token:
        data["csrf_token"] = token
    response = client.post("/manage/login", data=data)
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_logout_needs_post_with_csrf(signed_in):
    assert signed_in.get("/manage/logout").status_code == 405
    assert signed_in.post("/manage/logout", data={}).status_code == 400
    assert signed_in.get("/manage/").status_code == 200
    token = csrf_token(signed_in.get("/manage/").get_data(as_text=True))
    response = signed_in.post("/manage/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "已退出登录" in response.get_data(as_text=True)
    assert signed_in.get("/manage/").status_code == 302
