"""GET /queues: the queues the caller works, with how many open tickets each holds."""
from __future__ import annotations

from inquiry.api import responses as out
from inquiry.api.auth import current_user
from inquiry.api.routing import operation
from inquiry.api.serializers import queue_json
from inquiry.tickets import queries


@operation("/queues", "GET", scope="tickets:read", summary="List queues",
           responses={200: ("The caller's queues (all of them for supervisors)", out.QueueList)})
def list_queues():
    """Queues the caller works, by slug, each with its open-ticket count."""
    return {"items": [queue_json(queue, count) for queue, count in queries.queue_counts(current_user())]}
