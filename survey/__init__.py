"""The web application: residents answer by QR, administrators manage the frame and QR codes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from flask import Flask, render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from . import security
from .config import load_config
from .extensions import csrf, db, limiter, login_manager, migrate
from .services import audit

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(test_config=None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__, instance_relative_config=True, static_folder="../static")
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    security.install(app)
    audit.install_log(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.teardown_appcontext(_close_session)
    from . import models  # noqa: F401  (models must be imported before migrations or create_all)
    from .services import sessions

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(models.User, int(user_id))
        if sessions.still_valid(user):
            return user
        sessions.forget()  # signed out elsewhere, password changed, idle or too old: sign in again
        return None


def _close_session(_exc) -> None:
    """Close the request's session before Flask-SQLAlchemy removes it (teardowns run in reverse order).

    When the database cut the connection after the response was built (a restart, a failover), the rollback
    of closing fails; that transaction is gone with the connection anyway, so the connection is dropped quietly
    instead of turning a finished response into a bare 500.  Other errors still propagate.
    """
    try:
        db.session.close()
    except DBAPIError as err:
        if not err.connection_invalidated:
            raise


def register_blueprints(app: Flask) -> None:
    from .manage import bp as manage_bp
    from .respond import bp as respond_bp

    app.register_blueprint(respond_bp)
    app.register_blueprint(manage_bp, url_prefix="/manage")
    from .i18n import install

    install(app)


def register_errorhandlers(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .errors import InvalidForm, NotFound

    def page(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(NotFound)
    @app.errorhandler(404)
    def not_found(_err):
        return page(404, "页面不存在 / Page not found",
                    "这个链接无效或已失效。 This link is not valid.")

    @app.errorhandler(400)
    def bad_request(_err):
        return page(400, "请求有误 / Bad request", "请求中的参数无效。 A parameter of the request is not valid.")

    @app.errorhandler(InvalidForm)
    def invalid_form(_err):
        return page(400, "表单无效 / Form not valid",
                    "提交的表单已损坏，请返回、刷新页面后重新提交。 The form sent was damaged: go back, reload and "
                    "submit again.")

    @app.errorhandler(403)
    def forbidden(_err):
        return page(403, "无权访问 / Not allowed", "您的账号无权打开此页面。 Your account may not open this page.")

    @app.errorhandler(409)
    def conflict(err):
        return page(409, "无法导出 / Cannot export",
                    f"此格式无法导出现有数据，请改用 CSV。 This format cannot hold the stored data: {err.description}")

    @app.errorhandler(429)
    def throttled(_err):
        return security.lockout_page(_reset_at())

    @app.errorhandler(413)
    def too_large(_err):
        return page(413, "提交内容过大 / Too large", "提交的内容超过了允许的大小。 The submission is too large.")

    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return page(400, "页面已过期 / Form expired",
                    "表单已过期或来源无效，请返回后重新提交。 The form expired or was not sent by this site: "
                    f"go back, reload and submit again. ({err.description})")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(_err):
        # The database is down or restarting (the connection pool drops its dead connections on the way):
        # nothing was stored by this request, and re-sending the same form is safe (submission keys).
        with contextlib.suppress(DBAPIError):
            db.session.rollback()
        body, _code = page(503, "请稍后重试 / Please try again",
                           "系统暂时繁忙，您的回答没有丢失：请稍等片刻后再次提交（或刷新页面）。 The service is busy "
                           "for a moment and nothing was lost: wait a few seconds, then submit again (or reload).")
        return body, 503, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(_err):
        with contextlib.suppress(DBAPIError):  # the page must render even when the connection is gone
            db.session.rollback()
        return page(500, "出错了 / Something went wrong", "服务器出错，您的回答未丢失。 A server error occurred.")


def _reset_at() -> float | None:
    """When the sign-in throttle that refused this request lets it through again (epoch seconds)."""
    try:
        limit = limiter.current_limit
    except Exception:  # noqa: BLE001  (a storage outage must not turn the 429 page into a 500)
        return None
    return limit.reset_at if limit is not None else None


def register_commands(app: Flask) -> None:
    from .cli import commands

    for command in commands:
        app.cli.add_command(command)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: foreign keys on, WAL journal, wait instead of failing on a busy database."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
