"""Argument checks shared by the planner's pure functions: a bad figure raises ValueError with a
message fit to show a user (the CLI turns it into a usage error), never a silent NaN."""
from __future__ import annotations

import math

import numpy as np


def number(name: str, value, *, minimum: float = 0.0, strict: bool = False) -> float:
    """A finite float ≥ ``minimum`` (> when ``strict``)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number")
    if value < minimum or (strict and value == minimum):
        raise ValueError(f"{name} must be {'greater than' if strict else 'at least'} {minimum:g}, not {value:g}")
    return value


def whole(name: str, value) -> int:
    """A whole number ≥ 0 (booleans refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a whole number ≥ 0, not {value!r}")
    return int(value)


def share(name: str, value, *, allow_zero: bool = False, allow_one: bool = False) -> float:
    """A fraction in (0, 1), with either end allowed on request."""
    value = number(name, value)
    if value > 1 or (value == 1 and not allow_one) or (value == 0 and not allow_zero):
        bounds = ("[0" if allow_zero else "(0") + ", " + ("1]" if allow_one else "1)")
        raise ValueError(f"{name} must be in {bounds}, not {value:g}")
    return value
