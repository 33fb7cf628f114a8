"""What every translation rule needs: settings, where to report, the job's file."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.diagnostics import DiagnosticSink, Severity
from generator.settings import Settings


@dataclass
class Context:
    settings: Settings
    sink: DiagnosticSink
    file: str
    job_name: str
    namespace_hint: str = "default"
    notes: list[str] = field(default_factory=list)
    module_variables: dict[str, object] = field(default_factory=dict)
    internal_services: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def report(
        self, severity: Severity, code: str, message: str, line: int | None, path: str = ""
    ) -> None:
        self.sink.report(severity, code, message, self.file, line, path or None)

    def dropped(self, message: str, line: int | None, path: str = "") -> None:
        self.report(Severity.INFO, "dropped", message, line, path)

    def unsupported(self, message: str, line: int | None, path: str = "") -> None:
        self.report(Severity.WARNING, "unsupported", message, line, path)

    def needs_decision(self, message: str, line: int | None, path: str = "") -> None:
        self.report(Severity.WARNING, "needs-decision", message, line, path)
