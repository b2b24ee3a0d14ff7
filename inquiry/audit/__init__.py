"""Audit trail of every change to tickets, users, tokens and settings."""
