"""Administrator accounts: creation with a random password, password resets and changes, authentication."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import AlreadyExists, NotFound, SurveyError
from ..extensions import db
from ..models import Action, Role, User
from . import audit, sessions

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
# Checked when a username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))
PASSWORD_MIN, PASSWORD_MAX = 12, 200
# The most used passwords of the public breach lists (and this project's obvious ones): refused outright.
COMMON_PASSWORDS = frozenset({
    "123456789012", "1234567890123", "password1234", "password12345", "passw0rd1234", "qwertyuiop12", "qwerty123456",
    "1q2w3e4r5t6y", "iloveyou1234", "administrator", "admin1234567", "welcome12345", "letmein12345", "abc123456789",
    "111111111111", "000000000000", "123123123123", "woaini123456", "woaini1314520", "aaaaaaaaaaaa", "changeme1234",
    "survey123456", "wenming12345", "p@ssw0rd1234",
})


def new_password() -> str:
    """A random password of 96 bits, 16 URL-safe characters (easy to copy, nothing to confuse)."""
    return secrets.token_urlsafe(12)


def find(username: str) -> User | None:
    return db.session.scalar(select(User).filter_by(username=username))


def create_admin(username: str, *, role: str = Role.ADMIN) -> tuple[User, str]:
    """Create an administrator with a random password; return the user and the password (shown once)."""
    if not USERNAME.match(username or ""):
        raise SurveyError("a username is 1 to 64 letters, digits, '.', '_' or '-', "
                          "starting with a letter or digit")
    if find(username):
        raise AlreadyExists(f"user {username!r} exists already")
    password = new_password()
    user = User(username=username, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(Action.USER_CREATED, detail={"username": username, "role": role})
    db.session.commit()
    return user, password


def reset_password(username: str) -> str:
    """Give ``username`` a new random password and return it (shown once)."""
    user = find(username)
    if user is None:
        raise NotFound(f"there is no user {username!r}")
    password = new_password()
    user.set_password(password)
    sessions.end_everywhere(user)
    audit.record(Action.PASSWORD_RESET, detail={"username": username})
    db.session.commit()
    return password


def password_problems(username: str, password: str) -> list[str]:
    """What is wrong with ``password`` as a new password of ``username`` (empty: it may be used)."""
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"密码至少 {PASSWORD_MIN} 个字符。 A password has at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        problems.append(f"密码最多 {PASSWORD_MAX} 个字符。 A password has at most {PASSWORD_MAX} characters.")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名。 A password may not contain the username.")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("这个密码太常见或太简单。 This password is too common or too simple.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        problems.append("密码不能包含控制字符。 A password may not contain control characters.")
    return problems


def change_password(user: User, current: str, new: str) -> None:
    """Set a password the user chose; ends every other session of the user (the caller re-stamps its own).

    Raises :class:`SurveyError` naming every problem (wrong current password, policy) and changes nothing.
    """
    if not user.check_password(current or ""):
        raise SurveyError("当前密码错误。 The current password is wrong.")
    problems = password_problems(user.username, new or "")
    if problems:
        raise SurveyError(" ".join(problems))
    user.set_password(new)
    sessions.end_everywhere(user)
    audit.record(Action.PASSWORD_CHANGED, user=user, detail={"username": user.username})
    db.session.commit()


def sign_out_everywhere(user: User, *, by: User | None = None) -> None:
    """End every session of ``user`` (``by``: the administrator who asked, when not the user)."""
    sessions.end_everywhere(user)
    audit.record(Action.SIGN_OUT_EVERYWHERE, user=by or user, detail={"username": user.username})
    db.session.commit()


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right, else None (the caller shows one message for every failure)."""
    # A name no account can have (too long, NUL, ...) is not looked up: PostgreSQL would refuse a NUL.
    user = find(username) if USERNAME.match(username or "") else None
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if user.check_password(password or "") else None
