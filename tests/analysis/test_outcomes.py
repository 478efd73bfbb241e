"""The AAPOR outcome vocabulary of docs rounds-and-weights.md."""

from __future__ import annotations

import pytest

from analysis import ELIGIBLE, KNOWN, OUTCOMES, PRIORITY, RESPONDENTS, VISIT_DISPOSITIONS, AnalysisError, combine


def test_codes_aapor_numbers_and_eligibility_as_the_design_page():
    assert [(o.code, o.aapor, o.eligibility) for o in OUTCOMES.values()] == [
        ("I", "1.1", "eligible"), ("P", "1.2", "eligible"), ("R", "2.10", "eligible"), ("NC", "2.20", "eligible"),
        ("O", "2.30", "eligible"), ("UH", "3.10", "unknown"), ("UO", "3.90", "unknown"),
        ("NE", "4.x", "not_eligible")]
    assert all(o.label_zh and o.label_en for o in OUTCOMES.values())
    assert set(KNOWN) == {"I", "P", "R", "NC", "O", "NE"} and set(ELIGIBLE) == {"I", "P", "R", "NC", "O"}
    assert set(RESPONDENTS) == {"I"} and set(PRIORITY) == set(OUTCOMES)


def test_every_visit_disposition_gives_its_outcome():
    assert dict(VISIT_DISPOSITIONS) == {
        "refusal_household": "R", "refusal_respondent": "R", "break_off": "R", "not_at_home": "NC",
        "no_access": "NC", "respondent_away": "NC", "language": "O", "unable": "O", "other": "O",
        "not_found": "UH", "unknown_other": "UO", "vacant": "NE", "not_dwelling": "NE", "no_eligible": "NE"}


@pytest.mark.parametrize(("codes", "outcome"), [
    (["NC", "NE"], "NE"),  # vacant found after a not-at-home visit
    (["NC", "NC", "R"], "R"),  # a refusal after not-at-home visits
    (["R", "P"], "P"), (["P", "I"], "I"), (["UH", "UO"], "UO"), (["UO", "NC"], "NC"), (["O", "NE"], "O"),
    ([], "UH"),  # never attempted
])
def test_combine_takes_the_highest_by_priority(codes, outcome):
    assert combine(codes) == outcome


def test_combine_refuses_an_unknown_code():
    with pytest.raises(AnalysisError, match="codes: 'X' is not an outcome code"):
        combine(["R", "X"])
