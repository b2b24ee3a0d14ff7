"""Schemathesis against the API's own description (/api/v1/openapi.json), in process through the
Flask app (WSGI), with an all-scopes token of an administrator and of an agent.

For every operation it sends requests the document allows (positive) and requests it forbids
(negative: wrong types, missing or unknown fields, out-of-range values), against a database
holding tickets in several queues so that ids hit real rows, visible or not to the caller. Every
answer must be no 5xx, use a status the document lists for the operation, and have the content
type and body schema the document gives for that status.

Cost: INQUIRY_FUZZ_EXAMPLES examples per operation and caller (default here 20, not the suite's
100: each example is a request and usually a commit), derandomized so CI runs the same requests
every time; INQUIRY_FUZZ_EXAMPLES=500 explores further locally. Schemathesis' own pytest plugin
is not used (its lazy-schema tests fail on pytest 9.2: no ``Function._nodeid``); each operation is
a plain parametrized test driving ``operation.as_strategy()`` with Hypothesis.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from inquiry import create_app
from inquiry.api.openapi import build_document

EXAMPLES = int(os.environ.get("INQUIRY_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def _operations() -> list[tuple[str, str]]:
    """(path, METHOD) of every documented operation, read from a throwaway app (no database I/O)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [(path, method.upper()) for path, item in build_document(app)["paths"].items() for method in item]


@pytest.fixture
def caller(request, make):
    """(token, ticket ids): an admin, or an agent of two queues; tickets in and out of those."""
    user = make.admin() if request.param == "admin" else make.agent("general-public", "government")
    tickets = [make.ticket("general-public"), make.ticket("government"), make.ticket("education"),
               make.ticket("triage")]
    return make.token(user), [t.id for t in tickets]


@pytest.mark.parametrize("caller", ["admin", "agent"], indirect=True)
@pytest.mark.parametrize("path,method", _operations())
def test_every_answer_is_documented_and_none_is_a_server_error(app, caller, path, method):
    token, ids = caller
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    # The token is fixed, so negative cases break the request itself rather than drop the token
    # (tests/api covers missing, wrong and under-scoped tokens).
    auth = {"Authorization": f"Bearer {token}"} if path != "/openapi.json" else None
    cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, headers=auth),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, headers=auth))

    @given(case=cases, pick=st.integers(min_value=0, max_value=7))
    @SETTINGS
    def check(case, pick):
        if case.path_parameters and "ticket_id" in case.path_parameters and pick < len(ids):
            case.path_parameters["ticket_id"] = ids[pick]  # half the time a row that exists
        case.call_and_validate(checks=CHECKS)

    check()
