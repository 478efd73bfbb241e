"""Typed SQLAlchemy 2.0 models. No request, session or flash in here."""

from .audit import Action, AuditEvent
from .geo import Community, District, Household, HouseholdContact, Street
from .questionnaire import QuestionnaireVersion
from .responses import Answer, Mode, PageSubmission, Response, Status
from .tokens import Token, TokenKind
from .users import User

__all__ = [
    "Action",
    "AuditEvent",
    "Answer",
    "Community",
    "District",
    "Household",
    "HouseholdContact",
    "Mode",
    "PageSubmission",
    "QuestionnaireVersion",
    "Response",
    "Status",
    "Street",
    "Token",
    "TokenKind",
    "User",
]
