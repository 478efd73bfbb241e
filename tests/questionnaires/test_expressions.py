"""The safe expression evaluator: grammar, precedence, None semantics, and what it refuses."""

from __future__ import annotations

import builtins

import pytest

from questionnaires import Expression, ExpressionError


def ev(text, answers=None, current=None):
    return Expression.parse(text).evaluate(answers or {}, current)


@pytest.fixture(autouse=True)
def no_eval(monkeypatch):
    """Nothing in parsing or evaluation may reach Python's own evaluator."""
    def refuse(*args, **kwargs):
        raise AssertionError("eval/exec/compile must never be used")
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, refuse)


@pytest.mark.parametrize(("text", "answers", "expected"), [
    ("A = 1", {"A": 1}, True),
    ("A == 1", {"A": 1}, True),
    ("A != 1", {"A": 2}, True),
    ("A < 3", {"A": 2}, True),
    ("A <= 2", {"A": 2}, True),
    ("A > 2", {"A": 2}, False),
    ("A >= 2.5", {"A": 2}, False),
    ("A in (1, 2)", {"A": 2}, True),
    ("A not in (1, 2)", {"A": 3}, True),
    ("A = 'yes'", {"A": "yes"}, True),
    ('A = "yes"', {"A": "no"}, False),
    ("A = -1", {"A": -1}, True),
    ("A = B", {"A": 3, "B": 3}, True),
    ("1 = 1", {}, True),
])
def test_comparisons(text, answers, expected):
    assert ev(text, answers) is expected


def test_and_binds_tighter_than_or():
    answers = {"A": 1, "B": 0, "C": 0}
    assert ev("A = 1 or B = 1 and C = 1", answers) is True
    assert ev("(A = 1 or B = 1) and C = 1", answers) is False
    assert ev("B = 1 and C = 1 or A = 1", answers) is True


def test_not_binds_tighter_than_and():
    assert ev("not A = 1 and B = 1", {"A": 2, "B": 1}) is True
    assert ev("not (A = 1 and B = 1)", {"A": 1, "B": 2}) is True
    assert ev("not not A = 1", {"A": 1}) is True


@pytest.mark.parametrize("text", [
    "A = 1", "A != 1", "A < 1", "A <= 1", "A > 1", "A >= 1", "A in (1, 2)", "A not in (1, 2)", "A = B",
    "B != A", "selected(A, 1)",
])
def test_every_comparison_with_an_unanswered_item_is_false(text):
    assert ev(text, {"B": 1}) is False


def test_negating_a_comparison_with_none_is_true():
    assert ev("not (A = 1)", {}) is True
    assert ev("not A != 1", {}) is True


def test_ordering_text_against_a_number_is_false_not_an_exception():
    assert ev("A < 3", {"A": "x"}) is False
    assert ev("A = 3", {"A": "3"}) is False


def test_functions_on_multiple_choice_values():
    answers = {"M": (1, 3)}
    assert ev("selected(M, 3)", answers) is True
    assert ev("selected(M, 2)", answers) is False
    assert ev("count(M) = 2", answers) is True
    assert ev("count(M) = 0", {}) is True
    assert ev("answered(M)", answers) is True
    assert ev("answered(M)", {}) is False
    assert ev("not answered(M)", {"M": None}) is True
    assert ev("selected(S, 2)", {"S": 2}) is True


def test_dot_is_the_current_value():
    assert ev(". >= 18 and . <= 120", {}, current=30) is True
    assert ev(". >= 18", {}, current=12) is False
    assert ev("count(.) <= 2", {}, current=(1, 2, 3)) is False
    assert ev(". > 1", {}, current=None) is False


def test_references_are_recorded():
    expr = Expression.parse("A = 1 or (selected(M, 2) and count(N) > 1) or . > B")
    assert expr.references == {"A", "M", "N", "B"}
    assert expr.uses_current is True
    assert Expression.parse("A1 = 1").uses_current is False
    assert str(expr) == expr.source


def test_equal_by_source_and_hashable():
    assert Expression.parse("A = 1") == Expression.parse("A = 1")
    assert len({Expression.parse("A = 1"), Expression.parse("A = 1")}) == 1


@pytest.mark.parametrize(("text", "message"), [
    ("__import__('os').system('true')", "unknown function '__import__'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("A.__class__ = 1", "expected a condition"),
    ("A = B.__dict__", "unexpected '.'"),
    ("A[0] = 1", "unexpected character '['"),
    ("lambda: 1", "unexpected character ':'"),
    ("A = 1 + 1", "unexpected character '+'"),
    ("A = 1;", "unexpected character ';'"),
    ("A", "expected a condition"),
    ("'text'", "expected a condition"),
    ("count(M)", "expected a condition"),
    ("", "expected an item code"),
    ("A = ", "found the end"),
    ("(A = 1", "expected ')'"),
    ("A = 1)", "unexpected ')'"),
    ("A < 2 < 3", "unexpected '<'"),
    ("(A = 1) = 1", "cannot compare a condition"),
    ("A in 1, 2", "expected '('"),
    ("A in (B)", "expected a number or a quoted string"),
    ("selected(A)", "expected ','"),
    ("selected(A, B)", "expected a number"),
    ("count(1)", "expected an item code or '.'"),
    ("A = 'unterminated", "unexpected character"),
    ("A = １", "unexpected character '１'"),
    ("A = 1 and or B = 1", "expected an item code"),
])
def test_garbage_and_python_are_refused(text, message):
    with pytest.raises(ExpressionError) as info:
        Expression.parse(text)
    assert message in info.value.message


def test_error_reports_the_position():
    with pytest.raises(ExpressionError) as info:
        Expression.parse("A = 1 and B ! 2")
    assert info.value.position == 12
    assert "at character 13" in str(info.value)


def test_deep_nesting_and_huge_text_are_refused_cleanly():
    with pytest.raises(ExpressionError, match="nested too deeply"):
        Expression.parse("(" * 500 + "A = 1" + ")" * 500)
    with pytest.raises(ExpressionError, match="longer than"):
        Expression.parse("A = 1 or " * 500 + "A = 1")
    with pytest.raises(ExpressionError, match="must be text"):
        Expression.parse(42)


def test_keywords_are_not_item_codes():
    with pytest.raises(ExpressionError):
        Expression.parse("and = 1")
