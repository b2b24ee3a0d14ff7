"""In-app notifications: what the desk tells a person (an SLA breach, an escalation)."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from inquiry.notifications import views  # noqa: E402,F401
