"""Blueprint for administrators and supervisors: every page but the login page needs a signed-in user."""

from flask import Blueprint, request
from flask_login import current_user

from ..extensions import login_manager

bp = Blueprint("manage", __name__)
PUBLIC_ENDPOINTS = frozenset({"manage.login"})


@bp.before_request
def require_login():
    # Checked for the whole blueprint, so a page added later cannot be left open by a missing decorator.
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.record_once
def _login_messages(_state):
    login_manager.login_message = "请先登录。 Please sign in to see this page."
    login_manager.login_message_category = "info"


from . import account, rounds, views, weights  # noqa: E402,F401
