"""The administrators' pages: channel accounts, their webhook URLs and their health; users and
queues (which supervisors may also use, within the limits of ``auth.management``)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from inquiry.admin import views  # noqa: E402,F401
from inquiry.admin import queues, users  # noqa: E402,F401
