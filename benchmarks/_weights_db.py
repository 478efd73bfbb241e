"""The weights benchmark's round in a real database: loaded by COPY (not timed), then weighted by the platform.

``load_round`` writes the synthetic round of bench_weights.py into an empty PostgreSQL database through the
platform's own migrations: geography, households, a round (srs) with its communities and sampled households,
responses (complete, break-off, screened out; households without one are UH) with the answers H1, S2, S3, and the
margins. ``timed_compute`` then times ``survey.services.weights.compute`` (read + steps 1-5 + store), the path
the weights command and page take.
"""

from __future__ import annotations

import io
import time

import numpy as np
import sqlalchemy as sa

STATUS = {"I": "complete", "P": "partial", "NE": "ineligible"}


def app_for(url: str):
    from survey import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False})


def database_outcomes(outcome: np.ndarray) -> np.ndarray:
    """Without interviewer visits the database knows I, P, NE and UH only: other codes become UH."""
    return np.where(np.isin(outcome, list(STATUS)), outcome, "UH")


def _copy(conn, table: str, columns: tuple[str, ...], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def load_round(app, data: dict, margin_list) -> None:
    """Empty the database, migrate it and load the round (one transaction per table family)."""
    from flask_migrate import upgrade

    import questionnaires as qn
    from survey.extensions import db
    from survey.services import versions

    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        version = versions.publish(qn.builtin())
        comm, street, district = data["community"], data["street"], data["district"]
        with db.engine.begin() as conn:
            _copy(conn, "district", ("id", "code", "name"),
                  ((d + 1, f"D{d:02d}", f"区{d}") for d in np.unique(district)))
            pairs = sorted(set(zip(street.tolist(), district.tolist(), strict=True)))
            _copy(conn, "street", ("id", "code", "name", "district_id"), ((s + 1, f"S{s:03d}", f"街{s}", d + 1)
                                                                          for s, d in pairs))
            cpairs = sorted(set(zip(comm.tolist(), street.tolist(), strict=True)))
            _copy(conn, "community", ("id", "code", "name", "street_id"), ((c + 1, f"C{c:04d}", f"社区{c}", s + 1)
                                                                             for c, s in cpairs))
            _copy(conn, "household", ("id", "community_id", "building", "unit"),
                  ((i + 1, int(c) + 1, f"B{i // 20:06d}", f"{i:07d}") for i, c in enumerate(comm.tolist())))
        now = "2026-12-01 00:00:00+00"
        outcome = database_outcomes(data["outcome"])
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO survey_round (id, code, name, questionnaire_version_id, design, parameters, seed, "
                "generator, status, is_current, created_at, changed_at) VALUES (1, 'BENCH', 'bench', :v, 'srs', "
                "'{}', 1, 'bench', 'in_field', true, :t, :t)"), {"v": version.id, "t": now})
            sampled = np.bincount(comm)
            frame = np.rint(sampled / np.bincount(comm, weights=data["probability"]) * sampled).astype(int)
            _copy(conn, "round_community", ("round_id", "community_id", "households", "buildings", "asked",
                                            "replicates", "released", "note"),
                  ((1, c + 1, int(frame[c]), 1, int(sampled[c]), 1, 1, "") for c in np.unique(comm)))
            _copy(conn, "sampled_household", ("id", "round_id", "household_id", "replicate", "released",
                                              "probability", "building_probability"),
                  ((i + 1, 1, i + 1, 1, "t", repr(float(p)), 1.0) for i, p in enumerate(data["probability"].tolist())))
            answered = np.flatnonzero(outcome != "UH")
            _copy(conn, "response", ("id", "public_id", "idempotency_key", "questionnaire_version_id", "community_id",
                                     "household_id", "round_id", "mode", "probability_sample", "language", "status",
                                     "page", "started_at", "updated_at"),
                  ((i + 1, f"p{i}", f"k{i}", version.id, int(comm[i]) + 1, i + 1, 1, "paper", "t", "zh",
                    STATUS[outcome[i]], 0, now, now) for i in answered.tolist()))
            respondents = np.flatnonzero(outcome == "I").tolist()
            _copy(conn, "answer", ("response_id", "item", "value"),
                  ((i + 1, item, int(data[item][i])) for i in respondents for item in ("H1", "S2", "S3")))
            _copy(conn, "round_margin", ("round_id", "scope", "variable", "category", "total"),
                  ((1, f"D{int(m.scope):02d}", m.variable, c, t) for m in margin_list for c, t in m.totals.items()))
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
        db.engine.dispose()


def timed_compute(app, repeat: int) -> tuple[list[float], list[float], np.ndarray]:
    """(read times, read + chain + store times, final weights in household order) of the round BENCH."""
    from survey.extensions import db
    from survey.models import HouseholdWeight, Round, SampledHousehold
    from survey.services import weights
    from survey.services.round_data import read_round

    reads, computes = [], []
    with app.app_context():
        for _ in range(repeat):
            round_ = db.session.scalar(sa.select(Round).filter_by(code="BENCH"))
            start = time.perf_counter()
            read_round(round_, ["H1", "S2", "S3"])
            reads.append(time.perf_counter() - start)
            db.session.rollback()
            start = time.perf_counter()
            weights.compute(round_)
            computes.append(time.perf_counter() - start)
        final = db.session.execute(
            sa.select(HouseholdWeight.final_weight)
            .join(SampledHousehold, SampledHousehold.id == HouseholdWeight.sampled_household_id)
            .order_by(SampledHousehold.household_id)).scalars().all()
        db.engine.dispose()
    return reads, computes, np.array([np.nan if v is None else v for v in final])
