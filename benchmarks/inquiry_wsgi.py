"""Inquiry as gunicorn serves it in the benchmark: ``create_app()`` configured from INQUIRY_* env vars.

``gunicorn --chdir benchmarks inquiry_wsgi:app`` (INQUIRY_DATABASE_URL, INQUIRY_SECRET_KEY set).
"""
from inquiry import create_app

app = create_app()
