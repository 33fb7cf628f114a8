"""What every translation rule needs: settings, where to report, the job's file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.diagnostics import DiagnosticSink, InputError, Severity
from generator.hcl.evaluate import ModuleInput
from generator.settings import Settings
from generator.translate.names import k8s_name

if TYPE_CHECKING:
    from generator.translate.env_expanding import ModuleVariable


@dataclass
class Context:
    settings: Settings
    sink: DiagnosticSink
    file: str
    job_name: str
    notes: list[str] = field(default_factory=list)
    module_variables: dict[str, ModuleVariable] = field(default_factory=dict)
    internal_services: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    # Group name → its ports' numbers and the dynamic labels fixed (ports.job_port_numbers).
    port_numbers: dict[str, tuple[dict[str, int], set[str]]] = field(default_factory=dict)
    jobspec_inputs: list[ModuleInput] = field(default_factory=list)

    def k8s(self, name: str, kind: str, line: int | None, path: str = "") -> str:
        """A DNS-1123 name for `name`, or a stable stand-in, reported, when it has none."""
        try:
            return k8s_name(name)
        except InputError:
            stand_in = f"{kind}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
            self.needs_decision(
                f"{kind} name {name!r} has nothing Kubernetes accepts in a name; called {stand_in}",
                line,
                path,
            )
            return stand_in

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
