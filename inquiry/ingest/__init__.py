"""Intake: every inbound message, from any channel, becomes or joins a ticket here."""
