"""Accounts, roles, per-queue access, log-in (with an optional second factor) and API tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from inquiry.auth import account, views  # noqa: E402,F401
