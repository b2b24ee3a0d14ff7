"""Search across tickets and their messages in every language: GET /search for staff.

Importing the package registers the mapper events that keep the search table in step
(``index``), so an app that has the blueprint also indexes what it writes.
"""
from flask import Blueprint

bp = Blueprint("search", __name__)

from inquiry.search import index, views  # noqa: E402,F401
