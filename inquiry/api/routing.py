"""How an API operation is declared: route, scope, inputs and answers in one decorator.

The decorator registers the view and keeps what the OpenAPI document says about it on the view
function, so the document is built from the routes that exist and cannot drift from them.
Every operation goes through the same steps: authenticate, check the body size, refuse unknown
query parameters, parse and validate the body, then call the handler.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from inquiry.api import bp
from inquiry.api.auth import authenticate
from inquiry.api.parsing import json_body, limit_body_size, query_args
from inquiry.auth.services import SCOPES

# What each error status means in this API (descriptions for the document).
ERRORS = {
    400: "Malformed request: the body is not JSON, or the cursor was not one the API handed out",
    401: "Missing, unknown, expired or revoked token (see the WWW-Authenticate header)",
    403: "The token lacks the scope this operation needs, or the user may not do this",
    404: "No such ticket, or the ticket is outside the user's queues",
    409: "The ticket's state does not allow this (status transition, someone else has it, closed)",
    413: "The body is larger than API_MAX_BODY_BYTES",
    415: "The body is not sent as application/json",
    422: "A value was refused; `fields` names each problem",
}


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str
    scope: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    # status -> (description, response model)
    responses: Mapping[int, tuple[str, type[BaseModel]]]
    errors: tuple[int, ...]


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    responses: Mapping[int, tuple[str, type[BaseModel]]],
    scope: str | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> Callable:
    """Register ``handler`` for ``method rule``; it gets ``body=`` and ``query=`` when declared."""
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"{rule}: unknown scope {scope!r}")  # a typo here would lock everyone out
    implied = {422} | ({401, 403} if scope else set()) | ({400, 413, 415} if body else set()) | ({400} if query else set())

    def register(handler: Callable) -> Callable:
        op = Operation(summary, description or inspect.cleandoc(handler.__doc__ or ""), scope, body, query,
                       dict(responses), tuple(sorted(implied | set(errors))))

        @functools.wraps(handler)
        def view(**path_args):
            if op.scope is not None:
                authenticate(op.scope)
            limit_body_size()
            inputs = {}
            parsed_query = query_args(op.query)
            if op.query is not None:
                inputs["query"] = parsed_query
            if op.body is not None:
                inputs["body"] = json_body(op.body)
            return handler(**path_args, **inputs)

        view.operation = op
        bp.add_url_rule(rule, endpoint=handler.__name__, view_func=view, methods=[method])
        return view

    return register


@bp.after_request
def _no_store(response):
    """Answers carry people's messages: no shared cache may keep them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response
