"""The shipped civility household questionnaire matches the design document, item by item."""

from __future__ import annotations

import pytest

import questionnaires as qn

from .civility_design import ANSWERS, C_ITEMS, G5, INDICATORS, LABELS, POSITIVE, R5, R5_SCORES, SCORED, TAGS

CODES = ["S1", "S2", "S3", "H1", "A1", "A2", "A3", "A4", "A5", "B1", "B2", *C_ITEMS,
         "D1", "D2", "D3", "D4", "D5", "D6", "E1", "E2"]


@pytest.fixture(scope="module")
def q():
    return qn.builtin()


def as_triples(question):
    return [(c.code, c.label.zh, c.label.en) for c in question.choices]


def test_builtin_loads_from_library_and_is_cached(q):
    assert (qn.BUILTIN_DIR / "civility-household.yaml").is_file()
    assert qn.builtin("civility-household") is q
    assert q.code == "civility-household"
    assert q.version == "1.1"
    assert q.estimated_minutes == 8


def test_unknown_builtin_is_refused():
    with pytest.raises(LookupError, match="civility-household"):
        qn.builtin("no-such-survey")
    with pytest.raises(LookupError):
        qn.builtin("../pyproject")


def test_thirty_one_items_in_order(q):
    assert [item.code for item in q.items] == CODES
    assert len(q.items) == 31


def test_sections_and_their_sizes(q):
    sizes = {section.code: len(section.items) for section in q.sections}
    assert sizes == {"S": 4, "A": 5, "B": 2, "C": 12, "D": 6, "E": 2}
    for section in q.sections:
        assert section.title.zh and section.title.en


def test_type_counts(q):
    types = [item.type for item in q.items]
    assert types.count("single") == 13
    assert types.count("rating") == 16
    assert types.count("text") == 1
    assert types.count("number") == 1 and q.item("H1").type == "number"
    assert q.item("E1").type == "text"


@pytest.mark.parametrize("code", CODES)
def test_labels_exactly_as_designed(q, code):
    assert (q.item(code).label.zh, q.item(code).label.en) == LABELS[code]


@pytest.mark.parametrize("code", sorted(ANSWERS))
def test_own_answers_exactly_as_designed(q, code):
    assert as_triples(q.item(code)) == ANSWERS[code]


@pytest.mark.parametrize("code", [c for c in C_ITEMS if c != "C11"])
def test_satisfaction_items_use_scale_r5(q, code):
    item = q.item(code)
    assert as_triples(item) == R5
    assert item.positive == {1, 2}
    assert dict(item.scores) == R5_SCORES
    assert 9 not in item.scores


def test_safety_item_has_its_own_answers_positive_set_and_scores(q):
    item = q.item("C11")
    assert item.positive == frozenset({1, 2, 3})
    assert dict(item.scores) == {1: 100.0, 2: 80.0, 3: 60.0, 4: 30.0, 5: 0.0}
    assert item.tags == ("SA", "SF")


@pytest.mark.parametrize("code", ["D1", "D2", "D3", "D4"])
def test_behaviour_items_use_scale_g5(q, code):
    assert as_triples(q.item(code)) == G5
    assert q.item(code).positive == {1, 2}
    assert not q.item(code).scores


def test_positive_sets_scores_and_tags_of_every_item(q):
    for item in q.items:
        assert set(item.positive) == POSITIVE.get(item.code, set()), item.code
        assert dict(item.scores) == SCORED.get(item.code, {}), item.code
        assert item.tags == TAGS.get(item.code, ()), item.code
    assert sum(len(item.positive) for item in q.items) == sum(len(p) for p in POSITIVE.values()) == 50


def test_cant_say_is_always_code_9(q):
    nines = [(item.code, item.choice(9).label) for item in q.items if 9 in item.codes]
    assert len(nines) == 21  # A2, A4, B1, B2, C1-C12, D1-D4, D6
    for code, label in nines:
        assert label.zh in ("说不清", "不清楚"), code
        assert label.en in ("Can't say", "Don't know"), code


def test_every_item_required_except_the_open_question(q):
    assert [item.code for item in q.items if not item.required] == ["E1"]
    assert q.item("E1").max_length == 500
    assert all(item.relevant is None and item.constraint is None for item in q.items)


def test_screening_rules(q):
    assert [(rule.expression.source, rule.outcome) for rule in q.screening] == [
        ("S1 = 1", "ineligible"), ("S2 = 1", "ineligible")]
    assert [sorted(rule.expression.references) for rule in q.screening] == [["S1"], ["S2"]]


@pytest.mark.parametrize(("answers", "out"), [
    ({"S1": 1, "S2": 3}, True), ({"S1": 4, "S2": 1}, True), ({"S1": 2, "S2": 2}, False), ({}, False),
])
def test_screening_outcomes(q, answers, out):
    assert qn.screened_out(q, answers) is out
    assert (qn.status(q, answers) == "ineligible") is out


def test_seven_indicators(q):
    got = {i.code: (i.label.zh, i.kind, [code for code, _ in i.items]) for i in q.indicators}
    assert got == INDICATORS
    assert [i.code for i in q.indicators] == list(INDICATORS)
    assert all(weight == 1.0 for i in q.indicators for _, weight in i.items)
    assert all(i.label.en for i in q.indicators)


def test_questionnaire_texts_are_bilingual(q):
    for label in (q.title, q.description, q.privacy):
        assert label.zh.strip() and label.en.strip()
    assert q.title.get("en") == "Civilised City Household Survey"


def test_one_page_per_section(q):
    pages = q.pages()
    assert [page.section.code for page in pages] == ["S", "A", "B", "C", "D", "E"]
    assert [page.index for page in pages] == list(range(6))


def test_check_file_summarises_the_builtin():
    summary = qn.check_file(qn.BUILTIN_DIR / "civility-household.yaml")
    assert "31 items (13 single, 1 number, 16 rating, 1 text) in 6 sections, 6 pages" in summary
    assert "7 indicators" in summary
    assert "2 screening rules: S1 = 1; S2 = 1" in summary
    assert qn.builtin().digest() in summary
