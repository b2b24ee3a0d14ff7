"""What the API accepts: pydantic models of request bodies and query strings.

Bodies are strict (no "1" for 1, no unknown fields). Rules that belong to a business action
(message length, allowed status changes, label values on a ticket) stay in the services, so the
web workspace and the API refuse the same things with the same messages; the models check
shape, types and the sizes of the columns values end up in.
"""
from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from inquiry import taxonomy
from inquiry.tickets.models import TicketStatus

STATUSES = [status.value for status in TicketStatus]
_PHONE = re.compile(r"^\+?[0-9 ().\-/]*[0-9][0-9 ().\-/]*$")


def _language(code: str) -> str:
    if code not in taxonomy.LANGUAGES:
        raise PydanticCustomError("language", "not an ISO 639-1 language code (lower case, e.g. 'en')")
    return code


def _channel(slug: str) -> str:
    if slug not in taxonomy.CHANNELS:
        raise PydanticCustomError("channel", "not a channel slug of the taxonomy")
    return slug


def _phone(number: str) -> str:
    if not _PHONE.match(number):
        raise PydanticCustomError("phone", "a phone number: digits, spaces and + ( ) . - / only")
    return number


def _email(address: str) -> str:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError("email", "not a valid e-mail address: {reason}", {"reason": str(exc)}) from None


Language = Annotated[
    str, AfterValidator(_language),
    Field(description="ISO 639-1 code", json_schema_extra={"enum": sorted(taxonomy.LANGUAGES)}),
]
Channel = Annotated[
    str, AfterValidator(_channel),
    Field(description="channel slug", json_schema_extra={"enum": list(taxonomy.CHANNELS)}),
]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email), Field(json_schema_extra={"format": "email"})]
Phone = Annotated[
    str, StringConstraints(max_length=40), AfterValidator(_phone), Field(json_schema_extra={"pattern": _PHONE.pattern}),
]
Name = Annotated[str, StringConstraints(max_length=200)]


def _no_nul(value):
    """PostgreSQL text cannot hold NUL (U+0000): refuse it here (422) rather than fail on insert (500)."""
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain the NUL character (U+0000)")
    return value


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    check_no_nul = field_validator("*")(_no_nul)


class ContactIn(Body):
    """Who wrote: any of these identify the sender, so later inquiries join their open ticket."""

    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    external_id: Identifier | None = Field(None, description="the sender's id in the integrator's system")


class InquiryIn(Body):
    """An inquiry from a member of the public, relayed by an integrator."""

    text: str = Field(description="the message, 1 to MESSAGE_MAX_CHARS characters")
    subject: Annotated[str, StringConstraints(max_length=200)] | None = None
    language: Language | None = Field(None, description="the sender's language if known (trusted over detection)")
    channel: Channel = Field(taxonomy.API, description="where the sender wrote; 'api' unless relaying a network")
    contact: ContactIn | None = None
    message_id: Identifier | None = Field(
        None, description="your id for this message: sending it again is answered 'duplicate' and writes nothing"
    )
    conversation_id: Identifier | None = Field(
        None, description="your thread id: messages of the same contact and conversation join one open ticket"
    )


class MessageIn(Body):
    """A reply to the sender or an internal note."""

    body: str = Field(description="1 to MESSAGE_MAX_CHARS characters")


class TicketUpdate(Body):
    """Changes to a ticket, applied together or not at all. Leave out what should not change."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})  # an empty change is refused (422)

    status: str = Field(None, json_schema_extra={"enum": STATUSES})
    assignee_id: int | None = Field(None, description="a user id, or null to unassign")
    topic: str = Field(None, description="complicit-organisations moves the ticket to the restricted "
                                         "whistleblowing queue; another topic moves it back out",
                       json_schema_extra={"enum": list(taxonomy.TOPICS)})
    audience: str = Field(None, description="moves the ticket to that audience's queue (not a tip, which stays "
                                            "in whistleblowing)",
                          json_schema_extra={"enum": list(taxonomy.AUDIENCES)})
    priority: str = Field(None, json_schema_extra={"enum": list(taxonomy.PRIORITIES)})
    language: str = Field(None, json_schema_extra={"enum": sorted(taxonomy.LANGUAGES)})


class TicketListQuery(BaseModel):
    """Filters and paging of GET /tickets (query strings are text, so numbers are parsed)."""

    model_config = ConfigDict(extra="forbid")
    check_no_nul = field_validator("*")(_no_nul)

    queue: str = Field(None, description="queue slug")
    status: str = Field(None, json_schema_extra={"enum": STATUSES})
    topic: str = Field(None, json_schema_extra={"enum": list(taxonomy.TOPICS)})
    priority: str = Field(None, json_schema_extra={"enum": list(taxonomy.PRIORITIES)})
    language: str = Field(None, description="ISO 639-1 code", json_schema_extra={"enum": sorted(taxonomy.LANGUAGES)})
    assignee: str = Field(None, description="a user id, 'me' or 'none'",
                          json_schema_extra={"pattern": r"^(me|none|[0-9]+)$"})
    channel: str = Field(None, description="channel slug", json_schema_extra={"enum": list(taxonomy.CHANNELS)})
    limit: int = Field(None, description="page size, 1 to PAGE_SIZE_MAX")
    cursor: str = Field(None, description="the `next` value of the previous page")


# Request fields whose limits come from the configuration, for the OpenAPI document.
MESSAGE_FIELDS = ((InquiryIn, "text"), (MessageIn, "body"))
