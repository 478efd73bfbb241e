"""Configuration: defaults in code, overrides from the instance folder or ``SURVEY_*`` variables.

Order of precedence (last wins): :class:`Defaults`, ``instance/config.py``, the environment. A mapping
given to :func:`survey.create_app` (tests) replaces the last two, as in Flask's tutorial, so a developer's
instance file or ``SURVEY_*`` variables never leak into a test.  The secret key has no default: in production
(``SURVEY_ENV=production``) a missing key stops the app; elsewhere a random key is generated once and
kept in the instance folder, so a development install never shares a well-known secret.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: environment variable -> config key
ENV_KEYS = {
    "SURVEY_SECRET_KEY": "SECRET_KEY",
    "SURVEY_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "SURVEY_BASE_URL": "BASE_URL",
    "SURVEY_ENV": "ENV",
    "SURVEY_RATELIMIT_STORAGE_URL": "RATELIMIT_STORAGE_URI",
    "SURVEY_SESSION_IDLE_MINUTES": "SESSION_IDLE_MINUTES",
    "SURVEY_SESSION_ABSOLUTE_HOURS": "SESSION_ABSOLUTE_HOURS",
    "SURVEY_LOGIN_LIMIT_ACCOUNT": "LOGIN_LIMIT_ACCOUNT",
    "SURVEY_LOGIN_LIMIT_ADDRESS": "LOGIN_LIMIT_ADDRESS",
}
#: settings read from the environment as whole numbers
INT_KEYS = frozenset({"SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS"})


class Defaults:
    ENV = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in the instance folder
    BASE_URL = "http://127.0.0.1:5000"
    MAX_CONTENT_LENGTH = 64 * 1024  # a questionnaire page is a few KB; refuse anything bigger
    WTF_CSRF_TIME_LIMIT = None  # residents may pause for hours before the next page
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # No pre-ping: it costs a round trip on every request; connections are recycled instead, and a
    # connection dropped by a database restart fails one request, which the resident simply re-sends.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_recycle": 1800}
    BUILTIN_QUESTIONNAIRE = "civility-household"
    # Administrators' sessions (survey/services/sessions.py): ended after this long idle / after sign-in.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    # Sign-in throttle (Flask-Limiter): failed sign-ins allowed per account and per client address.  Counts
    # live in memory (one process: the demo) or, in production with several workers, in Redis:
    # SURVEY_RATELIMIT_STORAGE_URL=redis://127.0.0.1:6379/0.
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_LIMIT_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "20 per 15 minutes"
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = "survey"
    # Redis down: fall back to per-process counts and keep serving rather than failing every sign-in.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True


def load_config(app, test_config=None) -> None:
    """Fill ``app.config`` in precedence order and settle the database URL and secret key."""
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        for var, key in ENV_KEYS.items():
            if os.environ.get(var):
                app.config[key] = _setting(var, key)
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        path = Path(app.instance_path) / "survey.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
    if app.config["BASE_URL"].startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)


def _setting(var: str, key: str):
    value = os.environ[var]
    if key in INT_KEYS:
        if not value.strip().isdigit():
            raise RuntimeError(f"{var} must be a whole number of minutes or hours, not {value!r}")
        return int(value)
    return value


def _instance_secret(app) -> str:
    if app.config["ENV"] == "production":
        raise RuntimeError("SURVEY_SECRET_KEY must be set in production (SURVEY_ENV=production)")
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
