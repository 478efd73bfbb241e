"""Report cards: rank intervals, change since the previous round, NCHS marks, definitions checked."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis import (
    AnalysisError,
    Design,
    DomainEstimates,
    IndicatorDefinition,
    ItemDefinition,
    change,
    nchs_marks,
    proportion,
    rank_intervals,
    report_card,
)
from tests.analysis._report_data import card


def _units(estimate, se, df=50, n=100):
    k = len(estimate)
    estimate, se = np.asarray(estimate, dtype=float), np.asarray(se, dtype=float)
    t = stats.t.ppf(0.975, df)
    return DomainEstimates(tuple(f"U{i:02d}" for i in range(k)), estimate, se, estimate - t * se,
                           estimate + t * se, np.full(k, df), np.ones(k), np.full(k, n), np.full(k, 50.0))


def _srs_rates(p, n, seed):
    """Direct estimates of 20 communities with true rates p and n respondents each, from a seeded sample."""
    rng = np.random.default_rng(seed)
    community = np.repeat(np.arange(len(p)), n)
    y = (rng.random(community.shape[0]) < np.repeat(p, n)).astype(float)
    return proportion(y, Design(np.ones(y.shape[0])), domain=community)


def test_a_unit_far_above_the_others_ranks_first_with_certainty():
    est = _units([0.95] + [0.4 + 0.01 * i for i in range(19)], [0.01] + [0.03] * 19)
    ranks = rank_intervals(est, city=0.5)
    assert (ranks.low[0], ranks.high[0]) == (1, 1)
    assert ranks.rank[0] == 1
    assert ranks.versus_city[0] == "above"
    assert (ranks.low[1:] >= 2).all()


def test_rank_intervals_shrink_as_the_samples_grow():
    p = np.linspace(0.3, 0.7, 20)
    widths = []
    for n in (20, 200, 2000):
        r = rank_intervals(_srs_rates(p, n, seed=n), city=0.5)
        widths.append(float(np.mean(r.high - r.low)))
    assert widths[0] > widths[1] > widths[2]
    assert widths[2] < 3


def test_rank_intervals_are_reproducible_with_the_seed():
    est = _srs_rates(np.linspace(0.3, 0.7, 20), 50, seed=1)
    a, b = rank_intervals(est, 0.5, seed=7), rank_intervals(est, 0.5, seed=7)
    c = rank_intervals(est, 0.5, seed=8)
    assert a.low.tolist() == b.low.tolist() and a.high.tolist() == b.high.tolist()
    assert (a.low != c.low).any() or (a.high != c.high).any()
    assert a.draws == 10_000 and a.seed == 7


def test_ranks_within_districts_and_scores():
    est = _units([60.0, 50.0, 80.0, 40.0], [0.1, 0.1, 0.1, 0.1])
    r = rank_intervals(est, city=55.0, kind="score", within=["A", "A", "B", "B"])
    assert r.rank.tolist() == [1, 2, 1, 2]
    assert r.low.tolist() == r.high.tolist() == [1, 2, 1, 2]
    assert r.versus_city == ("above", "below", "above", "below")


def test_units_without_an_estimate_are_not_ranked():
    est = _units([0.5, np.nan, 0.6], [0.05, np.nan, 0.05])
    r = rank_intervals(est, 0.5)
    assert r.levels == ("U00", "U02")


def test_change_since_the_previous_round():
    cur, prev = _units([0.65, 0.52], [0.03, 0.04], df=20), _units([0.5, 0.5], [0.04, 0.03], df=40)
    c = change(cur, prev)
    se = np.hypot(0.03, 0.04)
    nu = se**4 / (0.03**4 / 20 + 0.04**4 / 40)
    assert c.difference == pytest.approx([0.15, 0.02])
    assert c.se == pytest.approx([se, se])
    assert c.df[0] == pytest.approx(nu)
    assert c.ci_low[0] == pytest.approx(0.15 - stats.t.ppf(0.975, nu) * se)
    assert c.significant.tolist() == [True, False]


def test_change_matches_units_by_label():
    cur = _units([0.6, 0.5, 0.4], [0.03] * 3)
    prev = DomainEstimates(("U02", "U00"), np.array([0.4, 0.5]), np.array([0.03, 0.03]), np.zeros(2), np.ones(2),
                           np.array([50, 50]), np.ones(2), np.array([100, 100]), np.full(2, 50.0))
    c = change(cur, prev)
    assert c.levels == ("U00", "U02")
    assert c.difference == pytest.approx([0.1, 0.0])


def test_change_of_the_report_card_rounds():
    c = change(card("srs").get("city", "aware").estimates, card("takeall").get("city", "aware").estimates)
    assert c.levels == ("city",)
    assert np.isfinite(c.se[0]) and c.ci_low[0] < c.difference[0] < c.ci_high[0]


@pytest.mark.parametrize(("args", "kind", "mark", "reason"), [
    ((0.5, 0.45, 0.55, 400, 100), "rate", "ok", ""),
    ((0.5, 0.45, 0.55, 25, 100), "rate", "suppress", "n_eff 25.0 < 30"),
    ((0.5, 0.30, 0.62, 40, 100), "rate", "suppress", "CI width 0.320 >= 0.30"),
    ((0.1, 0.02, 0.18, 40, 100), "rate", "suppress", "relative CI width 160% > 130%"),
    ((0.02, 0.0, 0.04, 400, 100), "rate", "ok", ""),  # relative width 200% but width <= 0.05
    ((0.5, 0.45, 0.55, 400, 5), "rate", "review", "df 5 < 8"),
    ((0.5, np.nan, np.nan, 400, 0), "rate", "suppress", "no interval; df 0 < 8"),
    ((50.0, 20.0, 80.0, 40, 100), "score", "ok", ""),
    ((50.0, 45.0, 55.0, 20, 4), "score", "suppress", "n_eff 20.0 < 30; df 4 < 8"),
])
def test_nchs_marks(args, kind, mark, reason):
    marks, reasons = nchs_marks(*([a] for a in args), kind=kind)
    assert (marks[0], reasons[0]) == (mark, reason)


def test_report_card_marks_use_the_korn_graubard_interval():
    entry = card("srs").get("community", "item:K1")
    assert set(entry.marks) <= {"suppress", "review", "ok"}
    assert "suppress" in entry.marks  # communities of 6-25 respondents
    assert card("srs").get("city", "item:K1").marks == ("ok",)


def test_report_card_layout_and_records():
    c = card("srs")
    assert c.levels == ("city", "district", "street", "community")
    assert len(c.entries) == 4 * (3 + 6)
    assert c.get("street", "item:Q1").kind == "score" and c.get("street", "item:Q1").without_9 is None
    k1 = c.get("city", "item:K1")
    assert k1.without_9.estimate[0] > k1.estimates.estimate[0]  # code 9 out of the denominator
    assert 0 < k1.share_9.estimate[0] < 0.2
    rows = [r for r in c.records() if r["level"] == "community" and r["indicator"] == "index"]
    assert len(rows) == 36 and set(rows[0]) == {"level", "code", "indicator", "estimate", "se", "ci_low", "ci_high",
                                                 "df", "n", "n_eff", "deff", "reliability"}


@pytest.mark.parametrize(("items", "indicators", "message"), [
    ([ItemDefinition("A", (1,)), ItemDefinition("A", (1,))], [], "items: 'A' is defined twice"),
    ([ItemDefinition("A")], [], "items: 'A' has neither positive codes nor scores"),
    ([ItemDefinition("B", (1,))], [], "answers: no answers for item 'B'"),
    ([ItemDefinition("A", (1,))], [IndicatorDefinition("x", "mean", ("A",))], "'x' has kind 'mean'"),
    ([ItemDefinition("A", (1,))], [IndicatorDefinition("x", "rate", ("Z",))], "uses item 'Z', which is not"),
    ([ItemDefinition("A", (1,))], [IndicatorDefinition("x", "score", ("A",))], "item 'A' has no scores"),
])
def test_bad_definitions_are_named(items, indicators, message):
    design = Design(np.ones(4))
    with pytest.raises(AnalysisError, match=message):
        report_card(design, {"A": np.array([1.0, 2, 9, np.nan])}, items, indicators, {})


def test_city_is_not_a_level_to_pass():
    with pytest.raises(AnalysisError, match="'city' is added by report_card"):
        report_card(Design(np.ones(2)), {"A": np.ones(2)}, [ItemDefinition("A", (1,))], [], {"city": ["a", "b"]})
