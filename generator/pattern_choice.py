"""The `--pattern` / spec `pattern:` choice: auto, or one migration pattern forced."""

from __future__ import annotations

from enum import StrEnum


class PatternChoice(StrEnum):
    AUTO = "auto"
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
