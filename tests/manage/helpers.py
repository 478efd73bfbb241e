"""Responses made directly through the models, so these tests do not depend on the answering pages."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from survey.extensions import db
from survey.models import Answer, Community, Household, Response, Token
from survey.services import rounds


def add_response(version_id: int, community: str, *, household: tuple[str, str] | None = None,
                 status: str = "complete", answers: dict[str, str] | None = None,
                 submitted_at: datetime | None = datetime(2025, 5, 1, 8, 30, tzinfo=UTC)) -> Response:
    """A response of ``community`` (by a household's link when ``household`` = (building, unit))."""
    place = db.session.scalar(select(Community).filter_by(code=community))
    token = home = None
    if household:
        home = db.session.scalar(select(Household).filter_by(community_id=place.id, building=household[0],
                                                             unit=household[1]))
        token = db.session.scalar(select(Token).filter_by(household_id=home.id, round_id=rounds.current().id))
        if status != "partial":
            token.used_at = submitted_at
    else:
        token = db.session.scalar(select(Token).filter_by(community_id=place.id, kind="community"))
    response = Response(
        public_id=secrets.token_urlsafe(12), idempotency_key=secrets.token_urlsafe(12),
        questionnaire_version_id=version_id, round_id=rounds.current().id, community_id=place.id,
        household_id=home.id if home else None,
        token_id=token.id, mode="qr_household" if household else "qr_community", status=status,
        submitted_at=None if status == "partial" else submitted_at,
    )
    response.answers = [Answer(item=item, value=value) for item, value in (answers or {}).items()]
    db.session.add(response)
    db.session.commit()
    return response
