"""Security headers on every response, and the page a throttled sign-in gets.

Headers (one after-request hook rather than Flask-Talisman: five fixed headers need no extension):

* ``Content-Security-Policy``: scripts, styles and everything else from this site only (no inline script or
  style anywhere: CSS lives in ``static/``), images also as ``data:`` (the QR sheet's inline PNGs), forms post
  only here, and ``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for old browsers): no framing;
* ``X-Content-Type-Options: nosniff``;
* ``Referrer-Policy``: ``no-referrer`` on resident pages (their URL holds the household's token), else
  ``same-origin``;
* ``Cache-Control: no-store`` on every page and file but static assets: pages carry answers, progress or PII;
* ``Strict-Transport-Security`` when the request came over https.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, render_template, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
RESIDENT_BLUEPRINT = "respond"


def install(app: Flask) -> None:
    app.after_request(add_headers)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    resident = request.blueprint == RESIDENT_BLUEPRINT or request.path.startswith("/r/")
    headers["Referrer-Policy"] = "no-referrer" if resident else "same-origin"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def lockout_page(reset_at: float | None):
    """The 429 page: when the throttle lets this sign-in be tried again, in both languages."""
    if reset_at:
        when = datetime.fromtimestamp(reset_at, UTC)
        minutes = max(1, round((reset_at - datetime.now(UTC).timestamp()) / 60))
        message = (f"登录失败次数过多，请在约 {minutes} 分钟后（{when:%H:%M} UTC 之后）再试。 "
                   f"Too many failed sign-ins: try again in about {minutes} minute(s), after {when:%H:%M} UTC.")
    else:
        message = "登录失败次数过多，请稍后再试。 Too many failed sign-ins: try again later."
    page = render_template("error.html", code=429, title="请稍后再试 / Try again later", message=message)
    retry = str(max(1, int(reset_at - datetime.now(UTC).timestamp()))) if reset_at else "60"
    return page, 429, {"Retry-After": retry}
