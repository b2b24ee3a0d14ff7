"""The JSON API under /api/v1 for integrators."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from inquiry.api import views  # noqa: E402,F401
