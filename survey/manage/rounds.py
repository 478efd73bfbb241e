"""Administrator pages of survey rounds: list and create (with the draw), one round's communities with the counts
of each outcome and the AAPOR rates, release reserves, open and close.  Thin: check the form, call one service,
redirect or render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..errors import RoundError
from ..services import response_rates, rounds, samples
from ..services._draw import DrawSpec, read_sizes
from ..services.outcomes import OUTCOMES, PRIORITY
from . import bp
from .forms import ReleaseForm, RoundActionForm, RoundForm


def _round(code: str):
    try:
        return rounds.get(code)
    except RoundError:
        abort(404)


@bp.route("/rounds", methods=["GET", "POST"])
def rounds_page():
    form = RoundForm()
    error = None
    if form.validate_on_submit():
        try:
            created = rounds.create(form.code.data.strip(), _spec(form), seed=form.seed.data, name=form.name.data or "",
                                    questionnaire=form.questionnaire.data or None, field_start=form.field_start.data,
                                    field_end=form.field_end.data)
        except RoundError as err:
            error = str(err)
        else:
            flash(f"轮次 {created.code} 已创建并抽样。 Round {created.code} created and drawn.", "info")
            return redirect(url_for(".round_page", code=created.code))
    refused = error is not None or (form.is_submitted() and bool(form.errors))
    return render_template("manage/rounds.html", form=form, error=error, summaries=samples.summaries(),
                           outcomes=OUTCOMES, priority=PRIORITY), 400 if refused else 200


def _spec(form: RoundForm) -> DrawSpec:
    upload = form.sizes.data
    sizes = read_sizes(upload.read(), source=upload.filename or "sizes file") if upload and upload.filename else None
    return DrawSpec(form.design.data, per_community=form.per_community.data, proportional=form.proportional.data,
                    sizes=sizes, buildings=form.buildings.data, per_building=form.per_building.data,
                    pps=form.pps.data, reserve=form.reserve.data or 0)


@bp.route("/rounds/<code>")
def round_page(code: str):
    round_ = _round(code)
    return render_template("manage/round.html", round=round_, summary=samples.summary(round_),
                           communities=samples.communities(round_), outcomes=OUTCOMES, priority=PRIORITY,
                           rates=response_rates.compute(round_), action=RoundActionForm(), release_form=ReleaseForm())


@bp.route("/rounds/<code>/<any(open, close):action>", methods=["POST"])
def round_action(code: str, action: str):
    _round(code)
    if RoundActionForm().validate_on_submit():
        try:
            (rounds.open_round if action == "open" else rounds.close_round)(code)
        except RoundError as err:
            flash(f"未能完成 Not done: {err}", "error")
        else:
            flash({"open": f"轮次 {code} 已开始调查并设为当前轮次。 Round {code} is in the field and current.",
                   "close": f"轮次 {code} 已结束，不再接受回答。 Round {code} is closed."}[action], "info")
    return redirect(url_for(".round_page", code=code))


@bp.route("/rounds/<code>/release", methods=["POST"])
def round_release(code: str):
    _round(code)
    form = ReleaseForm()
    if form.validate_on_submit():
        try:
            released = rounds.release(code, form.community.data)
        except RoundError as err:
            flash(f"未能放出备用样本 Not released: {err}", "error")
        else:
            flash(f"社区 {form.community.data} 新放出 {released} 户备用样本。 {released} reserve households of "
                  f"{form.community.data} released.", "info")
    return redirect(url_for(".round_page", code=code))
