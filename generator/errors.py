"""`InputError`: input the generator cannot turn into a module (exit 2, nothing written).

Kept apart from `generator.diagnostics` (pydantic) so that commands can report it
without importing the pipeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.diagnostics import Diagnostic


class InputError(Exception):
    """Input the generator cannot turn into a module: exit 2, nothing written."""

    def __init__(self, file: str, line: int | None, code: str, message: str) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.code = code
        self.message = message

    def one_line(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.code}: {self.message}"

    def as_diagnostic(self) -> Diagnostic:
        from generator.diagnostics import Diagnostic, Severity

        return Diagnostic(
            severity=Severity.ERROR,
            code=self.code,
            message=self.message,
            file=self.file,
            line=self.line,
        )
