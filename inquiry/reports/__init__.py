"""Read-only reports for supervisors and administrators: how well the desk and its router work."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from inquiry.reports import views  # noqa: E402,F401
from inquiry.reports import dashboard_views  # noqa: E402,F401
from inquiry.reports import surge_views  # noqa: E402,F401
