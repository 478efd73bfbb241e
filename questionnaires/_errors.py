"""Exceptions of the questionnaires package: one for bad files, one for bad answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._model import Label


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file.

    Attributes
    ----------
    source : str
        The file name (or ``"<dict>"``, ``"<string>"``) the definition came from.
    line : int or None
        1-based line in the file; None when the definition did not come from YAML.
    item : str or None
        The item code the problem belongs to, when it belongs to one.
    message : str
        What is wrong, in plain words.
    """

    source: str
    line: int | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        what = self.message if self.item is None else f"item {self.item}: {self.message}"
        return f"{where}: {what}"


class QuestionnaireError(Exception):
    """A questionnaire definition was refused; ``problems`` lists every reason, not only the first."""

    def __init__(self, problems) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswerError(ValueError):
    """A raw answer could not be accepted; ``label`` is the bilingual message to show the respondent."""

    def __init__(self, label: Label) -> None:
        self.label = label
        super().__init__(label.en)
