"""The administrators' pages: channel accounts, their webhook URLs and their health."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from inquiry.admin import views  # noqa: E402,F401
