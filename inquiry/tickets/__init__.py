"""Queues, tickets and messages: the desk's core records and every action on them."""
from flask import Blueprint

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

from inquiry.tickets import views, actions  # noqa: E402,F401
