"""Typed SQLAlchemy 2.0 models. No request, session or flash in here."""

from .geo import Community, District, Household, HouseholdContact, Street
from .questionnaire import QuestionnaireVersion
from .responses import Answer, PageSubmission, Response
from .tokens import Token
from .users import User

__all__ = [
    "Answer",
    "Community",
    "District",
    "Household",
    "HouseholdContact",
    "PageSubmission",
    "QuestionnaireVersion",
    "Response",
    "Street",
    "Token",
    "User",
]
