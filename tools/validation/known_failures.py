"""Runtime findings known to be wrong in generated modules, waiting for a generator fix.

A list file holds one finding per line as `<module>/<file>: <rule>: <message>`
(no line number, so it survives unrelated edits); `#` starts a comment. A
known finding is still printed, as a warning marked `known`, and does not fail
the run; a listed finding that no longer occurs is a note, so the entry can go.
Only runtime findings can be listed: the other checks have no known failures.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from generator.diagnostics import Severity
from tools.validation.report import Check, Finding, ValidationReport


def finding_key(finding: Finding) -> str:
    path = Path(finding.file)
    return f"{path.parent.name}/{path.name}: {finding.rule}: {finding.message}"


def load_known(path: Path) -> set[str]:
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            entries.add(text)
    return entries


def apply_known(report: ValidationReport, known: set[str], source: str) -> None:
    """Downgrade the known runtime findings of `report`; note the entries not seen."""
    seen: set[str] = set()
    for module in report.modules:
        updated = []
        for finding in module.findings:
            key = finding_key(finding)
            if finding.check == Check.RUNTIME and finding.is_error and key in known:
                seen.add(key)
                finding = replace(
                    finding, severity=Severity.WARNING, message=f"(known) {finding.message}"
                )
            updated.append(finding)
        module.findings = updated
    for entry in sorted(known - seen):
        report.notes.append(f"{source}: no longer found, remove: {entry}")


def unexpected_runtime_errors(report: ValidationReport, known: set[str]) -> list[str]:
    """Runtime errors not in `known`, each as its key (for tests)."""
    return [
        finding_key(f)
        for f in report.errors
        if f.check == Check.RUNTIME and finding_key(f) not in known
    ]
