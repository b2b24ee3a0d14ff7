"""Ticket reference numbers people can read aloud and type from a phone."""
from __future__ import annotations

import re
import secrets

# Crockford's base32 without I, L, O, U: no 0/O or 1/I confusion when read aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PATTERN = re.compile(r"^INQ-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def new_reference() -> str:
    """A random reference such as ``INQ-7K3M-Q9PX`` (40 bits: unguessable enough to not enumerate)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"INQ-{chars[:4]}-{chars[4:]}"


def normalise_reference(text: str) -> str | None:
    """Accept what people type (lower case, spaces, O for 0, I/L for 1); None if it cannot be one."""
    cleaned = re.sub(r"[\s\-]", "", (text or "").upper())
    if cleaned.startswith("INQ"):
        cleaned = cleaned[3:]
    cleaned = cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    candidate = f"INQ-{cleaned[:4]}-{cleaned[4:]}"
    return candidate if len(cleaned) == 8 and PATTERN.match(candidate) else None
