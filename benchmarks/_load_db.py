"""Database side of bench_load.py: a fresh database per backend, prepared with the app's own code, and the
after-run check that every questionnaire was stored exactly once."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from questionnaires import Status

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "survey_bench"
SETUP_SECRET = "bench-load-setup-only"
HOUSEHOLDS_PER_COMMUNITY = 250


@dataclass
class Database:
    backend: str
    url: str
    tmpdir: tempfile.TemporaryDirectory | None = None

    def drop(self) -> None:
        if self.backend == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        elif self.tmpdir is not None:
            self.tmpdir.cleanup()


def _pg_admin(statement: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def create(backend: str) -> Database:
    """An empty database for ``backend``: a dedicated PostgreSQL database, or a SQLite file in a temp dir."""
    if backend == "postgresql":
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{PG_BENCH_DB}"')
        return Database(backend, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB)
    tmpdir = tempfile.TemporaryDirectory(prefix="survey-bench-")
    return Database(backend, f"sqlite:///{Path(tmpdir.name) / 'bench.sqlite'}", tmpdir)


def frame_csv(households: int) -> bytes:
    """A synthetic sampling frame: ``households`` households, 250 per community, 4 communities per street."""
    lines = ["district_code,district_name,street_code,street_name,community_code,community_name,building,unit,address"]
    for n in range(households):
        c = n // HOUSEHOLDS_PER_COMMUNITY
        s, d = c // 4, c // 40
        building, unit = divmod(n % HOUSEHOLDS_PER_COMMUNITY, 10)
        lines.append(
            f"D{d:02d},测试{d}区,S{s:03d},测试{s}街道,C{c:04d},测试{c}社区,{building + 1},{unit + 101},"
            f"测试{c}社区{building + 1}号楼{unit + 101}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def _app(url: str):
    from survey import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SETUP_SECRET})


def prepare(db: Database, households: int) -> tuple[list[str], int]:
    """Migrate, publish the built-in questionnaire, load a frame; the household token secrets (in frame
    order) and the number of items of the questionnaire."""
    from flask_migrate import upgrade

    import questionnaires
    from survey.extensions import db as sqla
    from survey.models import Token
    from survey.models.tokens import HOUSEHOLD
    from survey.services import frame, versions

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = _app(db.url)
    with app.app_context():
        upgrade()
        questionnaire = questionnaires.builtin()
        versions.publish(questionnaire)
        report = frame.import_frame(frame_csv(households), source="bench-frame.csv")
        assert report.households_added == households, report
        secrets = list(sqla.session.scalars(sa.select(Token.token).filter_by(kind=HOUSEHOLD).order_by(Token.id)))
        sqla.session.remove()
        sqla.engine.dispose()
    return secrets, len(questionnaire.items)


@dataclass
class Verdict:
    ok: bool
    lines: list[str]


def verify(db: Database, used: dict[str, tuple[int, int]], items: int) -> Verdict:
    """Every used token (token -> (answers posted, pages posted)) has exactly one complete response holding
    the answers its resident posted and one page_submission per page posted; no unused token has any."""
    engine = sa.create_engine(db.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT t.token, r.id, r.status, "
                " (SELECT count(*) FROM answer a WHERE a.response_id = r.id), "
                " (SELECT count(*) FROM page_submission p WHERE p.response_id = r.id), "
                " t.used_at IS NOT NULL "
                "FROM token t LEFT JOIN response r ON r.token_id = t.id WHERE t.kind = 'household'"
            )).all()
            total_responses = conn.execute(sa.text("SELECT count(*) FROM response")).scalar_one()
            total_answers = conn.execute(sa.text("SELECT count(*) FROM answer")).scalar_one()
    finally:
        engine.dispose()
    by_token: dict[str, list[tuple]] = {}
    for token, *rest in rows:
        by_token.setdefault(token, [])
        if rest[0] is not None:
            by_token[token].append(tuple(rest))
    lost = duplicated = incomplete = wrong_answers = wrong_pages = stray = unmarked = 0
    for token, responses in by_token.items():
        if token not in used:
            stray += len(responses)
            continue
        if not responses:
            lost += 1
            continue
        if len(responses) > 1:
            duplicated += 1
        _id, status, answers, submissions, marked = responses[0]
        if status != Status.COMPLETE:
            incomplete += 1
        posted, pages = used[token]
        if answers != posted or answers != items:
            wrong_answers += 1
        if submissions != pages:
            wrong_pages += 1
        if not marked:
            unmarked += 1
    missing_tokens = sum(1 for token in used if token not in by_token)
    expected_answers = sum(posted for posted, _ in used.values())
    problems = {
        "lost (no response)": lost + missing_tokens, "duplicated (>1 response)": duplicated,
        "not complete": incomplete, f"answer rows != answers posted or != {items} items": wrong_answers,
        "page submissions != pages": wrong_pages, "responses on unused tokens": stray,
        "token.used_at not set": unmarked,
    }
    ok = not any(problems.values()) and total_responses == len(used) and total_answers == expected_answers
    lines = [
        f"tokens used {len(used)}; responses stored {total_responses}; answer rows {total_answers} "
        f"(expected {expected_answers}); answers posted per resident {sorted({a for a, _ in used.values()})}, "
        f"pages per resident {sorted({p for _, p in used.values()})}, questionnaire items {items}",
        "; ".join(f"{k}: {v}" for k, v in problems.items()),
    ]
    return Verdict(ok, lines)
