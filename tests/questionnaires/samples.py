"""Small questionnaires written for the tests. Line numbers in DEMO matter: the validation tests name them."""

from __future__ import annotations

import textwrap

# A valid questionnaire with every question type, a scale, skip logic, a constraint, screening and indicators.
DEMO = textwrap.dedent("""\
    code: demo
    version: "1"
    title: {zh: 演示问卷, en: Demo survey}
    scales:
      YN:
        choices:
          - {code: 1, zh: 是, en: "Yes"}
          - {code: 2, zh: 否, en: "No"}
          - {code: 9, zh: 说不清, en: "Can't say"}
        positive: [1]
        scores: {1: 100, 2: 0}
    sections:
      - code: P
        title: {zh: 第一部分, en: Part one}
        items:
          - code: Q1
            type: single
            label: {zh: 您是否住在本社区？, en: "Do you live here?"}
            scale: YN
          - code: Q2
            type: multiple
            label: {zh: 您使用哪些设施？, en: "Which facilities do you use?"}
            relevant: Q1 = 1
            max: 2
            choices:
              - {code: 1, zh: 公园, en: Park}
              - {code: 2, zh: 图书馆, en: Library}
              - {code: 3, zh: 体育馆, en: Gym}
            positive: [1, 2]
          - code: Q3
            type: number
            label: {zh: 您的年龄？, en: "Your age?"}
            min: 0
            max: 120
            constraint: . >= 18 or Q1 = 2
            constraint_message: {zh: 本题需年满18岁, en: You must be 18 or over}
      - code: T
        title: {zh: 第二部分, en: Part two}
        items:
          - code: T1
            type: text
            label: {zh: 意见, en: Comments}
            required: false
            max_length: 10
          - code: T2
            type: rating
            label: {zh: 体育馆满意吗？, en: "Happy with the gym?"}
            relevant: selected(Q2, 3)
            scale: YN
            positive: [1, 2]
      - code: X
        title: {zh: 第三部分, en: Part three}
        items:
          - code: X1
            type: single
            label: {zh: 不住本社区的原因？, en: "Why not living here?"}
            relevant: Q1 = 2
            choices:
              - {code: 1, zh: 工作, en: Work}
              - {code: 2, zh: 其他, en: Other}
    screening:
      - when: Q1 = 9
    indicators:
      - code: use_rate
        label: {zh: 使用率, en: Use rate}
        kind: rate
        items: [Q1, {item: Q2, weight: 2}]
      - code: gym_score
        label: {zh: 体育馆得分, en: Gym score}
        kind: score
        items: [T2]
""")


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the one occurrence of ``old`` replaced (fails loudly if it is not there exactly once)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)
