"""The router: topic, audience, priority and language for every inbound message."""
