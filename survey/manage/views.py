"""Administrator views: sign-in, progress, community pages, QR sheets and posters, frame upload, export."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, flash, g, redirect, render_template, request, send_file, stream_with_context, url_for
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


def _download(body, mimetype: str, name: str) -> Response:
    """An attachment that no cache keeps (answers are personal data)."""
    response = body if isinstance(body, Response) else Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_access() -> tuple[str | None, str]:
    """Downloads need an administrator; the round and label language come from the query string."""
    if not getattr(current_user, "is_admin", False):
        abort(403)
    language = request.args.get("lang", "zh")
    if language not in ("zh", "en"):
        abort(400)
    return request.args.get("round") or None, language


@bp.route("/export")
def export_page():
    _export_access()
    return render_template("manage/export.html", formats=export.FORMATS)


@bp.route("/export/responses.csv")
def export_responses():
    """The Excel-friendly CSV (UTF-8 with BOM), streamed (kept at this address for existing links)."""
    return export_format("excel-csv")


@bp.route("/export/responses/<fmt>")
def export_format(fmt: str):
    round_code, language = _export_access()
    if fmt not in export.FORMATS:
        abort(404)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
    kind = export.FORMATS[fmt]
    name = f"responses-{stamp}.{kind.extension}"
    audit.record(Action.EXPORT_RESPONSES, detail={"file": name, "format": fmt, "round": round_code}, commit=True)
    try:
        if fmt in ("csv", "excel-csv"):
            export.open_table(round_code=round_code)  # an unknown round is refused before streaming starts
            body = stream_with_context(export.stream_csv(bom=fmt == "excel-csv", round_code=round_code))
            return _download(body, kind.mimetype, name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            export.write_file(path, fmt, round_code=round_code, language=language)
            handle = path.open("rb")  # stays readable after the folder is removed (POSIX)
        return _download(send_file(handle, mimetype=kind.mimetype), kind.mimetype, name)
    except NotFound:
        abort(404)
    except export.ExportError as err:
        abort(409, description=str(err))


@bp.route("/export/codebook.xlsx")
def export_codebook():
    round_code, _language = _export_access()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "codebook.xlsx"
        export.write_codebook(_table(round_code), path)
        handle = path.open("rb")
    mimetype = export.FORMATS["xlsx"].mimetype
    return _download(send_file(handle, mimetype=mimetype), mimetype, "codebook.xlsx")


@bp.route("/export/datapackage.json")
def export_datapackage():
    round_code, _language = _export_access()
    body = json.dumps(export.datapackage(_table(round_code)), ensure_ascii=False, indent=2)
    return _download(body, "application/json", "datapackage.json")


def _table(round_code: str | None):
    try:
        return export.open_table(round_code=round_code)
    except NotFound:
        abort(404)
