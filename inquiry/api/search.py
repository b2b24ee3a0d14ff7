"""GET /search: tickets found by reference, platform id, contact or words in any language.

The same service as the workspace's search page (``inquiry.search.services``), so the API finds
exactly what a person with the token's user would find there, within their queues.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from inquiry.api import responses as out
from inquiry.api.auth import current_user
from inquiry.api.routing import operation
from inquiry.api.serializers import ticket_json
from inquiry.search import services

MATCHES = (services.REFERENCE, services.MESSAGE_ID, services.CONVERSATION, services.CONTACT, services.MESSAGE,
           services.SUBJECT)


class SearchQuery(BaseModel):
    """The query string of GET /search (text, so the limit is parsed)."""

    model_config = ConfigDict(extra="forbid")

    q: str = Field(description="a reference, a platform message/user id, a conversation, a name, or words",
                   json_schema_extra={"minLength": 1, "maxLength": services.MAX_QUERY_CHARS})
    limit: int = Field(None, description=f"at most this many tickets, 1 to {services.MAX_RESULTS}",
                       json_schema_extra={"minimum": 1, "maximum": services.MAX_RESULTS})


class Highlight(out.Out):
    start: int = Field(description="offset in `snippet` where a match starts")
    end: int = Field(description="offset in `snippet` just after it")


class SearchHit(out.Out):
    ticket: out.TicketOut
    matched: Literal[MATCHES] = Field(description="what matched; `message` covers replies and internal notes too")
    snippet: str = Field(description="plain text showing the match: part of the message, the subject or the contact")
    highlights: list[Highlight]
    message_id: int | None = Field(description="the matching message, for `message` and `message_id` matches")
    at: dt.datetime | None = Field(description="when the matching message was written, else the ticket's last change")


class SearchResults(out.Out):
    items: list[SearchHit] = Field(description="identifier matches first, then the most recent matching activity")


def _hit(hit: services.Hit) -> SearchHit:
    return SearchHit(
        ticket=ticket_json(hit.ticket), matched=hit.matched, snippet=hit.snippet.text,
        highlights=[Highlight(start=start, end=end) for start, end in hit.snippet.highlights],
        message_id=hit.message.id if hit.message is not None else None, at=hit.at,
    )


@operation("/search", "GET", scope="tickets:read", query=SearchQuery, summary="Search tickets",
           responses={200: ("The matching tickets the caller may see", SearchResults)})
def search(query: SearchQuery):
    """Tickets of the caller's queues matching `q`: a full reference finds that ticket only;
    platform ids of messages, conversations and senders match exactly; otherwise every word
    must appear (accents and case ignored; Chinese, Japanese, Korean and Thai matched by
    character pairs) in a message, reply, internal note, subject or sender's name."""
    limit = services.MAX_RESULTS if query.limit is None else query.limit
    hits = services.search_tickets(current_user(), query.q, limit=limit)
    return SearchResults(items=[_hit(hit) for hit in hits]).model_dump(mode="json")
