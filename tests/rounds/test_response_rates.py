"""A round's AAPOR outcome rates from the database: the ``response-rates`` command and the round page.

The round: 2 districts, 4 streets, 8 communities of 30 households; an SRS of 12 per community plus one reserve
replicate of 12 that is never released (seed 7); answers loaded with ``import-responses`` (complete, break-off,
screened out, none; tests/rounds/test_weights.py). The test counts the outcomes with its own SQL and writes the
AAPOR formulas out again (tests/analysis/test_rates.py: ``by_hand``).
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from survey.extensions import db
from tests.analysis.test_rates import by_hand
from tests.rounds.conftest import invoke
from tests.rounds.test_weights import answer_on_paper

HEADER = ("level,code,I,P,R,NC,O,UH,UO,NE,e,RR1,RR2,RR3,RR4,RR5,RR6,COOP1,COOP2,COOP3,COOP4,REF1,REF2,REF3,"
          "CON1,CON2,CON3")
CODES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
RATES = HEADER.split(",")[11:]


@pytest.fixture
def answered(app, runner, tmp_path):
    """Round W1 drawn (with an unreleased reserve), opened and answered on paper."""
    answer_on_paper(app, runner, tmp_path, "--reserve", 1)
    return tmp_path


def expected_counts(app) -> dict[tuple[str, str], Counter]:
    """(level, code) -> outcome counts of the released households, by the test's own query and status map."""
    sql = """
        SELECT c.code, s.code, d.code, r.status
        FROM sampled_household sh JOIN household h ON h.id = sh.household_id
        JOIN community c ON c.id = h.community_id JOIN street s ON s.id = c.street_id
        JOIN district d ON d.id = s.district_id
        LEFT JOIN response r ON r.round_id = sh.round_id AND r.household_id = sh.household_id
        WHERE sh.released AND sh.round_id = (SELECT id FROM survey_round WHERE code = 'W1')"""
    outcome = {"complete": "I", "partial": "P", "ineligible": "NE", None: "UH"}
    with app.app_context():
        rows = db.session.execute(db.text(sql)).all()
    counts: dict[tuple[str, str], Counter] = {}
    for community, street, district, status in rows:
        for key in (("overall", ""), ("district", district), ("street", street), ("community", community)):
            counts.setdefault(key, Counter())[outcome[status]] += 1
    return counts


def read_rates(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        assert f.readline().rstrip("\r\n") == HEADER
        f.seek(0)
        return list(csv.DictReader(f))


def test_csv_counts_and_rates_at_every_level(app, runner, answered):
    code, out, err = invoke(runner, "response-rates", "--round", "W1", "--out", answered / "rates.csv")
    assert code == 0, err
    assert "15 rows of round W1 written" in out
    rows = read_rates(answered / "rates.csv")
    expected = expected_counts(app)
    # overall, then districts, streets and communities, each by code
    assert [(r["level"], r["code"]) for r in rows] == (
        [("overall", "")] + [("district", d) for d in ("D01", "D02")]
        + [("street", s) for s in ("S11", "S12", "S21", "S22")]
        + [("community", f"C{d}{s}{c}") for d in (1, 2) for s in (1, 2) for c in (1, 2)])
    overall = expected[("overall", "")]
    assert sum(overall.values()) == 96  # released only: the reserve replicate (another 96) is not counted
    sampled = "SELECT count(*) FROM sampled_household WHERE round_id = (SELECT id FROM survey_round WHERE code = 'W1')"
    with app.app_context():
        assert db.session.execute(db.text(sampled)).scalar() == 192
    assert overall["I"] and overall["P"] and overall["NE"] and overall["UH"]
    e = (overall["I"] + overall["P"]) / (overall["I"] + overall["P"] + overall["NE"])  # R, NC, O are 0 here
    for row in rows:
        counts = expected[(row["level"], row["code"])]
        assert {c: int(row[c]) for c in CODES} == {c: counts[c] for c in CODES}, row
        assert float(row["e"]) == pytest.approx(e, rel=1e-15)  # one e, estimated over the round, at every level
        hand = by_hand(**{c: counts[c] for c in CODES}, e=e)
        for name in RATES:
            assert float(row[name]) == pytest.approx(hand[name], rel=1e-12), (row["level"], row["code"], name)
    thin = next(r for r in rows if r["code"] == "C212")  # 3 complete interviews of 12
    assert float(thin["RR1"]) == pytest.approx(3 / 12)


def test_empty_cells_where_a_denominator_is_zero(town, runner, tmp_path):
    """Take-all round R1 with no answer yet: every household UH, no case of known eligibility."""
    code, _, err = invoke(runner, "response-rates", "--round", "R1", "--out", tmp_path / "r1.csv")
    assert code == 0, err
    rows = read_rates(tmp_path / "r1.csv")
    assert [r["code"] for r in rows] == ["", "D01", "S01", "S02", "C001", "C002", "C003"]
    overall = rows[0]
    assert overall["UH"] == "69" and overall["I"] == "0"
    assert overall["e"] == ""
    for name in ("RR1", "RR2", "REF1", "CON1"):
        assert overall[name] == "0.0", name  # 0 / 69
    for name in ("RR3", "RR4", "REF2", "CON2",  # e unknown
                 "RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4", "REF3", "CON3"):  # no eligible case
        assert overall[name] == "", name


def test_bad_input_is_one_line_and_writes_nothing(town, runner, tmp_path):
    code, out, err = invoke(runner, "response-rates", "--round", "NOPE", "--out", tmp_path / "x.csv")
    assert code == 1 and err == "Error: there is no round 'NOPE'\n" and out == ""
    assert not (tmp_path / "x.csv").exists()
    code, out, err = invoke(runner, "response-rates", "--round", "R1", "--out", tmp_path / "missing" / "x.csv")
    assert code == 1 and err.startswith(f"Error: cannot write {tmp_path / 'missing' / 'x.csv'}: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    code, out, err = invoke(runner, "response-rates", "--round", "R1", "--out", tmp_path)
    assert code == 1 and err.startswith("Error: cannot write ") and err.count("\n") == 1
    code, out, err = invoke(runner, "response-rates", "--round", "R1")
    assert code == 1 and err == "Error: --round and --out are required\n"


def rate_cells(html: str, key: str) -> list[str]:
    found = re.search(rf'<tr[^>]*data-rates="{key}">(.*?)</tr>', html, re.S)
    assert found, f"no rates row {key}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)]


def percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.1f}%"


def test_round_page_shows_rr1_coop1_ref1_con1_and_e(app, answered, signed_in):
    page = signed_in.get("/manage/rounds/W1")
    assert page.status_code == 200
    assert "应答率 Response rates" in page.text
    expected = expected_counts(app)
    overall = expected[("overall", "")]
    e = (overall["I"] + overall["P"]) / (overall["I"] + overall["P"] + overall["NE"])
    for key, counts in [("overall", overall)] + [(code, c) for (level, code), c in expected.items()
                                                 if level == "community"]:
        hand = by_hand(**{c: counts[c] for c in CODES}, e=e)
        cells = rate_cells(page.text, key)
        assert cells[1:] == [percent(hand["RR1"]), percent(hand["COOP1"]), percent(hand["REF1"]),
                             percent(hand["CON1"]), f"{e:.3f}"], key
    assert rate_cells(page.text, "C212")[1] == "25.0%"  # 3 of 12


def test_round_page_without_answers_shows_dashes(town, signed_in):
    cells = rate_cells(signed_in.get("/manage/rounds/R1").text, "overall")
    assert cells == ["全部 Overall", "0.0%", "—", "0.0%", "0.0%", "—"]
