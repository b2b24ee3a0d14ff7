"""Signature checks shared by the adapters: HMACs over raw bytes, compared in constant time."""
from __future__ import annotations

import base64
import hashlib
import hmac


def hmac_sha256(key: str | bytes, message: bytes) -> bytes:
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, message, hashlib.sha256).digest()


def hmac_sha256_hex(key: str | bytes, message: bytes) -> str:
    return hmac_sha256(key, message).hex()


def hmac_sha256_b64(key: str | bytes, message: bytes) -> str:
    return base64.b64encode(hmac_sha256(key, message)).decode("ascii")


def same(given: str | bytes | None, expected: str | bytes) -> bool:
    """Constant-time equality that never raises (non-ASCII or None just compare unequal)."""
    if given is None:
        return False
    given = given.encode("utf-8") if isinstance(given, str) else given
    expected = expected.encode("utf-8") if isinstance(expected, str) else expected
    return hmac.compare_digest(given, expected)
