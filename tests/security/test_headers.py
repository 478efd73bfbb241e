"""Security headers on every response; no inline script or style on any page (the CSP allows none)."""

from __future__ import annotations

import re

from tests.respond.test_flow import first_page, secrets_of

MANAGE_PAGES = ["/manage/", "/manage/frame", "/manage/communities/C001", "/manage/communities/C001/qr-sheet",
                "/manage/account", "/manage/users", "/manage/audit"]


def assert_safe(response, referrer: str):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == referrer
    assert response.headers["Cache-Control"] == "no-store"


def no_inline_code(html: str) -> bool:
    return not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", html, re.I)


def test_resident_pages_send_no_referrer_and_are_not_stored(client, app, city):
    secret = secrets_of(app)[0]
    landing = client.get(f"/r/{secret}")
    assert_safe(landing, "no-referrer") and no_inline_code(landing.text)
    _path, page = first_page(client, secret)
    assert_safe(page, "no-referrer")
    assert no_inline_code(page.text)
    assert_safe(client.get("/r/" + "x" * 32), "no-referrer")  # the 404 page too


def test_manage_pages_files_and_errors_carry_the_headers(signed_in, city):
    for path in MANAGE_PAGES:
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert_safe(response, "same-origin")
        assert no_inline_code(response.text), path
    export = signed_in.get("/manage/export/responses.csv")
    assert_safe(export, "same-origin")
    export.close()
    poster = signed_in.get("/manage/communities/C001/poster.png")
    assert_safe(poster, "same-origin")
    assert_safe(signed_in.get("/manage/communities/NOPE"), "same-origin")


def test_login_page_and_static_files(client):
    login = client.get("/manage/login")
    assert_safe(login, "same-origin")
    assert no_inline_code(login.text)
    css = client.get("/static/site.css")
    assert css.headers["X-Content-Type-Options"] == "nosniff" and "no-store" not in css.headers["Cache-Control"]
    css.close()
