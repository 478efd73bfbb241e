"""Property-based tests (Hypothesis) of the questionnaire runtime: whatever a form or a file holds, the runtime
answers with a result or its documented error, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import questionnaires as qn

CIVILITY = qn.builtin()
PAGES = CIVILITY.pages()
CODES = [item.code for item in CIVILITY.items]

# Text as an attacker sends it: any Unicode (NUL and control characters included), digits, long runs.
junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,20})?", fullmatch=True),
    st.builds(lambda ch, n: ch * n, st.characters(), st.integers(1, 12_000)),
)
forms = st.dictionaries(st.one_of(st.sampled_from(CODES), st.text(max_size=8)), st.lists(junk, max_size=4),
                        max_size=12)


@settings(max_examples=300, deadline=None)
@given(page=st.sampled_from(PAGES), form=forms, earlier=forms)
def test_parse_page_relevance_and_status_accept_any_form(page, form, earlier):
    known = {}
    for other in PAGES:  # answers of other pages, built the only way answers are built: by parse_page
        if other.index != page.index:
            known.update(qn.parse_page(CIVILITY, other, earlier, known).answers)
    result = qn.parse_page(CIVILITY, page, form, known)
    assert set(result.answers) | set(result.errors) <= {item.code for item in page.items}
    assert not set(result.answers) & set(result.errors)
    merged = qn.prune(CIVILITY, result.merge(page, known))
    assert set(merged) <= set(CODES)
    assert qn.status(CIVILITY, merged) in set(qn.Status)
    follow = qn.next_page(CIVILITY, merged, page.index)
    assert follow is None or follow.index > page.index
    for item in CIVILITY.items:
        assert qn.is_relevant(CIVILITY, item, merged) in (True, False)
    for code, value in result.answers.items():  # what is accepted can be stored and read back
        question = CIVILITY.item(code)
        assert question.kind.read(question.kind.export(value), question) == value
        assert "\x00" not in question.kind.export(value)


@settings(max_examples=500, deadline=None)
@given(source=st.one_of(st.text(max_size=80), st.text(alphabet="S1A2 =!<>()'\"and or not in,.0123456789[]",
                                                      max_size=60)))
def test_expression_parser_raises_only_its_syntax_error(source):
    try:
        expression = qn.Expression.parse(source)
    except qn.ExpressionError as err:
        assert 0 <= err.position <= max(len(source), 1000)
        return
    assert str(expression)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_questionnaire_loader_raises_only_its_error(text):
    try:
        qn.loads(text, source="fuzz.yaml")
    except qn.QuestionnaireError as err:
        assert str(err)
