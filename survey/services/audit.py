"""The audit log: what administrators did, when, from where.

Every service or view that acts for an administrator calls :func:`record` with an :class:`Action` (the one list
of actions, in ``survey/models/audit.py``).  The event is added to the current database session, so it is
stored by the same commit as the change it describes (or, with ``commit=True``, at once, for actions that change
nothing else, such as a failed sign-in or an export), and written to the ``survey.audit`` application log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import Action, AuditEvent, User

__all__ = ["Action", "recent", "record"]
log = logging.getLogger("survey.audit")
COMMAND_LINE = "(command line)"
DETAIL_MAX = 2000  # characters of JSON kept per event
# Cells of a log row are cut to the column widths and rid of control characters (PostgreSQL refuses NUL).
_CONTROL = dict.fromkeys([*range(32), 127])


def _clean(text: str, limit: int) -> str:
    """``text`` without control characters or lone surrogates, cut to ``limit`` characters."""
    return str(text).translate(_CONTROL).encode("utf-8", "replace").decode("utf-8")[:limit]


def _who(user: User | None, actor: str | None) -> tuple[int | None, str]:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if user is not None:
        return user.id, user.username
    return None, _clean(actor, 64) if actor else COMMAND_LINE if not has_request_context() else "(anonymous)"


def record(action: Action, *, user: User | None = None, detail: Mapping | str | None = None,
           actor: str | None = None, commit: bool = False) -> AuditEvent:
    """Log ``action`` done by ``user`` (default: the signed-in user of the request; none on the command line).

    ``detail`` is a mapping of JSON values or a sentence; ``actor`` names who acted when there is no user
    (the username a failed sign-in tried).  The event joins the current transaction unless ``commit``.
    """
    action = Action(action)
    user_id, name = _who(user, actor)
    body = dict(detail) if isinstance(detail, Mapping) else ({"note": detail} if detail else {})
    text = _clean(json.dumps(body, ensure_ascii=False, default=str), DETAIL_MAX)
    address = _clean(request.remote_addr or "", 64) if has_request_context() else None
    event = AuditEvent(action=str(action), user_id=user_id, actor=name, address=address or None, detail=text)
    db.session.add(event)
    if commit:
        db.session.commit()
    log.info("%s by %s from %s: %s", action, name, address or "-", text)
    return event


def install_log(app) -> None:
    """Send audit events to the application log at INFO (the rest of the app logs warnings and errors only):
    through Flask's handler of the app's logger, to the server's error stream (gunicorn: its error log)."""
    app.logger  # noqa: B018  (creating the app's logger attaches Flask's handler, which this logger reaches)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def recent(limit: int = 200, before: int | None = None) -> list[AuditEvent]:
    """The latest events, newest first (``before``: only events with a smaller id, to page back)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    return list(db.session.scalars(query))


def details(event: AuditEvent) -> dict:
    """The detail of an event as a mapping."""
    try:
        value = json.loads(event.detail)
    except ValueError:
        return {"note": event.detail}
    return value if isinstance(value, dict) else {"note": value}
