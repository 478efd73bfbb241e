"""Signed-in administrators' sessions: ended on the server, idle and absolute lifetimes.

The session cookie is signed, not stored, so ending a session needs a server-side fact the cookie must agree
with: each user row has a ``session_version``; a session records the version it was opened under, and raising
the version (sign out, password change, "sign out everywhere") ends every session opened before, on every
worker.  A session also ends after ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_ABSOLUTE_HOURS``
after sign-in, whatever happens in between.
"""

from __future__ import annotations

import time

from flask import current_app, session
from sqlalchemy import update

from ..extensions import db
from ..models import User

KEY = "auth"  # {"v": session version, "start": epoch seconds, "seen": epoch seconds}
LOGIN_KEYS = ("_user_id", "_fresh", "_id", KEY)  # what Flask-Login and this module keep in the session


def clock() -> int:
    """The clock sessions are timed by (epoch seconds)."""
    return int(time.time())


def begin(user: User) -> None:
    """Stamp the session just signed in with the user's current version and the time."""
    now = clock()
    session[KEY] = {"v": user.session_version, "start": now, "seen": now}


def still_valid(user: User | None) -> bool:
    """Whether this request's session may act for ``user``; refreshes its idle clock when it may."""
    stamp = session.get(KEY)
    if user is None or not isinstance(stamp, dict) or stamp.get("v") != user.session_version:
        return False
    now, config = clock(), current_app.config
    if now - stamp.get("start", 0) > int(config["SESSION_ABSOLUTE_HOURS"]) * 3600:
        return False
    if now - stamp.get("seen", 0) > int(config["SESSION_IDLE_MINUTES"]) * 60:
        return False
    if now - stamp["seen"] >= 30:  # a new cookie at most twice a minute, not on every request
        session[KEY] = {**stamp, "seen": now}
    return True


def forget() -> None:
    """Drop the sign-in from this browser's session (the resident part of the session is kept)."""
    for key in LOGIN_KEYS:
        session.pop(key, None)


def end_everywhere(user: User) -> None:
    """End every session of ``user`` (the caller commits): the version goes up in one UPDATE, so two
    concurrent requests cannot both read the old value and write the same new one."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_version=User.session_version + 1))
    db.session.refresh(user)
