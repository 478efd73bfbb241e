"""The frozen model: snapshots (to_dict/from_dict), digests, labels and the question-type registry."""

from __future__ import annotations

import dataclasses
import json

import pytest

import questionnaires as qn

from .samples import DEMO, edit


@pytest.fixture(params=["builtin", "demo"])
def q(request):
    return qn.builtin() if request.param == "builtin" else qn.loads(DEMO)


def test_to_dict_round_trips(q):
    assert qn.from_dict(q.to_dict()) == q


def test_to_dict_survives_json_as_stored_by_the_web_app(q):
    stored = json.loads(json.dumps(q.to_dict(), ensure_ascii=False))
    assert stored == q.to_dict()
    again = qn.from_dict(stored)
    assert again == q
    assert again.digest() == q.digest()


def test_to_dict_is_expanded_and_plain(q):
    data = q.to_dict()
    assert "scales" not in data
    items = [item for section in data["sections"] for item in section["items"]]
    assert all(item["choices"] for item in items if item["type"] in ("single", "multiple", "rating"))
    assert all(isinstance(key, str) for item in items for key in item.get("scores", {}))


def test_digest_is_stable_and_sensitive():
    one, two = qn.loads(DEMO), qn.loads(DEMO)
    assert one.digest() == two.digest()
    assert len(one.digest()) == 64 and int(one.digest(), 16) >= 0
    assert qn.loads(DEMO + "\n# a comment only\n").digest() == one.digest()
    changed = qn.loads(edit(DEMO, "en: Comments}", "en: Remarks}"))
    assert changed.digest() != one.digest()
    rescored = qn.loads(edit(DEMO, "scores: {1: 100, 2: 0}", "scores: {1: 100, 2: 10}"))
    assert rescored.digest() != one.digest()


def test_builtin_digest_is_pinned():
    """A change to the built-in file must be a conscious one: update this digest and the version together."""
    q = qn.builtin()
    assert (q.version, q.digest()) == ("1.1", "b2a5c0cea5c8ba882e45eb9b75553c5ec0857959c649abb8f8736178bde82943")


def test_version_1_0_stays_loadable_unchanged():
    """Rounds that used 1.0 keep answering and exporting exactly what they were asked."""
    q = qn.builtin("civility-household-1.0")
    assert (q.code, q.version, q.digest()) == (
        "civility-household", "1.0", "5726906d9e9923e3149dcf15e1dfdfe55db3b1651153c4a9fd8cfc87b6b597bc")
    assert "H1" not in {item.code for item in q.items}


def test_version_1_1_asks_adults_right_after_s3():
    q = qn.builtin()
    codes = [item.code for item in q.items]
    assert codes[codes.index("S3") + 1] == "H1"
    h1 = q.item("H1")
    assert (h1.type, h1.required, h1.min, h1.max) == ("number", True, 1, 20)
    assert "18" in h1.label.zh and "6个月" in h1.label.zh and "18 or over" in h1.label.en
    assert "six months" in h1.label.en and "yourself included" in h1.label.en


def test_scale_expansion_equals_writing_choices_out():
    spelled = edit(DEMO, "        scale: YN\n      - code: Q2", "        choices:\n"
                   "          - {code: 1, zh: 是, en: \"Yes\"}\n          - {code: 2, zh: 否, en: \"No\"}\n"
                   "          - {code: 9, zh: 说不清, en: \"Can't say\"}\n        positive: [1]\n"
                   "        scores: {1: 100, 2: 0}\n      - code: Q2")
    assert qn.loads(spelled) == qn.loads(DEMO)
    assert qn.loads(spelled).digest() == qn.loads(DEMO).digest()


def test_item_overrides_the_scale_positive_set():
    q = qn.loads(DEMO)
    assert q.item("Q1").positive == {1}
    assert q.item("T2").positive == {1, 2}
    assert dict(q.item("T2").scores) == {1: 100.0, 2: 0.0}


def test_model_is_frozen_and_hashable(q):
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.code = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.items[0].required = False
    with pytest.raises(TypeError):
        q.items[0].scores[1] = 5  # type: ignore[index]
    assert len({q, qn.from_dict(q.to_dict())}) == 1


def test_item_lookup():
    q = qn.loads(DEMO)
    assert q.item("Q3").min == 0 and q.item("Q3").max == 120
    assert q.item("Q1").choice(9).label.en == "Can't say"
    with pytest.raises(KeyError):
        q.item("NOPE")
    with pytest.raises(KeyError):
        q.item("Q1").choice(5)


def test_indicator_weights():
    q = qn.loads(DEMO)
    assert q.indicators[0].items == (("Q1", 1.0), ("Q2", 2.0))
    assert q.indicators[1].kind == "score"


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Yes"), ("en-GB", "Yes"), ("EN_us", "Yes"), ("zh", "是"), ("zh-CN", "是"), ("fr", "是"), (None, "是"),
])
def test_label_get_falls_back_to_chinese(lang, text):
    assert qn.Label("是", "Yes").get(lang) == text


def test_label_without_english_falls_back():
    assert qn.Label("是", "").get("en") == "是"


def test_question_types_registry():
    assert set(qn.QUESTION_TYPES) == {"single", "multiple", "rating", "number", "text"}
    widgets = {name: t.widget for name, t in qn.QUESTION_TYPES.items()}
    assert widgets == {"single": "radio", "multiple": "checkbox", "rating": "scale", "number": "number",
                       "text": "text"}
    assert [n for n, t in qn.QUESTION_TYPES.items() if t.has_choices] == ["single", "multiple", "rating"]


@pytest.mark.parametrize(("name", "value", "cell"), [
    ("single", 2, "2"), ("rating", 9, "9"), ("multiple", (1, 3), "1;3"), ("multiple", None, ""),
    ("number", 12, "12"), ("number", 1.5, "1.5"), ("text", "a;b", "a;b"), ("text", None, ""),
])
def test_export(name, value, cell):
    assert qn.QUESTION_TYPES[name].export(value) == cell


def test_parse_raises_answer_error_with_a_label():
    q = qn.loads(DEMO)
    with pytest.raises(qn.AnswerError) as info:
        qn.QUESTION_TYPES["single"].parse(["4"], q.item("Q1"))
    assert isinstance(info.value.label, qn.Label)
    assert qn.QUESTION_TYPES["single"].parse([], q.item("Q1")) is None


@pytest.mark.parametrize(("code", "value"), [
    ("Q1", 9), ("Q2", (1, 3)), ("Q3", 45), ("Q3", 45.5), ("Q3", 1e-07), ("Q3", -0.25), ("T1", " a;b "),
])
def test_export_cells_parse_back_to_the_same_value(code, value):
    """The web app stores export cells and reads them back through parse."""
    question = qn.loads(edit(DEMO, "    min: 0\n", "    min: -1\n")).item(code)
    kind = qn.QUESTION_TYPES[question.type]
    cell = kind.export(value)
    raw = cell.split(";") if question.type == "multiple" else [cell]
    assert kind.parse(raw, question) == value
    assert "e" not in cell.lower() or question.type == "text"
