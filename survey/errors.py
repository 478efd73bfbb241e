"""Domain exceptions raised by services; blueprints' handlers turn them into pages or messages."""


class SurveyError(Exception):
    """Base of every domain error; ``str(err)`` is a message fit to show the user."""


class NotFound(SurveyError):
    """Something asked for by a public identifier does not exist (or must not be admitted to exist)."""


class FrameError(SurveyError):
    """A sampling-frame file was refused as a whole; ``problems`` lists (row, reason)."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        lines = [f"row {row}: {reason}" if row else reason for row, reason in problems]
        super().__init__("the frame file was refused, nothing was loaded:\n" + "\n".join(lines))


class AlreadyAnswered(SurveyError):
    """A single-use household link whose questionnaire has been submitted (or is being answered)."""


class ResponseClosed(SurveyError):
    """A page was posted for a response that is already complete or ineligible."""


class AlreadyExists(SurveyError):
    """Something to be created under a unique name (an administrator's username) exists already."""


class InvalidForm(SurveyError):
    """A posted form carries a field no page of this site renders (a forged or damaged submission)."""
