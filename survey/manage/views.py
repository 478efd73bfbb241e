"""Administrator views: sign-in, progress, community pages, QR sheets and posters, frame upload, export."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import FrameError, NotFound
from ..extensions import csrf
from ..models import Action
from ..services import audit, communities, export, frame, sessions, users
from . import bp
from .auth import login_throttle, safe_next
from .forms import FrameUploadForm, LoginForm, LogoutForm

FRAME_MAX_BYTES = 32 * 1024 * 1024  # about 300 000 households; the app-wide limit is for answer pages
BAD_LOGIN = "用户名或密码错误。 Wrong username or password."


@bp.context_processor
def inject_logout_form():
    # formdata=None: rendering the sign-out button never reads the request body, so an error page for an
    # oversized POST (413) renders instead of reading the body again and failing with a bare 500.
    return {"logout_form": LogoutForm(formdata=None)}


def _community(code: str):
    try:
        return communities.get(code)
    except NotFound:
        abort(404)


@bp.route("/login", methods=["GET", "POST"])
@login_throttle
def login():
    if current_user.is_authenticated:
        return redirect(url_for(".dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        user = users.authenticate(form.username.data, form.password.data)
        if user:
            login_user(user)
            sessions.begin(user)
            audit.record(Action.SIGN_IN, user=user, commit=True)
            return redirect(safe_next(form.next.data) or url_for(".dashboard"))
        g.login_failed = True  # counted by the throttle
        audit.record(Action.SIGN_IN_FAILED, actor=form.username.data, commit=True)
        error = BAD_LOGIN
    return render_template("manage/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        user = current_user._get_current_object()
        sessions.end_everywhere(user)  # a copy of this cookie must not stay signed in
        audit.record(Action.SIGN_OUT, user=user, commit=True)
        logout_user()
        sessions.forget()
        flash("已退出登录。 You have signed out.", "info")
    return redirect(url_for(".login"))


@bp.route("/")
def dashboard():
    districts, total = communities.overview()
    return render_template("manage/dashboard.html", districts=districts, total=total)


@bp.route("/communities/<code>")
def community(code: str):
    place = _community(code)
    return render_template("manage/community.html", community=place, counts=communities.counts(place),
                           households=communities.households(place), open_link=communities.open_link(place))


@bp.route("/communities/<code>/qr-sheet")
def qr_sheet(code: str):
    place = _community(code)
    audit.record(Action.EXPORT_QR, detail={"community": code, "as": "printed sheet"}, commit=True)
    return render_template("manage/qr_sheet.html", community=place, cards=communities.qr_cards(place))


@bp.route("/communities/<code>/poster.<any(png, svg):fmt>")
def poster(code: str, fmt: str):
    _community(code)
    mimetype = {"png": "image/png", "svg": "image/svg+xml"}[fmt]
    return Response(communities.poster(code, fmt), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="poster-{code}.{fmt}"'})


@bp.route("/frame", methods=["GET", "POST"])
@csrf.exempt  # the app-wide check would read the body under the small app-wide size limit; the form checks
def frame_upload():
    request.max_content_length = FRAME_MAX_BYTES
    form = FrameUploadForm()
    report = problems = None
    if form.validate_on_submit():
        try:
            report = frame.import_frame(form.file.data.read(), source=form.file.data.filename or "upload.csv")
        except FrameError as err:
            problems = err.problems
            audit.record(Action.FRAME_REFUSED, detail={"file": form.file.data.filename,
                                                       "problems": len(problems)}, commit=True)
    refused = bool(problems) or (form.is_submitted() and bool(form.errors))
    return render_template("manage/frame.html", form=form, report=report, problems=problems,
                           columns=frame.COLUMNS), 400 if refused else 200


@bp.route("/export/responses.csv")
def export_responses():
    name = f"responses-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    audit.record(Action.EXPORT_RESPONSES, detail={"file": name}, commit=True)
    return Response(stream_with_context(export.stream_responses()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
