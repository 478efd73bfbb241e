"""The current round and the frame: take-all rounds take new households at once; demo makes the round DEMO."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Round, RoundCommunity, SampledHousehold, Token
from tests.rounds.conftest import HEADER, invoke

MORE = HEADER + "D01,东城区,S01,街道S01,C001,社区C001,9,9-01,\nD01,东城区,S03,街道S03,C004,社区C004,1,1-01,\n"


def count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_new_households_join_a_take_all_current_round_with_links(town, runner, tmp_path):
    (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
    code, out, err = invoke(runner, "import-frame", tmp_path / "more.csv")
    assert code == 0, err
    assert "2 added" in out and "3 QR links issued" in out  # 2 households + the new community's poster
    assert count(town, SampledHousehold) == 71
    with town.app_context():
        rows = {r.community.code: (r.households, r.buildings) for r in db.session.scalars(select(RoundCommunity))}
    assert rows["C001"] == (41, 5) and rows["C004"] == (1, 1)


def test_new_households_do_not_join_a_sampled_current_round(town, runner, tmp_path):
    invoke(runner, "round", "create", "S", "--design", "srs", "--per-community", 2, "--seed", 1)
    invoke(runner, "round", "open", "S")
    tokens = count(town, Token)
    (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
    code, out, _err = invoke(runner, "import-frame", tmp_path / "more.csv")
    assert code == 0 and "1 QR links issued" in out  # the new community's poster only
    assert count(town, Token) == tokens + 1
    assert count(town, SampledHousehold, SampledHousehold.round_id == 2) == 6


def test_demo_on_a_fresh_database_makes_the_take_all_round_demo(app, runner):
    code, _out, err = invoke(runner, "demo")
    assert code == 0, err
    with app.app_context():
        rounds = db.session.execute(select(Round.code, Round.design, Round.status, Round.is_current)).all()
        assert rounds == [("DEMO", "take-all", "in_field", True)]
        households = db.session.scalar(select(func.count()).select_from(SampledHousehold))
        assert 6 * 45 <= households <= 6 * 55
        assert db.session.scalar(select(func.count()).where(Token.kind == "household")) == households
