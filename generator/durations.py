"""Go-style durations ("10s", "1m30s", "500ms") as used by Nomad."""

from __future__ import annotations

import math
import re
from fractions import Fraction

_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_SECONDS = {
    "ns": Fraction(1, 10**9),
    "us": Fraction(1, 10**6),
    "µs": Fraction(1, 10**6),
    "ms": Fraction(1, 1000),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
}


def parse_duration_seconds(text: str) -> int:
    """Whole seconds, rounded up (a probe timeout of 500ms becomes 1s)."""
    text = text.strip()
    if text == "0":
        return 0
    parts = _PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"{text!r} is not a duration like 10s, 1m30s or 500ms")
    total = sum(Fraction(number) * _SECONDS[unit] for number, unit in parts)
    return math.ceil(total)
