"""Bad questionnaire files are refused with every problem listed, each naming the file, line and item."""

from __future__ import annotations

import pytest

import questionnaires as qn

from .samples import DEMO, edit


def problems(text: str, source: str = "<string>") -> list[str]:
    with pytest.raises(qn.QuestionnaireError) as info:
        qn.loads(text, source=source)
    err = info.value
    assert str(err).splitlines() == [str(p) for p in err.problems]
    return [str(p) for p in err.problems]


def test_demo_is_valid():
    q = qn.loads(DEMO)
    assert [item.code for item in q.items] == ["Q1", "Q2", "Q3", "T1", "T2", "X1"]


def test_problem_format_matches_the_contract():
    text = edit(DEMO, "    positive: [1, 2]\n      - code: Q3", "    positive: [1, 7]\n      - code: Q3")
    assert problems(text, source="civility.yaml") == [
        "civility.yaml:29: item Q2: positive code 7 is not an answer code"]
    err = pytest.raises(qn.QuestionnaireError, qn.loads, text, source="civility.yaml").value
    assert err.problems == (qn.Problem("civility.yaml", 29, "Q2", "positive code 7 is not an answer code"),)


def test_yaml_syntax_error_names_its_line():
    text = edit(DEMO, "    max: 2\n", "    max: [2\n")
    [message] = problems(text)
    assert message.startswith("<string>:")
    assert "YAML syntax error" in message
    line = int(message.split(":")[1])
    assert 24 <= line <= 26


def test_unquoted_question_mark_in_flow_mapping_gets_a_hint():
    text = edit(DEMO, 'en: "Do you live here?"}', "en: Do you live here?}")
    [message] = problems(text)
    assert message.startswith("<string>:18: YAML syntax error")
    assert "quote text" in message


def test_missing_and_unknown_keys():
    text = edit(DEMO, "        label: {zh: 意见, en: Comments}\n", "        lable: {zh: 意见, en: Comments}\n")
    assert problems(text) == [
        "<string>:40: item T1: an item is missing key 'label'",
        "<string>:42: item T1: an item has unknown key 'lable' (did you mean 'label'?)",
    ]


def test_missing_top_level_keys_and_unknown_top_level_key():
    text = edit(DEMO, 'version: "1"\n', "verison: 1\n")
    assert problems(text) == [
        "<string>:1: the questionnaire is missing key 'version'",
        "<string>:2: the questionnaire has unknown key 'verison' (did you mean 'version'?)",
    ]


def test_duplicate_item_codes():
    text = edit(DEMO, "  - code: T1\n", "  - code: Q1\n")
    assert "<string>:40: item Q1: duplicate item code (first defined at line 16)" in problems(text)


def test_duplicate_answer_codes():
    text = edit(DEMO, "{code: 2, zh: 图书馆", "{code: 1, zh: 图书馆")
    assert "<string>:27: item Q2: duplicate answer code 1" in problems(text)


def test_duplicate_answer_code_in_a_scale():
    text = edit(DEMO, '{code: 9, zh: 说不清', '{code: 2, zh: 说不清')
    assert problems(text) == ["<string>:9: duplicate answer code 2",
                              "<string>:62: screening rule 'Q1 = 9': Q1 has no answer code 9"]


def test_positive_and_score_codes_must_be_answer_codes():
    text = edit(DEMO, "    scale: YN\n        positive: [1, 2]", "    scale: YN\n        positive: [1, 5]\n"
                "        scores: {1: 100, 4: 50}")
    assert problems(text) == [
        "<string>:50: item T2: positive code 5 is not an answer code",
        "<string>:51: item T2: score code 4 is not an answer code",
    ]


def test_scale_positive_code_must_be_a_scale_answer_code():
    text = edit(DEMO, "    positive: [1]\n", "    positive: [1, 3]\n")
    assert problems(text) == ["<string>:10: positive code 3 is not an answer code"]


def test_unknown_question_type():
    text = edit(DEMO, "    type: rating\n", "    type: stars\n")
    [message] = problems(text)
    assert message == ("<string>:46: item T2: unknown question type 'stars' "
                       "(known: single, multiple, rating, number, text)")


def test_relevance_syntax_error():
    text = edit(DEMO, "relevant: Q1 = 1\n", "relevant: Q1 = = 1\n")
    [message] = problems(text)
    assert message.startswith("<string>:23: item Q2: relevance 'Q1 = = 1': syntax error at character 6")


def test_relevance_to_unknown_item_later_item_and_itself():
    text = edit(DEMO, "relevant: Q1 = 1\n", "relevant: Q9 = 1 or Q3 > 2 or count(Q2) > 1\n")
    assert problems(text) == [
        "<string>:23: item Q2: relevance 'Q9 = 1 or Q3 > 2 or count(Q2) > 1' refers to unknown item 'Q9'",
        "<string>:23: item Q2: relevance 'Q9 = 1 or Q3 > 2 or count(Q2) > 1' refers to the item itself",
        "<string>:23: item Q2: relevance 'Q9 = 1 or Q3 > 2 or count(Q2) > 1' refers to item Q3, which comes later",
    ]


