"""Entry point for WSGI servers: ``gunicorn wsgi:app``."""
from inquiry import create_app

app = create_app()
