"""Canned replies: saved answers with placeholders, one variant per language."""
