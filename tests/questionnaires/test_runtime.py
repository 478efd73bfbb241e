"""Driving an interview: pages, skip logic, form parsing, screening, status and the next page."""

from __future__ import annotations

import pytest

import questionnaires as qn
from questionnaires._runtime import NOT_APPLICABLE, REQUIRED
from questionnaires._types import CHOOSE_GIVEN, NOT_NUMBER, ONLY_ONE

from .samples import DEMO


@pytest.fixture(scope="module")
def q():
    return qn.loads(DEMO)


def page_of(q, code):
    return next(page for page in q.pages() if code in [item.code for item in page.items])


def parse(q, code, form, answers=None):
    return qn.parse_page(q, page_of(q, code), form, answers or {})


def test_pages_split_before_an_item_whose_relevance_reads_the_same_page(q):
    pages = q.pages()
    assert [[item.code for item in page.items] for page in pages] == [["Q1"], ["Q2", "Q3"], ["T1", "T2"], ["X1"]]
    assert [page.index for page in pages] == [0, 1, 2, 3]
    assert [page.section.code for page in pages] == ["P", "P", "T", "X"]


def test_single_choice_is_coerced_to_int(q):
    result = parse(q, "Q1", {"Q1": ["1"], "csrf_token": ["x"]})
    assert result.ok and result.answers == {"Q1": 1} and result.errors == {}


@pytest.mark.parametrize("raw", [["7"], ["1.0"], ["abc"], ["-1"], ["１"], ["+1"], ["0x1"]])
def test_unknown_or_non_integer_codes_are_refused(q, raw):
    result = parse(q, "Q1", {"Q1": raw})
    assert result.errors == {"Q1": CHOOSE_GIVEN} and result.answers == {}


def test_two_answers_to_a_single_choice_are_refused(q):
    assert parse(q, "Q1", {"Q1": ["1", "2"]}).errors == {"Q1": ONLY_ONE}


def test_a_bare_string_is_one_value(q):
    assert parse(q, "Q1", {"Q1": "2"}).answers == {"Q1": 2}


def test_missing_required_answer(q):
    result = parse(q, "Q1", {})
    assert result.errors == {"Q1": REQUIRED}
    assert REQUIRED.zh and REQUIRED.en
    assert parse(q, "Q1", {"Q1": ["  "]}).errors == {"Q1": REQUIRED}


def test_multiple_choice_is_a_sorted_tuple_and_bounded(q):
    result = parse(q, "Q2", {"Q2": ["3", "1"], "Q3": ["30"]}, {"Q1": 1})
    assert result.answers == {"Q2": (1, 3), "Q3": 30}
    too_many = parse(q, "Q2", {"Q2": ["1", "2", "3"], "Q3": ["30"]}, {"Q1": 1})
    assert too_many.errors["Q2"].en == "Please choose at most 2."
    twice = parse(q, "Q2", {"Q2": ["1", "1"], "Q3": ["30"]}, {"Q1": 1})
    assert twice.errors == {"Q2": CHOOSE_GIVEN}


def test_answer_to_an_item_hidden_by_skip_logic_is_refused(q):
    result = parse(q, "Q2", {"Q2": ["1"], "Q3": ["30"]}, {"Q1": 2})
    assert result.errors == {"Q2": NOT_APPLICABLE}
    assert "does not apply" in NOT_APPLICABLE.en and NOT_APPLICABLE.zh


def test_hidden_item_left_blank_is_fine_and_not_required(q):
    result = parse(q, "Q2", {"Q2": [""], "Q3": ["12"]}, {"Q1": 2})
    assert result.ok and result.answers == {"Q3": 12}


def test_constraint_violation_shows_the_questionnaires_message(q):
    result = parse(q, "Q3", {"Q2": ["1"], "Q3": ["12"]}, {"Q1": 1})
    assert result.errors == {"Q3": qn.Label("本题需年满18岁", "You must be 18 or over")}


