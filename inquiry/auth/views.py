from flask_login import login_required, logout_user  # noqa: F401

from inquiry.auth import bp
from inquiry.auth.models import User
from inquiry.extensions import db, login_manager


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id))


@bp.route("/login", methods=["GET", "POST"])
def login():
    return "login"
