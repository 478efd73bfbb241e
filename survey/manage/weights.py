"""Administrator pages of a round's weights: diagnostics (per community and overall, margins achieved vs targets,
merged classes), recompute with other parameters, load margins, download the weights file. Thin: check the form,
call one service, render or redirect."""

from __future__ import annotations

import io

from flask import Response, abort, flash, redirect, render_template, url_for

from ..errors import MarginsRefused, RoundError, WeightsError
from ..services import margins, rounds, weights
from . import bp
from .forms import MarginsForm, WeightsForm


def _round(code: str):
    try:
        return rounds.get(code)
    except RoundError:
        abort(404)


def _parameters(form: WeightsForm) -> weights.WeightParameters:
    low, high = form.trim_low.data, form.trim_high.data
    trim = (float(low), float(high)) if low is not None and high is not None else None
    return weights.WeightParameters(form.cap.data, form.min_class.data, trim)


@bp.route("/rounds/<code>/weights", methods=["GET", "POST"])
def weights_page(code: str):
    round_ = _round(code)
    form, upload = WeightsForm(), MarginsForm()
    chosen = _parameters(form) if form.validate_on_submit() else None
    run, error = None, None
    try:
        run = weights.fresh(round_, chosen)
    except WeightsError as err:
        error = str(err)
    if run is not None and chosen is None:
        stored = weights.WeightParameters.from_dict(run.parameters)
        form.cap.data, form.min_class.data = stored.cap, stored.min_class
        form.trim_low.data, form.trim_high.data = stored.trim or (None, None)
    status = 409 if error else (400 if form.is_submitted() and form.errors else 200)
    return render_template("manage/weights.html", round=round_, run=run, error=error, form=form, upload=upload,
                           margins=margins.stored(round_)), status


@bp.route("/rounds/<code>/margins", methods=["POST"])
def margins_upload(code: str):
    round_ = _round(code)
    upload = MarginsForm()
    if upload.validate_on_submit():
        data = upload.file.data
        try:
            report = margins.load(round_, data.read(), source=data.filename or "margins file")
        except MarginsRefused as err:
            return render_template("manage/weights.html", round=round_, run=weights.latest(round_), error=None,
                                   refused=err.problems, form=WeightsForm(), upload=upload,
                                   margins=margins.stored(round_)), 422
        flash(f"已保存 {report.rows} 条总体边际。 {report.rows} margins stored.", "info")
    else:
        flash("请选择文件。 Choose a file.", "error")
    return redirect(url_for(".weights_page", code=code))


@bp.route("/rounds/<code>/weights.csv")
def weights_download(code: str):
    round_ = _round(code)
    out = io.StringIO()
    try:
        weights.write_weights(round_, out)
    except WeightsError as err:
        flash(f"无法计算权重 The weights cannot be computed: {err}", "error")
        return redirect(url_for(".weights_page", code=code))
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="weights-{round_.code}.csv"',
        "Cache-Control": "no-store"})
