"""Forms of the resident pages.

A question page is a :class:`PageForm` (CSRF and the one-time submission key) plus inputs rendered
straight from the questionnaire definition by the ``question`` macro of ``_forms.html``: one input per
item, named by the item code, each choice submitting its answer code.  The answers themselves are
checked by :func:`questionnaires.parse_page`, the one place that knows answer codes, skip logic and
constraints, so a page rendered here and a page posted by a script are judged alike.  (Rendering the
inputs through WTForms fields built per request cost about half of a page's CPU time in the load
benchmark, for markup that the macro writes directly.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_wtf import FlaskForm
from wtforms import HiddenField

import questionnaires as qn


class StartForm(FlaskForm):
    """The landing page's 'continue' button (CSRF only)."""


class PageForm(FlaskForm):
    """A question page: CSRF token and the submission key that makes a re-sent POST harmless."""

    submission_key = HiddenField()


def page_values(page: qn.Page, answers: Mapping[str, object],
                formdata: Mapping[str, Sequence[str]] | None = None) -> dict[str, list[str]]:
    """What each input of ``page`` shows: the values just posted (a refused page comes back as it
    was filled in), else the stored answers (going back, resuming)."""
    codes = [item.code for item in page.items]
    if formdata is not None:
        return {code: list(formdata.get(code, ())) for code in codes}
    return {item.code: item.kind.form_values(answers[item.code]) for item in page.items if item.code in answers}