@pytest.mark.parametrize(("raw", "error"), [
    ("121", "Please enter a number from 0 to 120."),
    ("-1", "Please enter a number from 0 to 120."),
    ("twelve", NOT_NUMBER.en),
    ("1e3", NOT_NUMBER.en),
    ("nan", NOT_NUMBER.en),
    ("3,5", NOT_NUMBER.en),
])
def test_numbers_are_checked(q, raw, error):
    result = parse(q, "Q3", {"Q2": ["1"], "Q3": [raw]}, {"Q1": 1})
    assert result.errors["Q3"].en == error
    assert result.errors["Q3"].zh


def test_numbers_keep_their_kind(q):
    assert parse(q, "Q3", {"Q2": ["1"], "Q3": [" 45.5 "]}, {"Q1": 1}).answers["Q3"] == 45.5
    value = parse(q, "Q3", {"Q2": ["1"], "Q3": ["45"]}, {"Q1": 1}).answers["Q3"]
    assert value == 45 and isinstance(value, int)


@pytest.mark.parametrize(("raw", "accepted"), [("3", 3), ("12", 12), ("2.5", None), ("3.0", None)])
def test_a_whole_number_item_takes_no_decimals(raw, accepted):
    """H1 (adults in the household) is ``decimals: 0``: the weight chain needs a whole number of adults."""
    q = qn.builtin()
    page = next(p for p in q.pages() if any(item.code == "H1" for item in p.items))
    result = qn.parse_page(q, page, {"H1": [raw]}, {"S1": 4, "S2": 3, "S3": 1})
    if accepted is None:
        assert result.errors["H1"].en == "Please enter a whole number, such as 3." and result.errors["H1"].zh
    else:
        assert "H1" not in result.errors and result.answers["H1"] == accepted


def test_text_is_kept_exactly_as_typed(q):
    typed = "<script>alert('x')</script>"
    result = parse(q, "T1", {"T1": [" hi <b> "]}, {"Q1": 2})
    assert result.answers == {"T1": " hi <b> "}
    long = parse(q, "T1", {"T1": [typed]}, {"Q1": 2})
    assert long.errors["T1"].en == f"Please use at most 10 characters (you typed {len(typed)})."
    assert parse(q, "T1", {"T1": [" \n\t "]}, {"Q1": 2}).answers == {}


def test_builtin_open_question_keeps_script_and_limits_to_500():
    q = qn.builtin()
    page = page_of(q, "E1")
    typed = "<script>alert(1)</script> 多种垃圾桶\r\n请改进"
    result = qn.parse_page(q, page, {"E1": [typed], "E2": ["1"]}, {})
    assert result.answers == {"E1": typed, "E2": 1}
    assert qn.parse_page(q, page, {"E1": ["好" * 500], "E2": ["1"]}, {}).ok
    refused = qn.parse_page(q, page, {"E1": ["好" * 501], "E2": ["1"]}, {})
    assert refused.errors["E1"].zh == "最多 500 个字（您输入了 501 个）。"
    assert qn.parse_page(q, page, {"E2": ["3"]}, {}).answers == {"E2": 3}


def test_relevance_reads_earlier_pages(q):
    result = parse(q, "T2", {"T2": ["1"]}, {"Q1": 1, "Q2": (3,), "Q3": 30})
    assert result.answers == {"T2": 1}
    assert parse(q, "T2", {"T2": ["1"]}, {"Q1": 1, "Q2": (1,), "Q3": 30}).errors == {"T2": NOT_APPLICABLE}


def test_merge_replaces_the_page_items(q):
    page = page_of(q, "Q2")
    result = qn.parse_page(q, page, {"Q3": ["12"]}, {"Q1": 2, "Q2": (1,), "Q3": 40})
    assert result.merge(page, {"Q1": 2, "Q2": (1,), "Q3": 40}) == {"Q1": 2, "Q3": 12}


