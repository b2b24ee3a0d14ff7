"""Registers every API operation: each module declares its routes with ``routing.operation``."""
from inquiry.api import inquiries, openapi, queues, reports, search, tickets  # noqa: F401
