"""A questionnaire with every built-in type (Chinese and English labels) and a few answered responses."""

from __future__ import annotations

import pytest

import questionnaires as qn

ALL_TYPES_YAML = """
code: all-types
version: "1"
title: {zh: 各种题型, en: Every type}
sections:
  - code: A
    title: {zh: 题目, en: Items}
    items:
      - code: S1
        type: single
        label: {zh: 您住了多久？, en: "How long have you lived here?"}
        choices:
          - {code: 1, zh: 不满一年, en: Under a year}
          - {code: 2, zh: 一年以上, en: A year or more}
      - code: C1
        type: rating
        label: {zh: 您对环境满意吗？, en: "Are you satisfied with the environment?"}
        choices:
          - {code: 1, zh: 满意, en: Satisfied}
          - {code: 2, zh: 不满意, en: Dissatisfied}
          - {code: 9, zh: 说不清, en: "Can't say"}
        positive: [1]
        scores: {1: 100, 2: 0}
      - code: C4
        type: multiple
        required: false
        label: {zh: 您参加过哪些活动？, en: "Which activities did you join?"}
        choices:
          - {code: 1, zh: 志愿服务, en: Volunteering}
          - {code: 2, zh: 垃圾分类, en: Waste sorting}
          - {code: 3, zh: 文明劝导, en: Civility patrol}
      - code: H1
        type: number
        required: false
        min: -5
        max: 20
        label: {zh: 家中有几位成年人？, en: "How many adults live in your home?"}
      - code: E1
        type: text
        required: false
        relevant: S1 = 2
        label: {zh: 您的意见, en: Your comment}
indicators:
  - code: satisfaction_rate
    label: {zh: 满意率, en: Satisfaction rate}
    kind: rate
    items: [C1]
"""

ANSWERS = [
    {"S1": "2", "C1": "1", "C4": "1;3", "H1": "3", "E1": "=1+2"},
    {"S1": "1", "C1": "9", "H1": "-2"},
    {"S1": "2", "C1": "2", "C4": "2", "H1": "2.5", "E1": "希望加装电梯，谢谢"},
]


@pytest.fixture
def all_types(app, city):
    """The questionnaire published as the current one, three complete responses (household links of C001/C002)."""
    from survey.services import versions
    from tests.manage.helpers import add_response

    homes = [("C001", ("1", "101")), ("C001", ("2", "201")), ("C002", ("5", "301"))]
    with app.app_context():
        version = versions.publish(qn.loads(ALL_TYPES_YAML, source="all-types.yaml"))
        app.config["BUILTIN_QUESTIONNAIRE"] = "all-types"
        for (community, home), answers in zip(homes, ANSWERS, strict=True):
            add_response(version.id, community, household=home, answers=answers)
    return version
