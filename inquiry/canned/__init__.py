"""Canned replies: saved answers with placeholders, one variant per language."""
from flask import Blueprint

bp = Blueprint("canned", __name__, url_prefix="/canned")

from inquiry.canned import views  # noqa: E402,F401
