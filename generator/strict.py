"""`--strict`: which diagnostics the settings' `accept` list lets through."""

from __future__ import annotations

import re
from collections.abc import Iterable

from generator.diagnostics import Diagnostic

_LABELS = re.compile(r"\[[^\]]*\]")


def kind_path(path: str | None) -> str:
    """`job[a].group[b].service.connect` → `job.group.service.connect`."""
    return _LABELS.sub("", path or "")


def is_accepted(diagnostic: Diagnostic, accept: Iterable[str]) -> bool:
    """An entry names a code, or a dotted path suffix (`connect.sidecar_service`)."""
    path = kind_path(diagnostic.path)
    for entry in accept:
        if entry == diagnostic.code:
            return True
        if path == entry or path.endswith("." + entry) or f".{entry}." in f".{path}.":
            return True
    return False


# Findings that say how a setting was carried (or moved or removed as the spec says), not that
# something was lost.
MAPPED_CODES = frozenset({"nomad-default", "relocated", "override-cascade"})


def unaccepted(diagnostics: Iterable[Diagnostic], accept: Iterable[str]) -> list[Diagnostic]:
    accepted = list(accept)
    return [d for d in diagnostics if d.code not in MAPPED_CODES and not is_accepted(d, accepted)]
