"""``round create|open|close|release|list`` and ``export-sample`` on a frame of 3 communities (69 households)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from sqlalchemy import func, select

import analysis
from survey.extensions import db
from survey.models import Community, Household, Round, RoundCommunity, SampledHousehold, Token
from tests.rounds.conftest import invoke


def sample_of(app, code):
    """household id -> (community, replicate, released, probability, building probability)."""
    with app.app_context():
        query = (select(SampledHousehold.household_id, Community.code, SampledHousehold.replicate,
                        SampledHousehold.released, SampledHousehold.probability,
                        SampledHousehold.building_probability)
                 .join(Household, Household.id == SampledHousehold.household_id).join(Community)
                 .join(Round, Round.id == SampledHousehold.round_id).where(Round.code == code))
        return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def tokens_of(app, code):
    with app.app_context():
        return set(db.session.scalars(select(Token.household_id).join(Round, Round.id == Token.round_id)
                                      .where(Round.code == code)))


def test_srs_draw_stores_n_and_probabilities_and_says_a_small_community_is_taken_whole(town, runner):
    code, out, err = invoke(runner, "round", "create", "2026Q4", "--design", "srs", "--per-community", 10,
                            "--reserve", 1, "--seed", 42)
    assert code == 0, err
    assert "Round 2026Q4 created (srs, seed 42, questionnaire 1.1)" in out
    assert "C003: 只有 5 户，少于要求的 10 户，已全部抽取。 Only 5 households where 10 were asked: all taken." in out
    sample = sample_of(town, "2026Q4")
    released = {h: s for h, s in sample.items() if s[2]}
    by_community = {c: [s for s in released.values() if s[0] == c] for c in ("C001", "C002", "C003")}
    assert [len(v) for v in by_community.values()] == [10, 10, 5]
    # pi = n_c / N_c for every released household (design page, srs row)
    assert {s[3] for s in by_community["C001"]} == {10 / 40}
    assert {s[3] for s in by_community["C002"]} == {10 / 24}
    assert {s[3] for s in by_community["C003"]} == {1.0}
    reserve = [s for s in sample.values() if not s[2]]
    assert len(reserve) == 10 + 10 and {s[1] for s in reserve} == {2} and {s[3] for s in reserve} == {None}
    assert tokens_of(town, "2026Q4") == set(released)
    with town.app_context():
        rows = {c.community.code: (c.households, c.buildings, c.asked, c.replicates, c.released)
                for c in db.session.scalars(select(RoundCommunity).join(Round).where(Round.code == "2026Q4"))}
    assert rows == {"C001": (40, 4, 10, 2, 1), "C002": (24, 3, 10, 2, 1), "C003": (5, 1, 10, 1, 1)}


def test_same_frame_seed_and_parameters_draw_the_same_households(town, runner):
    for name in ("A", "B"):
        assert invoke(runner, "round", "create", name, "--design", "srs", "--proportional", 20, "--seed", 7)[0] == 0
    assert invoke(runner, "round", "create", "C", "--design", "srs", "--proportional", 20, "--seed", 8)[0] == 0
    a, b, c = (sample_of(town, name) for name in "ABC")
    assert a == b and set(a) != set(c)
    assert sorted(s[0] for s in a.values()).count("C001") == 12  # 20 x 40/69 by largest remainders


def test_two_stage_pps_probabilities_are_those_of_analysis(town, runner):
    code, _out, err = invoke(runner, "round", "create", "T", "--design", "two-stage", "--buildings", 2,
                             "--per-building", 3, "--pps", "--reserve", 1, "--seed", 3)
    assert code == 0, err
    with town.app_context():
        rows = sorted(db.session.execute(select(Household.id, Community.code, Household.building, Household.unit)
                                         .join(Community)), key=lambda r: r[1:])
    ids = np.array([r[0] for r in rows])
    draw = analysis.draw_sample(np.array([r[1] for r in rows], dtype=object),
                                np.array([r[2] for r in rows], dtype=object), design="two-stage", buildings=2,
                                per_building=3, pps=True, reserve=1, seed=3)
    pi = draw.probabilities(1)
    expected = {int(h): (int(r), None if np.isnan(p) else float(p), float(bp)) for h, r, p, bp in
                zip(ids[draw.rows], draw.replicate, pi, draw.building_probability, strict=True)}
    stored = {h: (s[1], s[3], s[4]) for h, s in sample_of(town, "T").items()}
    assert stored == expected


def test_release_a_reserve_replicate_recomputes_probabilities_and_issues_links(town, runner):
    invoke(runner, "round", "create", "R2", "--design", "srs", "--per-community", 10, "--reserve", 1, "--seed", 1)
    before = tokens_of(town, "R2")
    code, out, err = invoke(runner, "round", "release", "R2", "--community", "C001")
    assert code == 0, err
    assert "Round R2, community C001: 10 reserve households released" in out
    sample = sample_of(town, "R2")
    c001 = [s for s in sample.values() if s[0] == "C001"]
    assert len(c001) == 20 and all(s[2] and s[3] == 20 / 40 for s in c001)
    assert {s[3] for s in sample.values() if s[0] == "C002" and s[2]} == {10 / 24}
    assert len(tokens_of(town, "R2") - before) == 10
    code, out, err = invoke(runner, "round", "release", "R2", "--community", "C001")
    assert code == 1 and out == ""
    assert err == "Error: community C001 of round R2 has no reserve replicate left (2 of 2 released)\n"


@pytest.mark.parametrize(("args", "sizes", "message"), [
    (["--design", "srs", "--sizes", "SIZES"], "community_code,n\nC001,5\nC999,3\n",
     "row 3: unknown community 'C999'"),
    (["--design", "srs", "--sizes", "SIZES"], "community_code,n\nC001,-2\n", "row 2: n -2 is negative"),
    (["--design", "srs", "--per-community", 5, "--seed", "abc"], None, "--seed 'abc' is not a whole number"),
    (["--design", "srs", "--per-community", "-1"], None, "--per-community '-1' is not a whole number"),
    (["--design", "cluster"], None, "--design must be one of take-all, srs, two-stage"),
    (["--design", "srs"], None, "an srs round takes exactly one of --per-community, --proportional, --sizes"),
    (["--design", "two-stage", "--buildings", 2], None, "a two-stage round takes --buildings A and --per-building"),
    (["--design", "take-all", "--reserve", 1], None, "a take-all round draws every household: --reserve"),
    (["--design", "take-all", "--questionnaire", "9.9"], None, "questionnaire civility-household has no version"),
])
def test_bad_input_is_one_line_and_stores_nothing(town, runner, tmp_path, args, sizes, message):
    path = tmp_path / "sizes.csv"
    if sizes is not None:
        path.write_text(sizes, encoding="utf-8")
    args = [str(path) if a == "SIZES" else a for a in args]
    with town.app_context():
        before = [db.session.scalar(select(func.count()).select_from(m)) for m in (Round, SampledHousehold, Token)]
    code, out, err = invoke(runner, "round", "create", "BAD", *args)
    assert code == 1 and out == "" and err.count("\n") == 1 and message in err and "Traceback" not in err
    with town.app_context():
        assert [db.session.scalar(select(func.count()).select_from(m)) for m in (Round, SampledHousehold, Token)] \
            == before


@pytest.mark.parametrize("command", [["round", "open", "NOPE"], ["round", "close", "NOPE"],
                                     ["round", "release", "NOPE", "--community", "C001"],
                                     ["export-sample", "--round", "NOPE", "--out", "x.csv"]])
def test_unknown_round_is_refused(town, runner, command):
    code, out, err = invoke(runner, *command)
    assert (code, out, err) == (1, "", "Error: there is no round 'NOPE'\n")


def test_sizes_file_round_lists_only_named_communities(town, runner, tmp_path):
    sizes = tmp_path / "sizes.csv"
    sizes.write_text("community_code,n\nC001,4\nC003,2\n", encoding="utf-8")
    code, _out, err = invoke(runner, "round", "create", "S", "--design", "srs", "--sizes", sizes, "--seed", 5)
    assert code == 0, err
    counts = {}
    for community, *_rest in sample_of(town, "S").values():
        counts[community] = counts.get(community, 0) + 1
    assert counts == {"C001": 4, "C003": 2}


def test_open_makes_current_and_qr_export_prints_the_current_sample_only(town, runner, tmp_path):
    invoke(runner, "round", "create", "Q", "--design", "srs", "--per-community", 3, "--seed", 9)
    assert invoke(runner, "export-qr", "--community", "C001", "--out", tmp_path / "r1")[1].startswith("40 QR codes")
    code, out, _err = invoke(runner, "round", "open", "Q")
    assert code == 0 and "Round Q is in the field and is the current round." in out
    with town.app_context():
        assert db.session.scalar(select(Round.code).where(Round.is_current.is_(True))) == "Q"
        assert db.session.scalar(select(func.count()).where(Round.is_current.is_(True))) == 1
    assert invoke(runner, "export-qr", "--community", "C001", "--out", tmp_path / "q")[1].startswith("3 QR codes")
    listed = invoke(runner, "round", "list")[1].splitlines()
    assert listed[0] == "round  status  design  questionnaire  sampled  released  I  P  R  O  NE  NC  UO  UH  open_link"
    assert listed[1] == "Q (current)  in_field  srs  1.1  9  9  0  0  0  0  0  0  0  9  0"
    assert listed[2] == "R1  in_field  take-all  1.1  69  69  0  0  0  0  0  0  0  69  0"


def test_export_sample_lists_released_households_with_outcome_and_link(town, runner, tmp_path):
    invoke(runner, "round", "create", "E", "--design", "srs", "--per-community", 2, "--reserve", 1, "--seed", 4)
    out = tmp_path / "sample.csv"
    code, text, err = invoke(runner, "export-sample", "--round", "E", "--out", out)
    assert code == 0, err
    assert "6 households of round E written to" in text
    with out.open(encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == ["community_code", "building", "unit", "replicate", "probability", "outcome", "url"]
    assert [r[0] for r in rows] == ["C001", "C001", "C002", "C002", "C003", "C003"]
    assert {(r[3], r[4], r[5]) for r in rows if r[0] == "C001"} == {("1", "0.05", "UH")}
    assert {r[4] for r in rows if r[0] == "C003"} == {"0.4"}
    assert all(r[6].startswith("http://survey.test/r/") for r in rows)