def test_prune_drops_answers_that_skip_logic_now_hides(q):
    answers = {"Q1": 2, "Q2": (3,), "Q3": 40, "T2": 1, "ghost": 5}
    assert qn.prune(q, answers) == {"Q1": 2, "Q3": 40}


def test_is_relevant(q):
    assert qn.is_relevant(q, q.item("Q1"), {})
    assert not qn.is_relevant(q, q.item("Q2"), {})
    assert qn.is_relevant(q, q.item("Q2"), {"Q1": 1})
    assert qn.is_relevant(q, q.item("X1"), {"Q1": 2})


def test_status(q):
    assert qn.status(q, {}) == "partial"
    assert qn.status(q, {"Q1": 1, "Q2": (1,), "Q3": 30}) == "complete"
    assert qn.status(q, {"Q1": 1, "Q2": (3,), "Q3": 30}) == "partial"  # T2 is now asked
    assert qn.status(q, {"Q1": 2, "Q3": 30}) == "partial"  # X1 is asked
    assert qn.status(q, {"Q1": 2, "Q3": 30, "X1": 1}) == "complete"
    assert qn.status(q, {"Q1": 9}) == "ineligible"


def test_next_page_skips_pages_without_relevant_items(q):
    assert qn.next_page(q, {}).index == 0
    assert qn.next_page(q, {"Q1": 1}, after=0).index == 1
    assert qn.next_page(q, {"Q1": 1, "Q2": (1,), "Q3": 30}, after=2) is None
    assert qn.next_page(q, {"Q1": 2, "Q3": 30}, after=2).index == 3
    assert qn.next_page(q, {"Q1": 9}, after=0) is None


def test_screened_out_stops_the_builtin_after_the_first_page():
    q = qn.builtin()
    first = qn.next_page(q, {})
    for screening_answers in ({"S1": ["1"], "S2": ["3"], "S3": ["2"]}, {"S1": ["3"], "S2": ["1"], "S3": ["1"]}):
        answers = qn.parse_page(q, first, screening_answers, {}).answers
        assert qn.screened_out(q, answers)
        assert qn.status(q, answers) == "ineligible"
        assert qn.next_page(q, answers, after=first.index) is None


def test_a_whole_builtin_interview():
    q = qn.builtin()
    answers: dict = {}
    page = qn.next_page(q, answers)
    visited = []
    while page is not None:
        form = {item.code: [str(item.codes[1])] for item in page.items if item.choices}
        form.update({item.code: ["2"] for item in page.items if item.type == "number"})  # H1: two adults
        result = qn.parse_page(q, page, form, answers)
        assert result.ok, result.errors
        answers = result.merge(page, answers)
        visited.append(page.index)
        assert qn.status(q, answers) == ("complete" if page.index == 5 else "partial")
        page = qn.next_page(q, answers, after=page.index)
    assert visited == [0, 1, 2, 3, 4, 5]
    assert len(answers) == 30 and "E1" not in answers and answers["H1"] == 2


def test_a_complete_eligible_builtin_interview():
    q = qn.builtin()
    answers = {item.code: item.codes[-1] for item in q.items if item.choices} | {"H1": 1}
    assert qn.status(q, answers) == "complete"  # E1 is optional
    answers.pop("C7")
    assert qn.status(q, answers) == "partial"


def test_nul_in_text_is_refused_because_it_cannot_be_stored(q):
    from questionnaires._types import UNSAVABLE

    assert parse(q, "T1", {"T1": ["a\x00b"]}, {"Q1": 2}).errors == {"T1": UNSAVABLE}


def test_multiple_answers_read_back_from_json_as_lists_still_count(q):
    answers = {"Q1": 1, "Q2": [3], "Q3": 30}  # as json.loads gives them back
    assert qn.is_relevant(q, q.item("T2"), answers)
    assert qn.status(q, answers) == "partial"
    assert qn.Expression.parse("count(Q2) = 1").evaluate(answers)
