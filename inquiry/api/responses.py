"""What the API answers: pydantic models of every response body.

The serializers build their dicts through these models and the OpenAPI document is generated
from them, so the document describes exactly what clients receive.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inquiry.ingest.services import Outcome
from inquiry.tickets.models import DeliveryStatus, Direction, LabelSource, TicketStatus

Status = Literal[tuple(s.value for s in TicketStatus)]
Source = Literal[tuple(s.value for s in LabelSource)]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserRef(Out):
    id: int
    name: str


class ContactOut(Out):
    id: int
    name: str | None
    platform: str = Field(description="channel slug the contact wrote from")


class MessageOut(Out):
    id: int
    direction: Literal[tuple(d.value for d in Direction)]
    body: str
    author: str | None = Field(description="the agent who wrote a reply or note; null for inbound messages")
    delivery_status: Literal[tuple(d.value for d in DeliveryStatus)] | None
    created_at: dt.datetime


class TicketOut(Out):
    id: int
    reference: str = Field(description="what people quote, e.g. INQ-7K3M-Q9PX")
    subject: str
    status: Status
    topic: str | None
    topic_confidence: float | None
    topic_source: Source | None
    audience: str | None
    audience_confidence: float | None
    audience_source: Source | None
    priority: str
    priority_confidence: float | None
    priority_source: Source | None
    language: str | None
    language_confidence: float | None
    language_source: Source | None
    why: dict[str, list[str]] = Field(
        default_factory=dict, description="per label the router set: the words that weighed most (empty once a person corrects it)")
    queue: str = Field(description="queue slug")
    assignee: UserRef | None
    channel: str = Field(description="channel slug of the account the ticket arrived on")
    contact: ContactOut
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    solved_at: dt.datetime | None


class TicketDetail(TicketOut):
    messages: list[MessageOut] = Field(description="the conversation, oldest first, with internal notes")


class TicketPage(Out):
    items: list[TicketOut]
    next: str | None = Field(description="cursor of the next page; null on the last page")


class InquiryCreated(Out):
    outcome: Literal[Outcome.CREATED.value]
    ticket: TicketDetail | TicketOut = Field(
        description="with messages when the token may read the ticket (tickets:read and the ticket's queue)"
    )
    message: MessageOut
    public_token: str = Field(description="lets the sender follow the ticket on the public status page; shown once")


class InquiryAccepted(Out):
    outcome: Literal[Outcome.APPENDED.value, Outcome.DUPLICATE.value]
    ticket: TicketDetail | TicketOut
    message: MessageOut


class QueueOut(Out):
    slug: str
    name: str
    open_count: int = Field(description="tickets in the queue that are new, open, pending or on hold")


class QueueList(Out):
    items: list[QueueOut]


class ErrorDetail(Out):
    code: str = Field(description="machine-readable, e.g. invalid, not_found, conflict, invalid_token")
    message: str
    fields: dict[str, list[str]] = Field(description="per-field problems (422); empty otherwise")


class Error(Out):
    error: ErrorDetail


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 document (described here only by its top-level keys)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict
    paths: dict
    components: dict
