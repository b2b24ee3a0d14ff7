"""Replies out: an outbox written with the message, delivered by the worker with retries."""
