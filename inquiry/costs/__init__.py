"""Budget and cost: handle time from workspace activity, a daily cost ledger, year-to-date spend,
the year-end projection and cost per resolved inquiry."""
from flask import Blueprint

bp = Blueprint("costs", __name__, url_prefix="/costs")

from inquiry.costs import views  # noqa: E402,F401