def test_constraint_may_read_earlier_items_and_itself_but_not_later_ones():
    assert qn.loads(edit(DEMO, "constraint: . >= 18 or Q1 = 2", "constraint: Q3 >= 18 or Q1 = 2"))
    text = edit(DEMO, "constraint: . >= 18 or Q1 = 2", "constraint: . >= 18 or T2 = 2")
    assert problems(text) == [
        "<string>:35: item Q3: constraint '. >= 18 or T2 = 2' refers to item T2, which comes later"]


def test_dot_only_in_constraints():
    text = edit(DEMO, "relevant: Q1 = 2\n", "relevant: . = 2\n")
    assert problems(text) == [
        "<string>:57: item X1: relevance '. = 2' uses '.', which stands for an item's own value only in a "
        "constraint"]


def test_screening_rule_errors():
    text = edit(DEMO, "  - when: Q1 = 9\n", "  - when: Q1 = 9 or\n  - when: Z1 = 1\n  - when: Q1 = 3\n")
    assert problems(text) == [
        "<string>:62: screening rule 'Q1 = 9 or': syntax error at character 10: expected an item code, "
        "a number or '(' but found the end",
        "<string>:63: screening rule 'Z1 = 1' refers to unknown item 'Z1'",
        "<string>:64: screening rule 'Q1 = 3': Q1 has no answer code 3",
    ]


def test_misused_items_in_expressions():
    text = edit(DEMO, "relevant: selected(Q2, 3)", "relevant: Q2 = 3 or selected(Q2, 7) or count(Q1) > 0")
    found = problems(text)
    prefix = "<string>:48: item T2: relevance 'Q2 = 3 or selected(Q2, 7) or count(Q1) > 0': "
    assert found == [
        prefix + "compare multiple-choice item Q2 with selected(Q2, n) or count(Q2)",
        prefix + "Q2 has no answer code 7",
        prefix + "count() needs a multiple-choice item; Q1 is a single item",
    ]


def test_indicator_over_missing_non_choice_and_unscored_items():
    text = edit(DEMO, "    items: [T2]\n", "    items: [T2, Q3, Q1, Q2, NOPE]\n")
    assert problems(text) == [
        "<string>:71: item Q3: indicator gym_score needs a choice item, but Q3 is a number item",
        "<string>:71: item Q2: indicator gym_score is a score, but Q2 has no score map",
        "<string>:71: item NOPE: indicator gym_score refers to an item that does not exist",
    ]


def test_rate_indicator_needs_positive_sets_and_weights_must_be_positive():
    text = edit(DEMO, "items: [Q1, {item: Q2, weight: 2}]", "items: [X1, {item: Q2, weight: 0}, Q1, Q1]")
    assert problems(text) == [
        "<string>:67: item X1: indicator use_rate is a rate, but X1 has no positive set",
        "<string>:67: item Q2: indicator use_rate: weight must be a number > 0, not a number (0)",
        "<string>:67: item Q1: indicator use_rate lists this item twice",
    ]


def test_indicator_kind_must_be_rate_or_score():
    text = edit(DEMO, "    kind: score\n", "    kind: index\n")
    assert problems(text) == ["<string>:70: indicator gym_score: kind must be 'rate' or 'score', not 'index'"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("{zh: 意见, en: Comments}", "{zh: 意见}",
     "<string>:42: item T1: label has no English text: key 'en' missing or empty"),
    ("{zh: 意见, en: Comments}", "{zh: '', en: Comments}",
     "<string>:42: item T1: label has no Chinese text: key 'zh' missing or empty"),
    ("{zh: 意见, en: Comments}", "{zh: 意见, en: Comments, fr: Avis}",
     "<string>:42: item T1: label has unknown key 'fr' (known keys: zh, en)"),
    ("{zh: 意见, en: Comments}", "Comments",
     "<string>:42: item T1: label must be a mapping, not text ('Comments')"),
    ("{code: 3, zh: 体育馆, en: Gym}", "{code: 3, zh: 体育馆}",
     "<string>:28: item Q2: choice 3 has no English text: key 'en' missing or empty"),
    ("title: {zh: 演示问卷, en: Demo survey}", "title: {en: Demo survey}",
     "<string>:3: title has no Chinese text: key 'zh' missing or empty"),
])
def test_labels_missing_a_language(old, new, expected):
    assert problems(edit(DEMO, old, new)) == [expected]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    scale: YN\n        positive", "    choices: [{code: 1, zh: 好, en: Good}]\n        scale: YN\n"
     "        positive", "item T2: give either choices or a scale, not both"),
    ("    scale: YN\n        positive", "    scale: YesNo\n        positive", "item T2: unknown scale 'YesNo'"),
    ("    scale: YN\n      - code: Q2", "    required: true\n      - code: Q2",
     "item Q1: a choice item needs 'choices' or 'scale'"),
    ("    max_length: 10", "    max_length: -1", "item T1: max_length must be a whole number >= 0"),
    ("    max_length: 10", "    max_length: 10\n        min: 1", "item T1: a text item takes no 'min'"),
    ("    max_length: 10", "    max_length: 10\n        decimals: 0", "item T1: a text item takes no 'decimals'"),
    ("    min: 0\n", "    min: 0\n        decimals: -1\n", "item Q3: decimals must be a whole number >= 0"),
    ("    min: 0\n", "    min: 0\n        decimals: 0.5\n", "item Q3: decimals must be a whole number >= 0"),
    ("    min: 0\n", "    min: 200\n", "item Q3: min 200 is greater than max 120"),
    ("    required: false", "    required: maybe", "item T1: required must be true or false"),
    ('version: "1"', "version: 1.0", "version must be text of at most 32 characters"),
    ("code: demo", "code: Demo Survey", "questionnaire code must be lower-case"),
    ("  - code: X1", "  - code: not", "item code must start with a letter"),
    ("{code: 3, zh: 体育馆", "{code: three, zh: 体育馆",
     "answer code must be a whole number from 0 to 999999999, not text"),
    ("    tags: []\n" if False else "    max: 2\n", "    max: 2\n        tags: AW\n", "tags must be a list"),
    ("  - code: X\n", "  - code: P\n", "duplicate section code: 'P'"),
    ("  - code: gym_score", "  - code: use_rate", "duplicate indicator code: 'use_rate'"),
    ("    constraint_message:", "    hint: {zh: 提示, en: Hint}\n        constraint_message:", None),
])
def test_more_refusals(old, new, expected):
    text = edit(DEMO, old, new)
    if expected is None:
        assert qn.loads(text).item("Q3").hint == qn.Label("提示", "Hint")
        return
    assert any(expected in message for message in problems(text)), problems(text)


