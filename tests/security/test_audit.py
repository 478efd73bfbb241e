"""The audit log: administrators' actions recorded with who, when, from where; shown on a page and written
to the application log."""

from __future__ import annotations

import logging

from sqlalchemy import select

from survey.extensions import db
from survey.models import Action, AuditEvent
from tests.conftest import SMALL_FRAME, csrf_token
from tests.manage.conftest import sign_in


def events(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.actor) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_ins_loads_exports_and_user_changes_are_recorded(app, client, admin, runner, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="survey.audit")
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    sign_in(client, "mallory", "guess")
    sign_in(client, "admin", admin["password"])
    from io import BytesIO

    page = client.get("/manage/frame").text
    client.post("/manage/frame", data={"csrf_token": csrf_token(page),
                                       "file": (BytesIO(SMALL_FRAME.encode()), "small.csv")},
                content_type="multipart/form-data")
    client.get("/manage/export/responses.csv").close()
    frame = tmp_path / "f.csv"
    frame.write_text(SMALL_FRAME, encoding="utf-8")
    runner.invoke(args=["import-frame", str(frame)])
    runner.invoke(args=["export-qr", "--community", "C001", "--out", str(tmp_path / "qr")])
    runner.invoke(args=["create-admin", "carol"])
    runner.invoke(args=["reset-password", "carol"])
    assert events(app) == [
        ("user_created", "(command line)"), ("sign_in_failed", "mallory"), ("sign_in", "admin"),
        ("frame_loaded", "admin"), ("export_responses", "admin"), ("frame_loaded", "(command line)"),
        ("export_qr", "(command line)"), ("user_created", "(command line)"), ("password_reset", "(command line)"),
    ]
    html = client.get("/manage/audit").text
    assert 'data-action="sign_in_failed"' in html and "mallory" in html and "10.1.2.3" in html
    assert "file: small.csv; households_added: 4; households_updated: 0" in html
    assert "username: carol" in html
    assert any("sign_in_failed by mallory from 10.1.2.3" in message for message in caplog.messages)


def test_lockout_and_sign_out_are_recorded(app, client, admin):
    for n in range(6):
        sign_in(client, "admin", f"wrong-{n}")
    assert ("sign_in_locked", "admin") in events(app)
    from survey.extensions import limiter

    with app.app_context():
        limiter.reset()
    sign_in(client, "admin", admin["password"])
    client.post("/manage/logout", data={"csrf_token": csrf_token(client.get("/manage/").text)})
    assert events(app)[-1] == ("sign_out", "admin")


def test_actions_are_declared_once_and_the_database_refuses_others(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from survey.services import audit

    with app.app_context():
        with pytest.raises(ValueError):
            audit.record("deleted_everything")
        db.session.add(AuditEvent(action="deleted_everything", actor="x", detail="{}"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        audit.record(Action.ROUND_OPENED, detail={"round": "2026-spring"}, actor="nul\x00name", commit=True)
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.actor, audit.details(event)) == ("round_opened", "nulname",
                                                                    {"round": "2026-spring"})


def test_audit_page_pages_back_and_ignores_impossible_ids(app, signed_in):
    for before in ("1", "99999999999999999999999", "-5", "x"):
        assert signed_in.get(f"/manage/audit?before={before}").status_code == 200


def test_round_changes_are_recorded(app, runner, city):
    for args in (["round", "create", "R9", "--design", "take-all"], ["round", "open", "R9"],
                 ["round", "close", "R9"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    rounds = [(action, actor) for action, actor in events(app) if action.startswith("round_")]
    assert rounds == [("round_created", "(command line)"), ("round_opened", "(command line)"),
                      ("round_closed", "(command line)")]
