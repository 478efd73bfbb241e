"""Domain exceptions raised by services; blueprints' handlers turn them into pages or messages."""


class SurveyError(Exception):
    """Base of every domain error; ``str(err)`` is a message fit to show the user."""


class NotFound(SurveyError):
    """Something asked for by a public identifier does not exist (or must not be admitted to exist)."""


class FileRefused(SurveyError):
    """A file was refused as a whole, nothing stored; ``problems`` lists (row, reason), row 0 = the whole file."""

    what = "the file"

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = [f"row {row}: {reason}" if row else reason for row, reason in problems]
        super().__init__(f"{self.what} was refused, nothing was loaded:\n" + "\n".join(lines))


class FrameError(FileRefused):
    """A sampling-frame file was refused as a whole."""

    what = "the frame file"


class AlreadyAnswered(SurveyError):
    """A single-use household link whose questionnaire has been submitted (or is being answered)."""


class ResponseClosed(SurveyError):
    """A page was posted for a response that is already complete or ineligible."""


class AlreadyExists(SurveyError):
    """Something to be created under a unique name (an administrator's username) exists already."""


class InvalidForm(SurveyError):
    """A posted form carries a field no page of this site renders (a forged or damaged submission)."""


class RoundError(SurveyError):
    """A round command or draw was refused (unknown round, bad sizes file, a status it cannot move to …)."""


class RoundClosed(SurveyError):
    """An answer was posted for a round that does not accept answers: ``closed`` (True), or not opened yet."""

    def __init__(self, message: str, *, closed: bool = True):
        super().__init__(message)
        self.closed = closed


class ImportRefused(FileRefused):
    """A responses file was refused as a whole."""

    what = "the responses file"


class MarginsRefused(FileRefused):
    """A population-margins file was refused as a whole."""

    what = "the margins file"


class WeightsError(SurveyError):
    """A round's weights cannot be computed (no respondents, raking that cannot converge …); the message says
    why and what to change."""
