"""What validation found: findings per module, skipped checks, timings, the summary line."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from generator.diagnostics import Severity


class Check(StrEnum):
    FMT = "fmt"
    TERRAFORM = "terraform"
    SCHEMA = "schema"
    CRD = "crd"
    RUNTIME = "runtime"


ALL_CHECKS: tuple[Check, ...] = tuple(Check)


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    check: Check
    message: str
    severity: Severity = Severity.ERROR
    rule: str = ""  # the runtime check's rule id (`runtime_rules`), else ""

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line or 0, self.check.value, self.message)

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def one_line(self) -> str:
        marker = "" if self.is_error else f"{self.severity.value}: "
        rule = f"{self.rule}: " if self.rule else ""
        return f"{self.location()}: {self.check.value}: {marker}{rule}{self.message}"

    def kind(self) -> str:
        """`check` or `check/rule`: what the corpus counts findings by."""
        return f"{self.check.value}/{self.rule}" if self.rule else self.check.value


@dataclass
class ModuleReport:
    path: Path
    display: str
    resources: int = 0
    findings: list[Finding] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # "schema", "terraform 2.35.1"...

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ValidationReport:
    modules: list[ModuleReport] = field(default_factory=list)
    checks: tuple[Check, ...] = ALL_CHECKS
    skipped: dict[Check, str] = field(default_factory=dict)  # check -> why it did not run
    notes: list[str] = field(default_factory=list)  # partial coverage, said out loud
    terraform_labels: list[str] = field(default_factory=list)
    schema_labels: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        found = [finding for module in self.modules for finding in module.findings]
        return sorted(found, key=Finding.sort_key)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_count(self, check: Check) -> int:
        return sum(1 for finding in self.errors if finding.check == check)

    def messages(self, check: Check | None = None) -> list[str]:
        return [f.one_line() for f in self.findings if check is None or f.check == check]

    def summary_line(self) -> str:
        resources = sum(module.resources for module in self.modules)
        infos = sum(1 for finding in self.findings if finding.severity == Severity.INFO)
        warnings = len(self.findings) - len(self.errors) - infos
        parts = [self._check_part(check) for check in ALL_CHECKS]
        counts = f"{_plural(len(self.modules), 'module')}, {_plural(resources, 'resource')}"
        extra = f", {_plural(warnings, 'warning')}" if warnings else ""
        extra += f", {_plural(infos, 'info finding')}" if infos else ""
        return (
            f"validate: {counts}, {_plural(len(self.errors), 'error')}{extra}"
            f" ({', '.join(parts)})"
        )

    def _check_part(self, check: Check) -> str:
        if check not in self.checks:
            return f"{check.value} off"
        if check in self.skipped:
            return f"{check.value} skipped"
        part = f"{check.value} {self.error_count(check)}"
        labels = {Check.TERRAFORM: self.terraform_labels, Check.SCHEMA: self.schema_labels}
        versions = labels.get(check)
        return f"{part} [{', '.join(versions)}]" if versions else part

    def skip_lines(self) -> list[str]:
        lines = [f"skipped: {_verb(check)}: {reason}" for check, reason in self.skipped.items()]
        return lines + [f"note: {note}" for note in self.notes]

    def timing_lines(self) -> list[str]:
        lines = []
        for module in self.modules:
            shown = ", ".join(
                f"{name} {seconds * 1000:.0f}ms" for name, seconds in sorted(module.timings.items())
            )
            lines.append(f"timing: {module.display}: {shown}")
        return lines


def _verb(check: Check) -> str:
    return {
        Check.FMT: "terraform fmt",
        Check.TERRAFORM: "terraform validate",
        Check.SCHEMA: "schema check",
        Check.CRD: "CRD check",
        Check.RUNTIME: "runtime check",
    }[check]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
