"""Reading API input: body size and media type, JSON, query strings, and pydantic validation.

Whatever is wrong with the input, the client gets a 4xx that says what: 413 for a body over
API_MAX_BODY_BYTES (checked before anything is parsed), 415 for a body that is not JSON, 400 for
JSON that does not parse, 422 with ``fields`` for values the schema refuses.
"""
from __future__ import annotations

import json

from flask import current_app, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from inquiry.errors import InquiryError, Invalid

# How pydantic's generic wording for some errors reads to an API client.
_MESSAGES = {"missing": "required"}


class BadJson(InquiryError):
    status = 400
    code = "invalid_json"


def limit_body_size() -> None:
    """Refuse a body over API_MAX_BODY_BYTES: by its Content-Length at once, else while reading."""
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"the request body is larger than the API's limit of {limit} bytes")
    # Bodies without a Content-Length (chunked) are cut off at the same size while being read.
    request.max_content_length = limit


def fields_of(error: ValidationError, *, unknown: str = "unknown field") -> dict[str, list[str]]:
    """pydantic's errors as {"field.path": [messages]}, the shape every 422 answer uses."""
    found: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        message = unknown if item["type"] == "extra_forbidden" else _MESSAGES.get(item["type"], item["msg"])
        found.setdefault(name, []).append(message)
    return found


def validated(model: type[BaseModel], data: object, *, what: str = "request body") -> BaseModel:
    """``data`` as an instance of ``model``, or Invalid (422) naming each refused field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = fields_of(exc, unknown="unknown query parameter" if what == "query string" else "unknown field")
        first = next(iter(fields))
        raise Invalid(f"the {what} is invalid ({first}: {fields[first][0]})", fields=fields) from None


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON object body, validated by ``model``."""
    if not request.is_json:
        raise UnsupportedMediaType("send the body as JSON with 'Content-Type: application/json'")
    data = request.get_data(cache=True)  # raises 413 past the limit when there was no Content-Length
    if not data.strip():
        raise BadJson("the request body is empty: send a JSON object")
    try:
        value = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError too
        raise BadJson(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadJson("the request body must be a JSON object")
    return validated(model, value)


def query_args(model: type[BaseModel] | None) -> BaseModel | None:
    """The query string validated by ``model``; unknown or repeated parameters are refused."""
    given = request.args.to_dict(flat=False)
    repeated = sorted(name for name, values in given.items() if len(values) > 1)
    if repeated:
        raise Invalid("give each query parameter once", fields={name: ["given more than once"] for name in repeated})
    values = {name: items[0] for name, items in given.items()}
    if model is None:
        if values:
            raise Invalid("this operation takes no query parameters",
                          fields={name: ["unknown query parameter"] for name in sorted(values)})
        return None
    return validated(model, values, what="query string")
