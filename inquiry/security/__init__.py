"""HTTP hardening shared by every blueprint: security headers on each response, and no
credentials in third-party log lines.

``init_app(app)`` is called once from the factory; nothing here queries the database.
"""
from __future__ import annotations

from flask import Flask

from inquiry.security import headers, logs


def init_app(app: Flask) -> None:
    headers.init_app(app)
    logs.install()
