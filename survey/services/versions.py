"""Publishing questionnaires as immutable versions and reading them back."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

import questionnaires as qn

from ..errors import NotFound, RoundError
from ..extensions import db
from ..models import QuestionnaireVersion


def publish(questionnaire: qn.Questionnaire) -> QuestionnaireVersion:
    """Store ``questionnaire`` as a version, or return the stored one with the same digest.

    A version is immutable: the same code and version label with a different definition is refused.
    """
    digest = questionnaire.digest()
    found = db.session.scalar(select(QuestionnaireVersion).filter_by(digest=digest))
    if found:
        return found
    clash = db.session.scalar(
        select(QuestionnaireVersion).filter_by(code=questionnaire.code, version=questionnaire.version)
    )
    if clash:
        raise qn.QuestionnaireError(
            (qn.Problem(questionnaire.code, None, None,
                        f"version {questionnaire.version} is already published with other content; "
                        "give the changed questionnaire a new version"),)
        )
    row = QuestionnaireVersion(
        code=questionnaire.code,
        version=str(questionnaire.version),
        digest=digest,
        definition=questionnaire.to_dict(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def current_version(code: str | None = None) -> QuestionnaireVersion:
    """The highest published version of ``code`` (default: the built-in questionnaire): by version number, so
    that publishing an older version for a round that uses it (``round create --questionnaire 1.0``) changes
    nothing."""
    code = code or current_app.config["BUILTIN_QUESTIONNAIRE"]
    rows = list(db.session.scalars(select(QuestionnaireVersion).filter_by(code=code)))
    if not rows:
        raise NotFound(f"questionnaire {code!r} has not been published")
    return max(rows, key=lambda row: (_version_key(row.version), row.id))


def _version_key(label: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in label.split("."))


def definition(version: QuestionnaireVersion) -> qn.Questionnaire:
    """The questionnaire of a stored version (parsed once per process: versions never change)."""
    return _parse(version.digest, version)


# Keyed by content digest, so two workers (or a re-publish) can never disagree about what it holds.
_by_digest: dict[str, qn.Questionnaire] = {}


def _parse(digest: str, version: QuestionnaireVersion) -> qn.Questionnaire:
    found = _by_digest.get(digest)
    if found is None:
        found = qn.from_dict(version.definition, source=f"{version.code} v{version.version}")
        _by_digest[digest] = found
    return found


def latest_id() -> int | None:
    """The id of the latest published version of any questionnaire, or None before the first is published."""
    return db.session.scalar(select(QuestionnaireVersion.id).order_by(QuestionnaireVersion.id.desc()).limit(1))


def for_round(label: str | None = None) -> QuestionnaireVersion:
    """The built-in questionnaire's version ``label`` for a new round (default: the latest shipped one),
    published if it is not yet; :class:`~survey.errors.RoundError` for a version that does not exist."""
    code = current_app.config["BUILTIN_QUESTIONNAIRE"]
    latest = qn.builtin(code)
    if label is None or label == latest.version:
        return publish(latest)
    found = db.session.scalar(select(QuestionnaireVersion).filter_by(code=code, version=label))
    if found is not None:
        return found
    try:
        shipped = qn.builtin(f"{code}-{label}")
    except LookupError:
        shipped = None
    if shipped is None or shipped.version != label:
        raise RoundError(f"questionnaire {code} has no version {label!r} (latest: {latest.version})")
    return publish(shipped)
