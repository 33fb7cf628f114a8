"""What every translation rule needs: read-only inputs (settings, the job's file), the
results collected along the way (diagnostics, notes, module variables), and reporting."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from generator.diagnostics import DiagnosticSink, InputError, Severity
from generator.hcl.evaluate import ModuleInput
from generator.settings import Settings
from generator.translate.names import k8s_name

if TYPE_CHECKING:
    from generator.translate.env_expanding import ModuleVariable

# Group name → its ports' numbers and the dynamic labels fixed (ports.job_port_numbers).
PortNumbers = Mapping[str, tuple[dict[str, int], set[str]]]


@dataclass(frozen=True)
class Inputs:
    """What a job's translation reads and never changes."""

    settings: Settings
    file: str
    job_name: str
    jobspec_inputs: tuple[ModuleInput, ...] = ()
    # Known once the job's groups are named, before any group is translated (`Context.for_job`).
    internal_services: Mapping[str, tuple[str, int | None]] = field(default_factory=dict)
    port_numbers: PortNumbers = field(default_factory=dict)


@dataclass
class Results:
    """What a job's translation collects on its way, besides the plan itself."""

    sink: DiagnosticSink
    notes: list[str] = field(default_factory=list)
    module_variables: dict[str, ModuleVariable] = field(default_factory=dict)


class Context:
    """A job's translation: its read-only `inputs`, the `results` it collects, and the
    reporting every rule uses."""

    def __init__(
        self,
        settings: Settings,
        sink: DiagnosticSink,
        file: str,
        job_name: str,
        jobspec_inputs: Sequence[ModuleInput] = (),
    ) -> None:
        self.inputs = Inputs(settings, file, job_name, tuple(jobspec_inputs))
        self.results = Results(sink)

    def for_job(
        self,
        internal_services: Mapping[str, tuple[str, int | None]],
        port_numbers: PortNumbers,
    ) -> Context:
        """This context with the job's lookups added; the results are shared."""
        context = Context.__new__(Context)
        context.inputs = replace(
            self.inputs, internal_services=internal_services, port_numbers=port_numbers
        )
        context.results = self.results
        return context

    @property
    def settings(self) -> Settings:
        return self.inputs.settings

    @property
    def file(self) -> str:
        return self.inputs.file

    @property
    def job_name(self) -> str:
        return self.inputs.job_name

    @property
    def jobspec_inputs(self) -> tuple[ModuleInput, ...]:
        return self.inputs.jobspec_inputs

    @property
    def internal_services(self) -> Mapping[str, tuple[str, int | None]]:
        return self.inputs.internal_services

    @property
    def port_numbers(self) -> PortNumbers:
        return self.inputs.port_numbers

    @property
    def sink(self) -> DiagnosticSink:
        return self.results.sink

    @property
    def notes(self) -> list[str]:
        return self.results.notes

    @property
    def module_variables(self) -> dict[str, ModuleVariable]:
        return self.results.module_variables

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
