"""The search form: read from the query string (GET), so no CSRF token; the service checks it."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SearchField

from inquiry.search.services import MAX_QUERY_CHARS


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField("Search tickets and messages", render_kw={"maxlength": MAX_QUERY_CHARS, "autocomplete": "off"})