def test_duplicate_yaml_key():
    text = edit(DEMO, "    max_length: 10\n", "    max_length: 10\n        max_length: 20\n")
    assert "<string>:45: duplicate key 'max_length'" in problems(text)


def test_every_problem_is_listed_in_line_order():
    text = DEMO
    for old, new in [('version: "1"', "version: 1.5"), ("type: multiple", "type: many"),
                     ("{code: 2, zh: 图书馆", "{code: 1, zh: 图书馆"), ("relevant: Q1 = 2", "relevant: Q1 =="),
                     ("{zh: 意见, en: Comments}", "{en: Comments}"), ("items: [T2]", "items: [T2, ZZ]")]:
        text = edit(text, old, new)
    found = problems(text, source="demo.yaml")
    assert len(found) == 7  # six mistakes; the duplicate code also leaves positive code 2 without its answer
    assert "demo.yaml:27: item Q2: duplicate answer code 1" in found
    lines = [int(message.split(":")[1]) for message in found]
    assert lines == sorted(lines)
    assert all(message.startswith("demo.yaml:") for message in found)


@pytest.mark.parametrize(("text", "expected"), [
    ("", "<string>: the file is empty"),
    ("- 1\n- 2\n", "<string>:1: the questionnaire must be a mapping, not a list"),
    ("just words", "<string>: the questionnaire must be a mapping, not text ('just words')"),
])
def test_not_a_questionnaire_at_all(text, expected):
    assert problems(text) == [expected]


def test_unsafe_yaml_tags_are_refused():
    text = "!!python/object/apply:os.system ['true']\n"
    [message] = problems(text)
    assert "YAML syntax error" in message and "python/object/apply" in message


def test_load_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(edit(DEMO, "type: rating", "type: stars"), encoding="utf-8")
    with pytest.raises(qn.QuestionnaireError) as info:
        qn.load(path)
    assert str(info.value).startswith(f"{path}:46: item T2: unknown question type 'stars'")
    with pytest.raises(qn.QuestionnaireError, match="cannot read the file"):
        qn.load(tmp_path / "missing.yaml")


def test_check_file_raises_with_every_problem(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(edit(DEMO, "type: rating", "type: stars").replace("kind: score", "kind: sum"),
                    encoding="utf-8")
    with pytest.raises(qn.QuestionnaireError) as info:
        qn.check_file(path)
    assert len(info.value.problems) == 2


def test_from_dict_problems_have_no_line():
    data = qn.loads(DEMO).to_dict()
    data["sections"][0]["items"][0]["positive"] = [1, 8]
    with pytest.raises(qn.QuestionnaireError) as info:
        qn.from_dict(data)
    assert str(info.value) == "<dict>: item Q1: positive code 8 is not an answer code"
    assert info.value.problems[0].line is None


def test_unquoted_yes_gets_a_hint():
    text = edit(DEMO, '{code: 1, zh: 是, en: "Yes"}', "{code: 1, zh: 是, en: Yes}")
    assert problems(text) == [
        "<string>:7: choice 1 has no English text: key 'en' missing or empty (got true/false (True)) "
        '(YAML reads unquoted Yes/No as true/false: write "Yes")']
