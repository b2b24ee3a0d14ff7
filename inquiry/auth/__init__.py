"""Accounts, roles, per-queue access, log-in and API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from inquiry.auth import views  # noqa: E402,F401
