"""Forms of the resident pages, built from the questionnaire definition.

The WTForms fields render the page and carry CSRF; the answers themselves are checked by
:func:`questionnaires.parse_page`, the one place that knows answer codes, skip logic and
constraints, so a page rendered here and a page posted by a script are judged alike.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.fields.choices import SelectChoice

import questionnaires as qn


class StartForm(FlaskForm):
    """The landing page's 'continue' button (CSRF only)."""


def _choices(question: qn.Question, lang: str) -> list[SelectChoice]:
    return [SelectChoice(str(choice.code), choice.label.get(lang)) for choice in question.choices]


def _field(question: qn.Question, lang: str):
    label = question.label.get(lang)
    if question.type in ("single", "rating"):
        return RadioField(label, choices=_choices(question, lang), validate_choice=False)
    if question.type == "multiple":
        return SelectMultipleField(
            label, choices=_choices(question, lang), validate_choice=False,
            widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
        )
    if question.type == "number":
        return StringField(label, render_kw={"inputmode": "decimal", "autocomplete": "off"})
    attrs = {"maxlength": question.max_length} if question.max_length else {}
    return TextAreaField(label, render_kw={"rows": 3, **attrs})


def build_page_form(page: qn.Page, lang: str, answers: dict, formdata=None) -> FlaskForm:
    """A form class for ``page`` with one field per item, named by the item code.

    Stored ``answers`` prefill the fields when the page is shown again (going back, resuming).
    """

    class PageForm(FlaskForm):
        submission_key = HiddenField()

    for question in page.items:
        setattr(PageForm, question.code, _field(question, lang))
    data = {code: _as_form_value(answers[code]) for code in answers if code in {q.code for q in page.items}}
    return PageForm(formdata=formdata, data=data)


def _as_form_value(value):
    if isinstance(value, tuple):
        return [str(v) for v in value]
    return str(value)
