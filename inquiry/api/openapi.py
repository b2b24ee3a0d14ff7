"""GET /openapi.json: the OpenAPI 3.1 description of this API, generated from the routes.

Paths and methods come from the app's URL map, inputs and answers from the pydantic models each
operation declares (``api.routing.operation``), limits from the running configuration. Nothing
is written twice, so the document cannot promise a route or a field the API does not have.
"""
from __future__ import annotations

import re

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

import inquiry
from inquiry.api import bp
from inquiry.api import responses as out
from inquiry.api.routing import ERRORS, Operation, operation
from inquiry.api.schemas import MESSAGE_FIELDS, TicketListQuery

SECURITY_SCHEME = "bearerAuth"
REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_PARAM_TYPES = {"int": "integer", "float": "number"}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path relative to the blueprint: <int:id> becomes {id}."""
    return _PARAM.sub(r"{\2}", rule.removeprefix(bp.url_prefix))


def api_routes(app) -> list[tuple[str, str, object]]:
    """(OpenAPI path, method, werkzeug rule) for every route of the API blueprint, HEAD/OPTIONS aside."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != bp.name:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((openapi_path(rule.rule), method.lower(), rule))
    return found


def _schemas(ops: list[Operation]) -> tuple[dict, dict]:
    """JSON Schemas of every body and answer, as component refs and the components themselves."""
    wanted: list[tuple[type[BaseModel], str]] = [(out.Error, "serialization")]
    for op in ops:
        if op.body is not None:
            wanted.append((op.body, "validation"))
        wanted += [(model, "serialization") for _, model in op.responses.values()]
    refs, top = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    return refs, top.get("$defs", {})


def _apply_limits(components: dict, config) -> None:
    """Limits that depend on the configuration, as the running app enforces them."""
    for model, field in MESSAGE_FIELDS:
        schema = components.get(model.__name__, {}).get("properties", {}).get(field)
        if schema is not None:
            schema.update(minLength=1, maxLength=config["MESSAGE_MAX_CHARS"])


def _without_null(schema: dict) -> dict:
    schema = {k: v for k, v in schema.items() if k not in {"title", "default"}}
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if options:
        schema.update(options[0])
    return schema


def _query_parameters(model: type[BaseModel], config) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    params = []
    for name, prop in schema["properties"].items():
        prop = _without_null(prop)
        description = prop.pop("description", "")
        if model is TicketListQuery and name == "limit":
            prop.update(minimum=1, maximum=config["PAGE_SIZE_MAX"], default=config["PAGE_SIZE"])
        params.append({"name": name, "in": "query", "required": name in schema.get("required", []),
                       "description": description, "schema": prop})
    return params


def _path_parameters(rule: str) -> list[dict]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": _PARAM_TYPES.get(kind, "string")}}
        for kind, name in _PARAM.findall(rule)
    ]


def _json(ref: dict) -> dict:
    return {"application/json": {"schema": ref}}


def _operation(op: Operation, rule, refs: dict, config) -> dict:
    doc = {
        "operationId": rule.endpoint.split(".", 1)[1],
        "summary": op.summary,
        "description": op.description,
        "security": [{SECURITY_SCHEME: [op.scope]}] if op.scope else [],
        "parameters": _path_parameters(rule.rule) + (_query_parameters(op.query, config) if op.query else []),
        "responses": {
            str(status): {"description": text, "content": _json(refs[(model, "serialization")])}
            for status, (text, model) in op.responses.items()
        },
    }
    error = _json(refs[(out.Error, "serialization")])
    for status in op.errors:
        doc["responses"][str(status)] = {"description": ERRORS[status], "content": error}
    if op.body is not None:
        doc["requestBody"] = {"required": True, "content": _json(refs[(op.body, "validation")])}
    return doc


def build_document(app) -> dict:
    """The whole OpenAPI 3.1 document for ``app``'s API routes."""
    declared = []
    for path, method, rule in api_routes(app):
        op = getattr(app.view_functions[rule.endpoint], "operation", None)
        if op is not None:  # an undeclared route is left out; tests/api/test_openapi.py catches it
            declared.append((path, method, rule, op))
    refs, components = _schemas([op for *_, op in declared])
    _apply_limits(components, app.config)
    paths: dict[str, dict] = {}
    for path, method, rule, op in declared:
        paths.setdefault(path, {})[method] = _operation(op, rule, refs, app.config)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Inquiry API",
            "version": inquiry.__version__,
            "description": (
                "Hand in inquiries from the public and work tickets. Authenticate every call except this "
                "document with `Authorization: Bearer <token>`; a token carries scopes (inquiries:write, "
                "tickets:read, tickets:write). Errors answer `{\"error\": {\"code\", \"message\", \"fields\"}}`. "
                f"Request bodies are JSON, at most {app.config['API_MAX_BODY_BYTES']} bytes."
            ),
        },
        "servers": [{"url": bp.url_prefix}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "description": "An Inquiry API token (inq_…)"}
            },
        },
    }


@operation("/openapi.json", "GET", summary="This document",
           responses={200: ("The OpenAPI 3.1 document of this API", out.OpenApiDocument)})
def openapi_document():
    """The OpenAPI 3.1 description of the API; needs no token."""
    return build_document(current_app)
