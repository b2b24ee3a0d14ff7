"""Security headers on every response (pages, JSON API, webhooks, static files).

The Content-Security-Policy allows scripts, styles and fonts from this origin only and no
inline code at all, so an injected ``<script>`` or ``onerror=`` does not run even if escaping
ever fails somewhere. Templates therefore carry no ``<script>`` bodies, ``on*=`` handlers or
``style=`` attributes: behaviour lives in static/js, looks in static/css (see
tests/e2e/test_csp.py, which fails on any violation a browser reports).

HSTS is sent only where the cookies are Secure (production, or SESSION_COOKIE_SECURE): a
development server on plain HTTP must not pin browsers to HTTPS for a year.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
])

# Powerful browser features the desk never uses; denied so an injected frame or script cannot ask.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
))

# One year; no includeSubDomains: whether sibling hosts are HTTPS-only is the deployer's decision.
HSTS = "max-age=31536000"

BASE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(app: Flask) -> dict[str, str]:
    """The headers this app adds to every response."""
    headers = dict(BASE_HEADERS)
    if app.config.get("ENV") == "production" or app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


def init_app(app: Flask) -> None:
    """Add the headers after every request, error pages included. A view that sets one of them
    itself (a stricter policy, say) keeps its own value."""
    headers = security_headers(app)

    @app.after_request
    def _add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
