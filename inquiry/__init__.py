"""Inquiry: the public-inquiry and customer-care desk."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from inquiry import config as settings
from inquiry import security

__version__ = "0.1.0"

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


class ConfigError(RuntimeError):
    """The app cannot start with the configuration it was given."""


def default_instance_path() -> str:
    """instance/ beside the package (editable install), or INQUIRY_INSTANCE_PATH."""
    return os.environ.get("INQUIRY_INSTANCE_PATH") or Flask(__name__).instance_path


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints. No queries, no I/O beyond config files."""
    app = Flask(__name__, instance_path=os.environ.get("INQUIRY_INSTANCE_PATH") or None, instance_relative_config=True)
    _configure(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)
    security.init_app(app)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "inquiry.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: one writer at a time; wait for the lock rather than failing at once.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"timeout": 30}}
    if app.config["ENV"] == "production":
        if not app.config.get("SECRET_KEY"):
            raise ConfigError(
                "INQUIRY_SECRET_KEY is not set. Production refuses to start without a secret key: "
                "set INQUIRY_SECRET_KEY or SECRET_KEY in instance/config.py "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            )
    elif not app.config.get("SECRET_KEY"):
        raise ConfigError("no SECRET_KEY: run `inquiry demo` once, or set INQUIRY_SECRET_KEY")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] == "production"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from inquiry.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from inquiry.dbsetup import enable_sqlite_pragmas

        with app.app_context():
            enable_sqlite_pragmas(db.engine)
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        from inquiry.dbsetup import tune_postgres_sessions

        with app.app_context():
            tune_postgres_sessions(db.engine)

    from inquiry import models  # noqa: F401  (every model registered before the first query)


def _register_blueprints(app: Flask) -> None:
    from inquiry.admin import bp as admin_bp
    from inquiry.api import bp as api_bp
    from inquiry.auth import bp as auth_bp
    from inquiry.canned import bp as canned_bp
    from inquiry.costs import bp as costs_bp
    from inquiry.ingest.webhooks import bp as hooks_bp
    from inquiry.notifications import bp as notifications_bp
    from inquiry.pages import bp as pages_bp
    from inquiry.planning.views import bp as planning_bp
    from inquiry.public import bp as public_bp
    from inquiry.reports import bp as reports_bp
    from inquiry.search import bp as search_bp
    from inquiry.tickets import bp as tickets_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(tickets_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(hooks_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(canned_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(costs_bp)
    app.register_blueprint(planning_bp)

