"""Administrator accounts: creation with a random password, password resets, authentication."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import AlreadyExists, NotFound, SurveyError
from ..extensions import db
from ..models import User

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
# Checked when a username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def new_password() -> str:
    """A random password of 96 bits, 16 URL-safe characters (easy to copy, nothing to confuse)."""
    return secrets.token_urlsafe(12)


def find(username: str) -> User | None:
    return db.session.scalar(select(User).filter_by(username=username))


def create_admin(username: str, *, role: str = "admin") -> tuple[User, str]:
    """Create an administrator with a random password; return the user and the password (shown once)."""
    if not USERNAME.match(username or ""):
        raise SurveyError("a username is 1 to 64 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit")
    if find(username):
        raise AlreadyExists(f"user {username!r} exists already")
    password = new_password()
    user = User(username=username, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user, password


def reset_password(username: str) -> str:
    """Give ``username`` a new random password and return it (shown once)."""
    user = find(username)
    if user is None:
        raise NotFound(f"there is no user {username!r}")
    password = new_password()
    user.set_password(password)
    db.session.commit()
    return password


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right, else None (the caller shows one message for every failure)."""
    # A name no account can have (too long, NUL, ...) is not looked up: PostgreSQL would refuse a NUL.
    user = find(username) if USERNAME.match(username or "") else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if user.check_password(password or "") else None
