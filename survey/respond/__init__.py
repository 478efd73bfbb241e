"""Blueprint for residents: QR landing, question pages, thank-you."""

from flask import Blueprint

import questionnaires as qn

bp = Blueprint("respond", __name__)
bp.add_app_template_global(qn.is_relevant, "qn_relevant")

from . import views  # noqa: E402,F401
