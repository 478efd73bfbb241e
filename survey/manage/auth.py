"""Sign-in helpers: where a ``next`` parameter may send a user after signing in; the sign-in throttle."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from ..extensions import limiter


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/manage/...``), else None.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (browsers read a backslash as a
    slash), and control characters, so a crafted login link cannot send a user to another site.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _account_key() -> str:
    """The account a sign-in tries (case folded and cut, so variants of a name share one count)."""
    return "login-account:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(_response) -> bool:
    return bool(g.get("login_failed"))


def _locked_out(which: str):
    def on_breach(_limit) -> None:
        from ..models import Action
        from ..services import audit

        audit.record(Action.SIGN_IN_LOCKED, actor=request.form.get("username") or "", detail={"limit": which},
                     commit=True)
    return on_breach


def login_throttle(view):
    """Failed sign-ins counted per account and per client address (``LOGIN_LIMIT_ACCOUNT`` / ``_ADDRESS``);
    past either limit every sign-in (a right password too) is refused with the 429 page until the window
    ends.  A GET of the page is never counted."""
    by_address = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], key_func=get_remote_address,
                               methods=["POST"], deduct_when=_failed, scope="login-address",
                               on_breach=_locked_out("address"))
    by_account = limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], key_func=_account_key,
                               methods=["POST"], deduct_when=_failed, scope="login-account",
                               on_breach=_locked_out("account"))
    return by_address(by_account(view))
