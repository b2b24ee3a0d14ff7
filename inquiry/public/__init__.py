"""The public web form and the status page for people who write in."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from inquiry.public import views  # noqa: E402,F401
