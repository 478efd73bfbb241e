"""Migration 0003 puts an existing database's households, tokens and responses into a first round R1."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from survey import create_app
from survey.extensions import db

ROWS = """
INSERT INTO district (code, name) VALUES ('D01', '东城区');
INSERT INTO street (code, name, district_id) VALUES ('S01', '和平街道', 1);
INSERT INTO community (code, name, street_id) VALUES ('C001', '和平里社区', 1), ('C002', '安定门社区', 1);
INSERT INTO household (community_id, building, unit) VALUES (1, '1', '101'), (1, '1', '102'), (1, '2', '201'),
  (2, '5', '301');
INSERT INTO token (token, kind, community_id, household_id, created_at) VALUES
  ('tok-household-1', 'household', 1, 1, '2026-01-01'), ('tok-household-2', 'household', 1, 2, '2026-01-01'),
  ('tok-community-1', 'community', 1, NULL, '2026-01-01');
INSERT INTO questionnaire_version (code, version, digest, definition, published_at) VALUES
  ('civility-household', '1.0', 'd1', '{}', '2026-01-01');
INSERT INTO response (public_id, idempotency_key, questionnaire_version_id, community_id, household_id, token_id,
  mode, probability_sample, language, status, page, started_at, updated_at) VALUES
  ('p1', 'k1', 1, 1, 1, 1, 'qr_household', TRUE, 'zh', 'complete', 5, '2026-01-01', '2026-01-01'),
  ('p2', 'k2', 1, 1, NULL, 3, 'qr_community', FALSE, 'zh', 'partial', 1, '2026-01-01', '2026-01-01');
INSERT INTO answer (response_id, item, value) VALUES (1, 'S1', '4'), (2, 'S1', '3');
"""


def _app(database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url})
    app.instance_path = str(tmp_path / "instance")
    return app


def test_existing_rows_go_into_round_r1_and_back(database_url, tmp_path):
    app = _app(database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for statement in filter(str.strip, ROWS.split(";")):
                conn.execute(sa.text(statement))
        upgrade()
        with db.engine.connect() as conn:
            one = conn.execute(sa.text("SELECT id, code, design, status, is_current, questionnaire_version_id "
                                       "FROM survey_round")).all()
            assert [tuple(r)[1:] for r in one] == [("R1", "take-all", "in_field", True, 1)]
            rid = one[0][0]
            assert conn.execute(sa.text("SELECT round_id FROM response ORDER BY id")).scalars().all() == [rid, rid]
            assert conn.execute(sa.text("SELECT kind, round_id FROM token ORDER BY id")).all() == [
                ("household", rid), ("household", rid), ("community", None)]
            sample = conn.execute(sa.text("SELECT household_id, replicate, released, probability FROM "
                                          "sampled_household ORDER BY household_id")).all()
            assert [(h, r, bool(x), p) for h, r, x, p in sample] == [(h, 1, True, 1.0) for h in (1, 2, 3, 4)]
            assert conn.execute(sa.text("SELECT community_id, households, buildings FROM round_community "
                                        "ORDER BY community_id")).all() == [(1, 3, 2), (2, 1, 1)]
            assert conn.execute(sa.text("SELECT count(*) FROM answer")).scalar() == 2
        downgrade(revision="0001")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM response")).scalar() == 2
            assert conn.execute(sa.text("SELECT count(*) FROM answer")).scalar() == 2
        db.session.remove()
        db.engine.dispose()


def test_an_empty_database_gets_no_round(app):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM survey_round")).scalar() == 0
