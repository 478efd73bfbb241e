"""Questionnaire definitions and their model: framework-free (no Flask, no SQLAlchemy).

A questionnaire is written in YAML (see ``docs/questionnaire-format.md``), read with :func:`load`,
:func:`loads` or :func:`from_dict` into frozen dataclasses, and refused with every problem listed when it is
bad. The runtime helpers (:func:`parse_page`, :func:`next_page`, :func:`status` …) drive an interview.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ._errors import AnswerError, Problem, QuestionnaireError
from ._expr import Expression, ExpressionError
from ._loader import from_dict, load, loads
from ._model import Choice, FrozenMap, Indicator, Label, Page, Question, Questionnaire, Rule, Section, Status
from ._runtime import (
    PageResult,
    first_incomplete,
    first_page,
    is_relevant,
    next_page,
    parse_page,
    prune,
    screened_out,
    status,
)
from ._types import QUESTION_TYPES, QuestionType, register

BUILTIN_DIR = Path(__file__).resolve().parent / "library"

__all__ = [
    "BUILTIN_DIR", "QUESTION_TYPES", "AnswerError", "Choice", "Expression", "ExpressionError", "FrozenMap",
    "Indicator", "Label", "Page", "PageResult", "Problem", "Question", "QuestionType", "Questionnaire",
    "QuestionnaireError", "Rule", "Section", "Status", "builtin", "check_file", "first_incomplete", "first_page",
    "from_dict", "is_relevant", "load",
    "loads", "next_page", "parse_page", "prune", "register", "screened_out", "status",
]


def builtin(name: str = "civility-household") -> Questionnaire:
    """A questionnaire shipped in ``BUILTIN_DIR`` (``questionnaires/library/<name>.yaml``), read once."""
    return _builtin(name)


@lru_cache(maxsize=8)
def _builtin(name: str) -> Questionnaire:
    path = BUILTIN_DIR / f"{name}.yaml"
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
        raise LookupError(f"no built-in questionnaire {name!r} (shipped: {shipped})")
    return load(path)


def check_file(path: str | Path) -> str:
    """Check a questionnaire file and summarise it; raise :class:`QuestionnaireError` listing every problem.

    Used by ``flask check-questionnaire FILE``, which prints the summary or ``str(error)``.
    """
    q = load(path)
    types: dict[str, int] = {}
    for question in q.items:
        types[question.type] = types.get(question.type, 0) + 1
    kinds = ", ".join(f"{count} {name}" for name, count in types.items())
    lines = [
        f"{path}: OK",
        f"{q.code} version {q.version}: {q.title.zh} / {q.title.en}",
        f"{len(q.items)} items ({kinds}) in {len(q.sections)} sections, {len(q.pages())} pages",
        f"{len(q.screening)} screening rules: " + "; ".join(r.expression.source for r in q.screening),
        f"{len(q.indicators)} indicators: " + ", ".join(f"{i.code} ({i.kind}, {len(i.items)} items)"
                                                         for i in q.indicators),
        f"digest {q.digest()}",
    ]
    return "\n".join(lines)
