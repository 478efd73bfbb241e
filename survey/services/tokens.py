"""Access tokens behind the QR codes: their secrets, lookup and respondent URLs.

A secret is 24 random bytes (192 bits) from :mod:`secrets`, URL-safe base64 (32 characters), so it
cannot be guessed and needs no rate limit of its own.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import Community, Round, Token
from ..models.tokens import COMMUNITY

SECRET_BYTES = 24
# What new_secret() can produce (and older, longer secrets up to the column width): anything else is
# refused without a query.
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,64}\Z")


def new_secret() -> str:
    """A fresh URL-safe secret of 192 random bits."""
    return secrets.token_urlsafe(SECRET_BYTES)


def resolve(secret: str) -> Token:
    """The token with this secret; :class:`NotFound` (the same for every unknown secret) otherwise."""
    if not isinstance(secret, str) or not _SECRET_SHAPE.match(secret):
        raise NotFound("unknown link")
    token = db.session.scalar(select(Token).filter_by(token=secret).options(joinedload(Token.community)))
    if token is None:
        raise NotFound("unknown link")
    return token


def round_of(token: Token) -> Round:
    """The round a token answers into: a household token's own round, the current round for a community's
    open link."""
    if token.round_id is not None:
        return db.session.get(Round, token.round_id)
    from . import rounds

    return rounds.current()


def url_for_token(token: Token | str) -> str:
    """The respondent URL of a token: ``BASE_URL + "/r/" + secret`` (what the QR code encodes)."""
    secret = token if isinstance(token, str) else token.token
    return f"{current_app.config['BASE_URL']}/r/{secret}"


def community_token(community: Community) -> Token:
    """The open (multi-use) token of a community, issued on first request."""
    token = db.session.scalar(
        select(Token).filter_by(community_id=community.id, kind=COMMUNITY).order_by(Token.id).limit(1)
    )
    if token is None:
        token = Token(token=new_secret(), kind=COMMUNITY, community_id=community.id)
        db.session.add(token)
        db.session.commit()
    return token
