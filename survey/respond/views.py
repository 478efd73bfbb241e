"""Resident views: QR landing -> question pages by section -> thank-you.

Views stay thin: resolve the token, call one service, redirect or render.  The respondent's own
response is remembered in the (signed) session, so a resident can stop and continue later.
"""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for

from ..errors import AlreadyAnswered, ResponseClosed, RoundClosed
from ..i18n import current_language
from ..services import responses, tokens
from . import bp
from .forms import PageForm, StartForm, page_values


def _my_id(token) -> str | None:
    return session.get("responses", {}).get(str(token.id))


def _mine(token):
    """The response this browser is answering on ``token``, if any."""
    return responses.find(_my_id(token), token)


def _remember(token, response) -> None:
    session.permanent = True
    mine = dict(session.get("responses", {}))
    mine[str(token.id)] = response.public_id
    session["responses"] = mine


def _already(token):
    """The household link is taken: answered already, or being answered in another browser."""
    household = responses.household_response(token)
    busy = household is not None and household.is_open
    return render_template("respond/already.html", token=token, community=token.community, busy=busy), 409


def _closed(token, closed: bool = True):
    """The round accepts no answers (closed, or not started): said in both languages, nothing saved."""
    return render_template("respond/closed.html", community=token.community, closed=closed), 409


@bp.get("/r/<secret>")
def landing(secret: str):
    token = tokens.resolve(secret)
    offer = responses.landing(token, _my_id(token))
    if offer.state == "answered":
        return _already(token)
    if offer.state in ("closed", "not_started"):
        return _closed(token, offer.state == "closed")
    if offer.state == "finished":
        return redirect(url_for(".done", secret=secret))
    return render_template("respond/landing.html", token=token, offer=offer, questionnaire=offer.questionnaire,
                           form=StartForm())


@bp.post("/r/<secret>/resume")
def resume(secret: str):
    token = tokens.resolve(secret)
    StartForm().validate_on_submit()  # CSRF is checked globally before the view runs
    try:
        response = responses.resume(token)
    except AlreadyAnswered:
        return _already(token)
    _remember(token, response)
    return redirect(url_for(".page", secret=secret, index=response.page))


@bp.get("/r/<secret>/p/<int:index>")
def page(secret: str, index: int):
    token = tokens.resolve(secret)
    mine = _mine(token)
    if mine is not None and not mine.is_open:
        return redirect(url_for(".done", secret=secret))
    if mine is None and responses.household_response(token) is not None:
        return redirect(url_for(".landing", secret=secret))  # offers 'continue' or says 'answered'
    round_ = responses.round_of(token, mine)
    if not round_.accepts_answers:
        return _closed(token, round_.is_closed)
    return _render_page(token, mine, index, current_language(), {}, None)


@bp.post("/r/<secret>/p/<int:index>")
def save(secret: str, index: int):
    token, lang = tokens.resolve(secret), current_language()
    try:
        outcome = responses.save_page(token, _my_id(token), index, request.form.to_dict(flat=False),
                                      key=request.form.get("submission_key", ""), language=lang)
    except AlreadyAnswered:
        return _already(token)
    except ResponseClosed:
        return redirect(url_for(".done", secret=secret))
    except RoundClosed as err:
        return _closed(token, err.closed)
    if outcome.errors:
        return _render_page(token, outcome.response, index, lang, outcome.errors, request.form), 422
    _remember(token, outcome.response)
    if outcome.next_page is None:
        return redirect(url_for(".done", secret=secret))
    return redirect(url_for(".page", secret=secret, index=outcome.next_page))


def _render_page(token, mine, index, lang, errors, formdata):
    view = responses.page_view(mine, index, token)
    form = PageForm(formdata=None)
    form.submission_key.data = responses.new_key()
    values = page_values(view.page, view.answers, formdata.to_dict(flat=False) if formdata else None)
    return render_template("respond/page.html", token=token, view=view, form=form, values=values, errors=errors)


@bp.get("/r/<secret>/done")
def done(secret: str):
    token = tokens.resolve(secret)
    mine = _mine(token)
    if mine is None or mine.is_open:
        return redirect(url_for(".landing", secret=secret))
    return render_template("respond/done.html", response=mine, community=token.community)
