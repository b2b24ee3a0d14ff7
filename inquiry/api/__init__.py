"""The JSON API under /api/v1 for integrators: bearer tokens only, no session, no CSRF.

CSRF protects cookie-authenticated forms; API calls carry an explicit bearer token instead,
which a third-party page cannot make a browser send, so the blueprint is exempt.
"""
from flask import Blueprint

from inquiry.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from inquiry.api import views  # noqa: E402,F401
