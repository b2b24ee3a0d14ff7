"""Pages that belong to no feature: the front door and the health check."""
from flask import Blueprint

bp = Blueprint("pages", __name__)

from inquiry.pages import views  # noqa: E402,F401
from inquiry.pages import errors  # noqa: E402,F401
from inquiry.pages import guards  # noqa: E402,F401
