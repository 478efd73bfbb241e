"""Sign-in helpers: where a ``next`` parameter may send a user after signing in."""

from __future__ import annotations

from urllib.parse import urlsplit


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
