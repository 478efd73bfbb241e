"""AAPOR outcome rates (analysis.outcome_rates, analysis.eligibility_share).

R's ``outcomerate`` package is not in Debian; its worked example is quoted from issue #10 (the R call would be
``outcomerate::outcomerate(c(I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1), e = 0.9)``). Every other rate is
checked against its formula written out by hand from AAPOR Standard Definitions (2023).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import analysis
from analysis import RATES, AnalysisError, eligibility_share, outcome_rates

EXAMPLE = {"I": 4, "P": 2, "R": 1, "NC": 1, "O": 1, "UH": 1, "UO": 1, "NE": 1}


def test_outcomerate_worked_example():
    rates = outcome_rates(EXAMPLE, 0.9)
    # outcomerate::outcomerate(c(I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1), e = 0.9)
    assert float(rates["RR1"]) == pytest.approx(0.3636, abs=5e-5)
    assert float(rates["RR3"]) == pytest.approx(0.3704, abs=5e-5)
    assert float(rates["RR5"]) == pytest.approx(0.4444, abs=5e-5)
    assert float(rates["COOP1"]) == pytest.approx(0.5, abs=5e-5)
    assert float(rates["REF1"]) == pytest.approx(0.0909, abs=5e-5)
    assert float(rates["CON1"]) == pytest.approx(0.7273, abs=5e-5)


def by_hand(I, P, R, NC, O, UH, UO, NE, e):  # noqa: E741, N803  (AAPOR's names)
    """Every rate written out as AAPOR prints it (Standard Definitions 2023, "Outcome rates")."""
    return {
        "RR1": I / ((I + P) + (R + NC + O) + (UH + UO)),
        "RR2": (I + P) / ((I + P) + (R + NC + O) + (UH + UO)),
        "RR3": I / ((I + P) + (R + NC + O) + e * (UH + UO)),
        "RR4": (I + P) / ((I + P) + (R + NC + O) + e * (UH + UO)),
        "RR5": I / ((I + P) + (R + NC + O)),
        "RR6": (I + P) / ((I + P) + (R + NC + O)),
        "COOP1": I / ((I + P) + R + O),
        "COOP2": (I + P) / ((I + P) + R + O),
        "COOP3": I / ((I + P) + R),
        "COOP4": (I + P) / ((I + P) + R),
        "REF1": R / ((I + P) + (R + NC + O) + (UH + UO)),
        "REF2": R / ((I + P) + (R + NC + O) + e * (UH + UO)),
        "REF3": R / ((I + P) + (R + NC + O)),
        "CON1": ((I + P) + R + O) / ((I + P) + (R + NC + O) + (UH + UO)),
        "CON2": ((I + P) + R + O) / ((I + P) + (R + NC + O) + e * (UH + UO)),
        "CON3": ((I + P) + R + O) / ((I + P) + (R + NC + O)),
    }


def test_example_every_rate_by_hand():
    rates = outcome_rates(EXAMPLE, 0.9)
    expected = by_hand(**EXAMPLE, e=0.9)
    assert set(rates) == set(RATES) == set(expected)
    for name in RATES:
        assert float(rates[name]) == pytest.approx(expected[name], rel=1e-14), name
    # hand values of the ones the example does not quote: RR2 6/11, RR4 6/10.8, RR6 6/9, COOP2 6/8, COOP3 4/7,
    # COOP4 6/7, REF2 1/10.8, REF3 1/9, CON2 8/10.8, CON3 8/9
    quoted = {"RR2": 6 / 11, "RR4": 6 / 10.8, "RR6": 6 / 9, "COOP2": 6 / 8, "COOP3": 4 / 7, "COOP4": 6 / 7,
              "REF2": 1 / 10.8, "REF3": 1 / 9, "CON2": 8 / 10.8, "CON3": 8 / 9}
    for name, value in quoted.items():
        assert float(rates[name]) == pytest.approx(value, rel=1e-14), name


def test_vectorised_over_units_matches_each_unit_alone():
    rng = np.random.default_rng(10)
    counts = {code: rng.integers(0, 30, size=50) for code in analysis.OUTCOMES}
    e = 0.8
    rates = outcome_rates(counts, e)
    for k in range(50):
        unit = {code: int(values[k]) for code, values in counts.items()}
        expected = by_hand(**unit, e=e)
        for name in RATES:
            assert rates[name].shape == (50,)
            assert rates[name][k] == pytest.approx(expected[name], rel=1e-12), (k, name)


def test_eligibility_share():
    assert float(eligibility_share(EXAMPLE)) == pytest.approx(9 / 10)  # (4+2+1+1+1) / (4+2+1+1+1+1)
    counts = {code: np.array([0, 3, 0]) for code in analysis.OUTCOMES}
    counts["NE"] = np.array([0, 1, 5])
    counts["UH"] = np.array([7, 0, 0])
    share = eligibility_share(counts)
    assert math.isnan(share[0])  # nothing of known eligibility
    assert share[1] == pytest.approx(15 / 16)  # 5 eligible codes x 3 / (15 + 1)
    assert share[2] == 0.0


def test_zero_denominators_give_nan_without_warnings():
    zero = dict.fromkeys(analysis.OUTCOMES, 0)
    rates = outcome_rates(zero, 0.5)
    assert all(math.isnan(float(rates[name])) for name in RATES)
    only_unknown = {**zero, "UH": 3}
    rates = outcome_rates(only_unknown, 0.5)
    for name in ("RR1", "RR2", "RR3", "RR4", "REF1", "REF2", "CON1", "CON2"):
        assert float(rates[name]) == 0.0, name
    for name in ("RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4", "REF3", "CON3"):
        assert math.isnan(float(rates[name])), name
    # e = 0 with only unknown cases: the e-denominators are 0 too
    rates = outcome_rates(only_unknown, 0.0)
    assert math.isnan(float(rates["RR3"])) and float(rates["RR1"]) == 0.0
    # non-contacts only: cooperation rates have no denominator, contact rates are 0
    rates = outcome_rates({**zero, "NC": 2}, 0.5)
    assert math.isnan(float(rates["COOP1"])) and math.isnan(float(rates["COOP3"]))
    assert float(rates["CON1"]) == 0.0 and float(rates["RR5"]) == 0.0


def test_nan_e_only_touches_the_e_rates():
    rates = outcome_rates(EXAMPLE, float("nan"))
    for name in RATES:
        assert math.isnan(float(rates[name])) == (name in ("RR3", "RR4", "REF2", "CON2")), name


def test_e_per_unit_broadcasts():
    counts = {code: np.array([v, v]) for code, v in EXAMPLE.items()}
    rates = outcome_rates(counts, np.array([0.9, 0.5]))
    assert rates["RR3"] == pytest.approx([4 / 10.8, 4 / 10.0])
    assert rates["RR1"] == pytest.approx([4 / 11, 4 / 11])


@pytest.mark.parametrize(("counts", "e", "message"), [
    ({k: v for k, v in EXAMPLE.items() if k != "NE"}, 0.9, "missing NE"),
    ({**EXAMPLE, "X": 1}, 0.9, "unknown X"),
    ({**EXAMPLE, "R": -1}, 0.9, "R has a negative"),
    ({**EXAMPLE, "O": float("nan")}, 0.9, "O has a negative or missing"),
    ({**EXAMPLE, "I": [1, 2], "P": [1, 2, 3]}, 0.9, "one shape"),
    (EXAMPLE, 1.5, "e: the eligible share"),
    ([4, 2, 1], 0.9, "mapping"),
])
def test_bad_input_names_what_is_wrong(counts, e, message):
    with pytest.raises(AnalysisError, match=message):
        outcome_rates(counts, e)
