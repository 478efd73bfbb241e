"""Account and security pages: change one's password, sign out everywhere, the users list, the audit log."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import SurveyError
from ..services import audit, sessions, users
from . import bp
from .forms import PasswordForm, SignOutEverywhereForm


def admin_only(view):
    """Pages about other users: administrators only (a supervisor gets the 403 page)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/account", methods=["GET", "POST"])
def account():
    form, error = PasswordForm(), None
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            users.change_password(user, form.current.data, form.new.data)
        except SurveyError as err:
            error = str(err)
        else:
            sessions.begin(user)  # this session goes on; every other one has ended
            flash("密码已更改，其他设备上的登录已退出。 Password changed; you were signed out everywhere else.",
                  "info")
            return redirect(url_for(".account"))
    status = 400 if form.is_submitted() and (error or form.errors) else 200
    return render_template("manage/account.html", form=form, error=error,
                           everywhere=SignOutEverywhereForm(formdata=None)), status


@bp.route("/users")
@admin_only
def user_list():
    return render_template("manage/users.html", users=users.all_users(),
                           everywhere=SignOutEverywhereForm(formdata=None))


@bp.route("/users/<username>/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere(username: str):
    if username != current_user.username and not current_user.is_admin:
        abort(403)
    user = users.find(username) if users.USERNAME.match(username) else None
    if user is None:
        abort(404)
    if SignOutEverywhereForm().validate_on_submit():
        users.sign_out_everywhere(user, by=current_user._get_current_object())
        if user.id == current_user.id:
            return redirect(url_for(".login"))
        flash(f"{username} 已在所有设备上退出。 {username} was signed out everywhere.", "info")
    return redirect(url_for(".user_list"))


@bp.route("/audit")
@admin_only
def audit_log():
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2**31:  # an id column holds no other number (PostgreSQL refuses)
        before = None
    events = audit.recent(200, before)
    return render_template("manage/audit.html", events=events, details=audit.details,
                           older=events[-1].id if len(events) == 200 else None)
