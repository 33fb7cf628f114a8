"""Diagnostics: what the generator reports about the input, with file and line.

A `Diagnostic` is a finding that does not stop generation (dropped setting,
decision needed). An `InputError` stops generation: the CLI prints it as one
`file:line: reason` line, exits 2 and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from generator.diagnostic_codes import CODES
from generator.errors import InputError as InputError


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Diagnostic(BaseModel):
    model_config = ConfigDict(frozen=True)

    severity: Severity
    code: str
    message: str
    file: str
    line: int | None = None
    path: str | None = None

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def one_line(self) -> str:
        where = f" [{self.path}]" if self.path else ""
        return f"{self.location()}: {self.severity.value}: {self.code}: {self.message}{where}"


class DiagnosticSink:
    """Collects diagnostics in the order they are reported, without duplicates."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic.code not in CODES:
            raise ValueError(
                f"diagnostic code {diagnostic.code!r} is not in diagnostic_codes.CODES"
            )
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def report(
        self,
        severity: Severity,
        code: str,
        message: str,
        file: str,
        line: int | None = None,
        path: str | None = None,
    ) -> None:
        self.add(
            Diagnostic(
                severity=severity, code=code, message=message, file=file, line=line, path=path
            )
        )

    def __iter__(self):
        return iter(sorted(self._items, key=_sort_key))

    def __len__(self) -> int:
        return len(self._items)


def _sort_key(diagnostic: Diagnostic) -> tuple[str, int, str, str]:
    return (diagnostic.file, diagnostic.line or 0, diagnostic.code, diagnostic.message)
