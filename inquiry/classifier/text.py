"""What the models see of a message: normalised text with the channel as a token."""
from __future__ import annotations

import re
import unicodedata

# Long texts add nothing to routing but cost time; the opening says what the message is about.
MAX_CHARS = 4000
_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_DIGITS = re.compile(r"\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise(text: str) -> str:
    """NFKC, links/addresses/numbers replaced by placeholders, control characters dropped."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_CHARS]
    text = _CONTROL.sub(" ", text)
    text = _URL.sub(" xurl ", text)
    text = _EMAIL.sub(" xemail ", text)
    text = _PHONE.sub(" xphone ", text)
    return _DIGITS.sub("0", text)


def model_input(text: str, channel: str | None) -> str:
    """The document a head classifies: a channel token, then the normalised text."""
    return f"zzch{(channel or 'unknown').replace('-', '')} {normalise(text)}"
