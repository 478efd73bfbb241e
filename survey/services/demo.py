"""A demonstration city: the built-in questionnaire, the round DEMO (take-all), one district, 2 streets,
6 communities, ~300 households.

Everything is derived from a fixed seed and loaded through the ordinary services, which are
idempotent, so running the demo again changes nothing (and never prints a second password).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

import questionnaires as qn

from ..extensions import db
from ..models import Community, Round, Token
from ..models.tokens import HOUSEHOLD
from . import frame, rounds, users, versions
from ._draw import DrawSpec
from .frame import COLUMNS, FrameReport
from .tokens import community_token

SEED = 20240601
ADMIN = "admin"
ROUND = "DEMO"  # take-all: every household of the demo frame gets a door-hanger
DISTRICT = ("D01", "示范区")
STREETS = {
    ("S01", "和平街道"): [("C0101", "和平里社区"), ("C0102", "光明社区"), ("C0103", "幸福社区")],
    ("S02", "友谊街道"): [("C0201", "友谊社区"), ("C0202", "团结社区"), ("C0203", "建设社区")],
}
FIRST_COMMUNITY = "C0101"


@dataclass(frozen=True)
class DemoReport:
    questionnaire: str  # "code version"
    frame: FrameReport
    admin: str
    admin_password: str | None  # only when the administrator was created by this run
    household_token: str  # a household link that has not been answered
    community_code: str
    community_token: str


def frame_csv() -> bytes:
    """The demo frame as a CSV file (the same bytes on every run)."""
    rng = random.Random(SEED)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for (street_code, street_name), communities in STREETS.items():
        for community_code, community_name in communities:
            dwellings = [(b, e, f, d) for b in (1, 2, 3) for e in (1, 2) for f in range(1, 7) for d in (1, 2)]
            for b, e, f, d in sorted(rng.sample(dwellings, rng.randint(45, 55))):
                address = f"{DISTRICT[1]}{street_name}{community_name}{b}号楼{e}单元{f}0{d}室"
                writer.writerow([*DISTRICT, street_code, street_name, community_code, community_name,
                                 str(b), f"{e}-{f}0{d}", address])
    return out.getvalue().encode("utf-8")


def build_demo() -> DemoReport:
    """Publish the built-in questionnaire, load the demo frame and create the administrator if missing."""
    version = versions.publish(qn.builtin(current_app.config["BUILTIN_QUESTIONNAIRE"]))
    if db.session.scalar(select(Round.id).limit(1)) is None:  # a fresh database: the demo's own round
        rounds.create(ROUND, DrawSpec("take-all"), seed=SEED, name="演示轮次 Demo round")
        rounds.open_round(ROUND)
    report = frame.import_frame(frame_csv(), source="demo")
    password = None
    if users.find(ADMIN) is None:
        _user, password = users.create_admin(ADMIN)
    first = db.session.scalar(select(Community).filter_by(code=FIRST_COMMUNITY))
    household = db.session.scalar(
        select(Token).filter_by(kind=HOUSEHOLD, community_id=first.id, used_at=None, round_id=rounds.current().id)
        .order_by(Token.id).limit(1)
    )
    return DemoReport(
        questionnaire=f"{version.code} {version.version}", frame=report, admin=ADMIN, admin_password=password,
        household_token=household.token if household else "", community_code=first.code,
        community_token=community_token(first).token,
    )
