"""Sample draws: reproducible by seed, the right inclusion probabilities, reserves, shortfalls, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import AnalysisError, allocate, draw_sample


def _frame():
    """Three communities: a (60 households in 6 buildings), b (25 in 5), c (4 in 1); sorted by building, unit."""
    community = np.array(["a"] * 60 + ["b"] * 25 + ["c"] * 4)
    building = np.array([f"A{i // 10}" for i in range(60)] + [f"B{i // 5}" for i in range(25)] + ["C0"] * 4)
    return community, building


def test_allocate_fixed_given_and_proportional_by_largest_remainders():
    sizes = {"a": 600, "b": 250, "c": 150, "d": 5}
    assert allocate(sizes, per_community=20) == {"a": 20, "b": 20, "c": 20, "d": 20}
    assert allocate(sizes, given={"a": 7, "c": 3}) == {"a": 7, "b": 0, "c": 3, "d": 0}
    # quotas 59.70, 24.88, 14.93, 0.50 -> floors 59, 24, 14, 0 and the 3 left to the largest remainders
    assert allocate(sizes, proportional=100) == {"a": 60, "b": 25, "c": 15, "d": 1}
    # quota 0.0497 rounds to 0: at least one household per community
    assert allocate({"a": 1000, "b": 5}, proportional=10) == {"a": 10, "b": 1}


@pytest.mark.parametrize(("kw", "message"), [
    ({"given": {"a": -1}}, r"given\['a'\]: -1 is below 0"),
    ({"given": {"zz": 3}}, "given: unknown community 'zz' \\(not in the frame\\)"),
    ({"given": {"a": 2.5}}, r"given\['a'\]: 2.5 is not a whole number"),
    ({"per_community": 3, "proportional": 9}, "give exactly one of per_community, proportional, given"),
    ({}, r"give exactly one .*\(got none\)"),
])
def test_allocate_refuses_bad_input(kw, message):
    with pytest.raises(AnalysisError, match=message):
        allocate({"a": 10, "b": 20}, **kw)


def test_the_same_seed_gives_the_same_households_and_another_seed_others():
    community, building = _frame()
    first = draw_sample(community, building, design="srs", n={"a": 6, "b": 5}, reserve=2, seed=42)
    again = draw_sample(community, building, design="srs", n={"a": 6, "b": 5}, reserve=2, seed=42)
    other = draw_sample(community, building, design="srs", n={"a": 6, "b": 5}, reserve=2, seed=43)
    np.testing.assert_array_equal(first.rows, again.rows)
    np.testing.assert_array_equal(first.replicate, again.replicate)
    assert not np.array_equal(first.rows, other.rows)
    two = draw_sample(community, building, design="two-stage", buildings=2, per_building=3, pps=True, seed=7)
    np.testing.assert_array_equal(two.rows, draw_sample(community, building, design="two-stage", buildings=2,
                                                        per_building=3, pps=True, seed=7).rows)


def test_srs_probabilities_reserves_and_release():
    community, building = _frame()
    draw = draw_sample(community, building, design="srs", n={"a": 6, "b": 5}, reserve=2, seed=1)
    a = draw.community == "a"
    assert np.bincount(draw.replicate[a]).tolist() == [0, 6, 6, 6]
    assert len(set(draw.rows.tolist())) == draw.rows.shape[0] and set(community[draw.rows[a]]) == {"a"}
    pi = draw.probabilities()
    # pi = n / N for each of the N frame households (their sum is n); 1/pi over the sample adds up to N
    assert np.all(pi[a & (draw.replicate == 1)] == 6 / 60) and np.nansum(1 / pi[a]) == pytest.approx(60)
    assert np.isnan(pi[draw.replicate > 1]).all()
    released = draw.probabilities({"a": 2})
    assert np.all(released[a & (draw.replicate <= 2)] == 12 / 60) and np.nansum(1 / released[a]) == pytest.approx(60)
    assert np.all(released[draw.community == "b"][draw.replicate[draw.community == "b"] == 1] == 5 / 25)
    assert "c" not in set(draw.community.tolist())  # n absent -> 0
    assert draw.community_size == {"a": 60, "b": 25, "c": 4}


def test_a_community_smaller_than_asked_takes_all_and_says_so():
    community, building = _frame()
    draw = draw_sample(community, building, design="srs", n={"a": 6, "b": 5, "c": 9}, reserve=1, seed=3)
    c = draw.community == "c"
    assert draw.shortfall == {"c": (9, 4)}
    assert sorted(draw.rows[c].tolist()) == [85, 86, 87, 88] and np.all(draw.probabilities()[c] == 1)
    two = draw_sample(community, building, design="two-stage", buildings=2, per_building=3, seed=3)
    assert two.shortfall == {"c": (6, 3)}  # c has one building: 3 of its 4 households


def test_take_all():
    community, building = _frame()
    draw = draw_sample(community, building, design="take-all", seed=0)
    assert sorted(draw.rows.tolist()) == list(range(89)) and np.all(draw.probabilities() == 1)
    assert draw.building_count == {"a": 6, "b": 5, "c": 1}


def test_two_stage_srs_of_buildings_then_households():
    community, building = _frame()
    draw = draw_sample(community, building, design="two-stage", buildings=3, per_building=4, reserve=1, seed=5)
    a = draw.community == "a"
    chosen = set(building[draw.rows[a]].tolist())
    assert len(chosen) == 3 and np.all(draw.building_probability[a] == 3 / 6)
    for b in chosen:
        rows = a & (building[draw.rows] == b)
        assert np.bincount(draw.replicate[rows]).tolist() == [0, 4, 4]
    pi = draw.probabilities()
    np.testing.assert_allclose(pi[a & (draw.replicate == 1)], 3 / 6 * 4 / 10)
    np.testing.assert_allclose(draw.probabilities(2)[a], 3 / 6 * 8 / 10)
    b = draw.community == "b"  # 5 buildings of 5 households: blocks of 4 then the one left
    np.testing.assert_allclose(draw.probabilities(2)[b], 3 / 5 * 5 / 5)


def _pps_frame():
    sizes = [40, 5, 8, 12, 3, 20, 7, 5]  # 3 x 40 >= 100: building 0 is a certainty building
    building = np.repeat([f"B{k}" for k in range(8)], sizes)
    return np.array(["a"] * building.shape[0]), building, np.array(sizes)


def test_pps_certainty_buildings_and_first_stage_probabilities():
    community, building, sizes = _pps_frame()
    draw = draw_sample(community, building, design="two-stage", buildings=3, per_building=2, pps=True, seed=11)
    by_building = dict(zip(building[draw.rows].tolist(), draw.building_probability.tolist(), strict=True))
    assert by_building["B0"] == 1.0 and len(by_building) == 3
    for b, p in by_building.items():
        if b != "B0":
            assert p == pytest.approx(2 * sizes[int(b[1])] / 60)


def test_pps_inclusion_frequency_over_many_seeds_is_pi():
    community, building, sizes = _pps_frame()
    runs = 2000
    hits = np.zeros(8)
    for seed in range(runs):
        draw = draw_sample(community, building, design="two-stage", buildings=3, per_building=1, pps=True, seed=seed)
        hits[[int(b[1]) for b in building[draw.rows]]] += 1
    pi = np.r_[1.0, 2 * sizes[1:] / 60]
    se = np.sqrt(pi * (1 - pi) / runs)
    assert np.all(np.abs(hits / runs - pi) <= 4 * se + 1e-12)


@pytest.mark.parametrize(("kw", "message"), [
    ({"design": "srs", "n": {"a": 3}, "seed": "12"}, "seed: '12' is not a non-negative whole number"),
    ({"design": "srs", "n": {"a": 3}, "seed": 1.5}, "seed: 1.5 is not"),
    ({"design": "srs", "n": {"a": -3}, "seed": 1}, r"n\['a'\]: -3 is below 0"),
    ({"design": "srs", "n": {"zz": 3}, "seed": 1}, "n: unknown community 'zz'"),
    ({"design": "srs", "seed": 1}, "n: an srs draw needs n"),
    ({"design": "cluster", "seed": 1}, "design: 'cluster' is not one of take-all, srs, two-stage"),
    ({"design": "take-all", "reserve": 1, "seed": 1}, "reserve: a take-all draw has no reserve"),
    ({"design": "two-stage", "buildings": 0, "per_building": 2, "seed": 1}, "buildings: 0 is below 1"),
])
def test_draw_refuses_bad_input(kw, message):
    community, building = _frame()
    with pytest.raises(AnalysisError, match=message):
        draw_sample(community, building, **kw)


def test_release_of_an_unknown_community_is_refused():
    community, building = _frame()
    draw = draw_sample(community, building, design="srs", n={"a": 2}, reserve=1, seed=1)
    with pytest.raises(AnalysisError, match="released: unknown community 'zz'"):
        draw.probabilities({"zz": 2})


def test_a_shuffled_frame_sorted_by_the_caller_gives_the_same_households():
    community, building = _frame()
    unit = np.array([f"{i:03d}" for i in range(community.shape[0])])
    first = draw_sample(community, building, design="two-stage", buildings=2, per_building=3, seed=9)
    shuffle = np.random.default_rng(0).permutation(community.shape[0])
    c, b, u = community[shuffle], building[shuffle], unit[shuffle]
    order = np.lexsort((u, b, c))  # the caller's job: sort by (community, building, unit)
    again = draw_sample(c[order], b[order], design="two-stage", buildings=2, per_building=3, seed=9)
    assert sorted(unit[first.rows].tolist()) == sorted(u[order][again.rows].tolist())
