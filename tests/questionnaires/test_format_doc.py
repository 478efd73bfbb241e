"""The reference page docs/questionnaire-format.md stays true: its example loads and its expressions parse."""

from __future__ import annotations

import re
from pathlib import Path

import questionnaires as qn

DOC = Path(__file__).resolve().parents[2] / "docs" / "questionnaire-format.md"


def blocks(kind: str) -> list[str]:
    """The fenced code blocks whose opening fence names ``kind`` ("" for none)."""
    found, current, fence = [], [], None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```") and fence is None:
            fence, current = line[3:].strip(), []
        elif line.startswith("```"):
            if fence == kind:
                found.append("\n".join(current) + "\n")
            fence = None
        else:
            current.append(line)
    return found


def test_example_loads():
    [example] = blocks("yaml")
    q = qn.loads(example, source=str(DOC))
    assert [page.section.code for page in q.pages()] == ["S", "S", "C"]
    assert q.item("C2").positive == {1, 2, 3} and q.item("C1").positive == {1, 2}
    assert q.indicators[1].items == (("C1", 1.0), ("C2", 2.0))


def test_expression_examples_parse():
    [examples] = [block for block in blocks("") if "selected(" in block]
    texts = [text for line in examples.splitlines() for text in re.split(r"\s{3,}", line.strip()) if text]
    assert len(texts) == 13
    for text in texts:
        qn.Expression.parse(text)
