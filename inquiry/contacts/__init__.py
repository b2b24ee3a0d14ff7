"""Senders across platforms, and the links between the contacts of one person."""
