"""Privacy: redacting personal data from text, the retention period, and data-subject requests
(export and erasure of what the desk holds about one person)."""
