"""Typed SQLAlchemy 2.0 models. No request, session or flash in here."""

from .audit import Action, AuditEvent
from .geo import Community, District, Household, HouseholdContact, Street
from .questionnaire import QuestionnaireVersion
from .responses import Answer, Mode, PageSubmission, Response, Status
from .rounds import HouseholdWeight, Margin, Round, RoundCommunity, RoundStatus, SampledHousehold, WeightRun
from .tokens import Token, TokenKind
from .users import Role, User

__all__ = [
    "Action",
    "AuditEvent",
    "Answer",
    "Community",
    "District",
    "Household",
    "HouseholdContact",
    "HouseholdWeight",
    "Margin",
    "Mode",
    "PageSubmission",
    "QuestionnaireVersion",
    "Response",
    "Round",
    "RoundCommunity",
    "RoundStatus",
    "SampledHousehold",
    "Status",
    "Street",
    "Token",
    "TokenKind",
    "Role",
    "User",
    "WeightRun",
]
