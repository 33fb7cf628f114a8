"""Per-file results of a corpus run, what they add up to, and the text and JSON reports."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

# Input error codes meaning python-hcl2 could not read the file (or nothing could).
UNPARSED_CODES = frozenset(
    {"hcl-syntax", "template-source", "hcl1-syntax", "heredoc-syntax", "unreadable"}
)
TARGET_PERCENT = 90.0
# Runtime findings (API server, kubelet, Traefik rules) make a module invalid like any other
# check's errors. Set to False to count and show them without failing the run.
RUNTIME_FINDINGS_FAIL = True
# The validation checks, in the order of their rows ("modules failing <check>").
CHECK_NAMES = ("fmt", "terraform", "schema", "crd", "runtime")
MIGRATABLE_TARGET_PERCENT = 98.0
# Refusals of input that is not migratable: it cannot become a Kubernetes workload
# (CSI plugins, non-container drivers, ...) or is not a jobspec Nomad would run.
# `missing-variable` is not one: a variable without a value is a module input, and
# the refusal is left only where the value decides what the generator writes.
REQUIRED_EXIT_CODES = frozenset(
    {
        "csi-plugin",
        "no-containers",
        "template-source",
        "hcl1-syntax",
        "hcl-syntax",
        "no-groups",
        "unsupported-job-type",
        "invalid-value",
        "missing-file",
        "templatefile-source",
    }
)
_GENERATOR_FRAME = re.compile(r'File "([^"]*generator/[^"]+)", line (\d+),? in (\S+)')


class Outcome(StrEnum):
    MODULE = "module"
    INPUT_ERROR = "input error"
    TRACEBACK = "traceback"


@dataclass(frozen=True)
class DiagnosticRecord:
    severity: str
    code: str
    one_line: str


@dataclass
class FileResult:
    """What one corpus file gave: a module, an input error or a traceback."""

    file: str  # relative to the corpus root
    collection: str
    service: str
    outcome: Outcome
    module_dir: str | None = None  # relative to the output directory, when written
    pattern: str | None = None
    diagnostics: list[DiagnosticRecord] = field(default_factory=list)
    error_code: str | None = None
    error_line: int | None = None
    error_message: str | None = None
    error_one_line: str | None = None
    traceback: str | None = None
    hang: bool = False
    seconds: float = 0.0
    manifest_hcl2: str | None = None
    # Filled in by validation.
    valid: bool | None = None
    findings: list[str] = field(default_factory=list)  # validation errors, one line each
    finding_kinds: list[str] = field(default_factory=list)  # "schema", "runtime/probe-port"...

    @property
    def parsed(self) -> bool:
        """python-hcl2 reads it: the manifest's column where it has one, else our own parse.

        A levant file can parse (its `[[ ]]` sit inside strings) and still be refused as
        `template-source`: it counts as parsed, and as a required exit.
        """
        if self.manifest_hcl2 in ("ok", "fails"):
            return self.manifest_hcl2 == "ok"
        return not (self.outcome is Outcome.INPUT_ERROR and self.error_code in UNPARSED_CODES)

    @property
    def refused_unparsed(self) -> bool:
        """We stopped it as unreadable, not HCL2, or a template source."""
        return self.outcome is Outcome.INPUT_ERROR and self.error_code in UNPARSED_CODES

    @property
    def required_exit(self) -> bool:
        """A refusal of input that is not migratable (see REQUIRED_EXIT_CODES)."""
        return self.outcome is Outcome.INPUT_ERROR and self.error_code in REQUIRED_EXIT_CODES

    def fails(self, check: str) -> bool:
        """A validation error of `check` ("runtime", "schema", ...)."""
        return any(kind.partition("/")[0] == check for kind in self.finding_kinds)

    @property
    def last_line(self) -> str:
        lines = [line for line in (self.traceback or "").splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def where(self) -> str:
        """The innermost frame in generator code, `generator/x.py:12 in f`, or ""."""
        text = self.traceback or ""
        frames = _GENERATOR_FRAME.findall(text)
        if not frames:
            return ""
        # A faulthandler dump lists the most recent call first, a Python traceback last.
        path, line, function = frames[0] if "most recent call first" in text else frames[-1]
        return f"{path[path.rindex('generator/'):]}:{line} in {function}"

    @property
    def malformed_error(self) -> str | None:
        """Why this input error breaks the `file:line: code: reason` contract, or None."""
        if self.outcome is not Outcome.INPUT_ERROR:
            return None
        if not (self.error_code or "").strip():
            return "empty code"
        if not (self.error_message or "").strip():
            return "empty reason"
        if "\n" in (self.error_one_line or "") or not self.error_one_line:
            return "one_line() is not exactly one line"
        return None


@dataclass
class Timings:
    collect: float = 0.0
    generate: float = 0.0
    validate: float = 0.0
    total: float = 0.0
    jobs: int = 1
    validation_by_check: dict[str, float] = field(default_factory=dict)  # summed over modules


@dataclass
class Summary:
    corpus: str
    out: str | None  # None: a temporary directory, removed
    results: list[FileResult]
    timings: Timings = field(default_factory=Timings)
    skipped_checks: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    validation_error: str | None = None  # the traceback when validation itself failed

    # ---- what the results add up to
    def collections(self) -> list[str]:
        return sorted({r.collection for r in self.results})

    def of(self, collection: str | None) -> list[FileResult]:
        return [r for r in self.results if collection is None or r.collection == collection]

    @property
    def tracebacks(self) -> list[FileResult]:
        return [r for r in self.results if r.outcome is Outcome.TRACEBACK]

    @property
    def invalid(self) -> list[FileResult]:
        return [r for r in self.results if r.valid is False]

    @property
    def malformed(self) -> list[FileResult]:
        return [r for r in self.results if r.malformed_error is not None]

    @property
    def percent_valid(self) -> float:
        parsed = sum(1 for r in self.results if r.parsed)
        valid = sum(1 for r in self.results if r.valid)
        return 100.0 * valid / parsed if parsed else 0.0

    @property
    def percent_valid_of_migratable(self) -> float:
        migratable = [r for r in self.results if r.parsed and not r.required_exit]
        valid = sum(1 for r in migratable if r.valid)
        return 100.0 * valid / len(migratable) if migratable else 0.0

    @property
    def exit_code(self) -> int:
        failed = self.tracebacks or self.invalid or self.malformed or self.validation_error
        return 1 if failed else 0

    def rows(self, collection: str | None) -> dict[str, int]:
        results = self.of(collection)
        errors = [r for r in results if r.outcome is Outcome.INPUT_ERROR]
        return {
            "files": len(results),
            "parsed by python-hcl2": sum(1 for r in results if r.parsed),
            "modules written": sum(1 for r in results if r.outcome is Outcome.MODULE),
            "modules valid": sum(1 for r in results if r.valid),
            "modules invalid": sum(1 for r in results if r.valid is False),
            "input errors": len(errors),
            "input errors without line": sum(1 for r in errors if r.error_line is None),
            "tracebacks": sum(1 for r in results if r.outcome is Outcome.TRACEBACK),
            **{
                f"modules failing {check}": sum(1 for r in results if r.fails(check))
                for check in CHECK_NAMES
            },
        }

    def runtime_by_rule(self) -> dict[str, tuple[int, list[FileResult], list[str]]]:
        """rule -> (occurrences, files, finding lines), most frequent first."""
        found: dict[str, tuple[int, list[FileResult], list[str]]] = {}
        for result in self.results:
            for kind, line in zip(result.finding_kinds, result.findings, strict=False):
                check, _, rule = kind.partition("/")
                if check != "runtime":
                    continue
                count, files, lines = found.get(rule, (0, [], []))
                if not files or files[-1] is not result:
                    files.append(result)
                lines.append(f"{result.file}: {line}")
                found[rule] = (count + 1, files, lines)
        return dict(sorted(found.items(), key=lambda item: (-item[1][0], item[0])))

    def input_errors_by_code(self) -> dict[str, list[FileResult]]:
        found: dict[str, list[FileResult]] = {}
        for result in self.results:
            if result.outcome is Outcome.INPUT_ERROR:
                found.setdefault(result.error_code or "(empty code)", []).append(result)
        return dict(sorted(found.items(), key=lambda item: (-len(item[1]), item[0])))

    def diagnostics_by_code(self, severity: str) -> dict[str, tuple[int, list[FileResult], str]]:
        """code -> (occurrences, files, first diagnostic line), most frequent first."""
        counts: Counter[str] = Counter()
        files: dict[str, list[FileResult]] = {}
        example: dict[str, str] = {}
        for result in self.results:
            for diagnostic in result.diagnostics:
                if diagnostic.severity != severity:
                    continue
                counts[diagnostic.code] += 1
                seen = files.setdefault(diagnostic.code, [])
                if not seen or seen[-1] is not result:
                    seen.append(result)
                example.setdefault(diagnostic.code, diagnostic.one_line)
        ordered = sorted(counts, key=lambda code: (-counts[code], code))
        return {code: (counts[code], files[code], example[code]) for code in ordered}

    def severities(self) -> list[str]:
        present = {d.severity for r in self.results for d in r.diagnostics}
        return [s for s in ("error", "warning", "info") if s in present] or ["warning", "info"]

    # ---- reports
    def to_json(self) -> dict[str, Any]:
        by_collection = {c: self.rows(c) for c in self.collections()}
        return {
            "corpus": self.corpus,
            "out": self.out,
            "totals": self.rows(None),
            "by_collection": by_collection,
            "percent_valid_of_parsed": round(self.percent_valid, 1),
            "percent_valid_of_migratable": round(self.percent_valid_of_migratable, 1),
            "target_percent": TARGET_PERCENT,
            "migratable_target_percent": MIGRATABLE_TARGET_PERCENT,
            "input_errors_by_code": {
                code: {"count": len(found), "example": found[0].error_one_line}
                for code, found in self.input_errors_by_code().items()
            },
            **{
                f"{severity}s_by_code": {
                    code: {"count": count, "files": len(files), "example": example}
                    for code, (count, files, example) in self.diagnostics_by_code(severity).items()
                }
                for severity in ("error", "warning", "info")
            },
            "tracebacks": [
                {
                    "file": r.file,
                    "last_line": r.last_line,
                    "where": r.where,
                    "hang": r.hang,
                    "traceback": r.traceback,
                }
                for r in self.tracebacks
            ],
            "invalid_modules": [
                {"file": r.file, "module": r.module_dir, "findings": r.findings}
                for r in self.invalid
            ],
            "runtime_findings_fail": RUNTIME_FINDINGS_FAIL,
            "runtime_findings_by_rule": {
                rule: {"count": count, "files": len(files), "examples": lines[:5]}
                for rule, (count, files, lines) in self.runtime_by_rule().items()
            },
            "malformed_input_errors": [
                {"file": r.file, "problem": r.malformed_error, "one_line": r.error_one_line}
                for r in self.malformed
            ],
            "validation_error": self.validation_error,
            "skipped_checks": self.skipped_checks,
            "notes": self.notes,
            "timings": asdict(self.timings),
            "exit_code": self.exit_code,
            "files": [_file_json(r) for r in self.results],
        }

    def text_lines(self) -> list[str]:
        lines = [f"corpus: {self.corpus}"]
        if self.out:
            lines.append(f"modules: {self.out}")
        columns = [None, *self.collections()]
        headers = ["", "total", *[c or "(root)" for c in columns[1:]]]
        table: list[list[str]] = []
        for name in self.rows(None):
            table.append([name, *[str(self.rows(c)[name]) for c in columns]])
        table.append(
            [
                f"valid / parsed (target >= {TARGET_PERCENT:.0f}%)",
                *[_percent(self, c) for c in columns],
            ]
        )
        table.append(
            [
                f"valid / migratable (target >= {MIGRATABLE_TARGET_PERCENT:.0f}%)",
                *[_percent_migratable(self, c) for c in columns],
            ]
        )
        for code, found in self.input_errors_by_code().items():
            table.append([f"input error: {code}", *_count_by(found, columns)])
        for severity in self.severities():
            for code, (count, files, _) in self.diagnostics_by_code(severity).items():
                table.append([f"{severity}: {code} ({count} times)", *_count_by(files, columns)])
        for rule, (count, files, _) in self.runtime_by_rule().items():
            table.append([f"runtime: {rule} ({count} times)", *_count_by(files, columns)])
        lines.extend(_format_table(headers, table))
        lines.append(
            "(input error / warning / info rows count files; 'N times' counts occurrences)"
        )
        lines.extend(self._examples())
        lines.extend(self._failures())
        lines.extend(self._trailer())
        return lines

    def _examples(self) -> list[str]:
        lines = ["", "examples (one file per code):"]
        for code, found in self.input_errors_by_code().items():
            lines.append(f"  input error {code}: {found[0].error_one_line}")
        for severity in self.severities():
            for code, (_, _, example) in self.diagnostics_by_code(severity).items():
                lines.append(f"  {severity} {code}: {example}")
        runtime = self.runtime_by_rule()
        if runtime:
            effect = "invalid" if RUNTIME_FINDINGS_FAIL else "counted, not failing (switched off)"
            lines.extend(["", f"runtime findings by rule (modules with them: {effect}):"])
            for rule, (_, _, finding_lines) in runtime.items():
                lines.append(f"  {rule}:")
                lines.extend(f"    {line}" for line in finding_lines[:5])
        return lines

    def _failures(self) -> list[str]:
        lines = ["", f"tracebacks: {len(self.tracebacks)}"]
        for result in self.tracebacks:
            where = f" (at {result.where})" if result.where else ""
            lines.append(f"  {result.file}: {result.last_line}{where}")
        lines.append(f"invalid modules: {len(self.invalid)}")
        for result in self.invalid:
            first = result.findings[0] if result.findings else "(no finding recorded)"
            more = f" (+{len(result.findings) - 1} more)" if len(result.findings) > 1 else ""
            lines.append(f"  {result.file}: {first}{more}")
        if self.malformed:
            lines.append(f"input errors breaking `file:line: code: reason`: {len(self.malformed)}")
            for result in self.malformed:
                lines.append(
                    f"  {result.file}: {result.malformed_error}: {result.error_one_line!r}"
                )
        if self.validation_error:
            last = self.validation_error.strip().splitlines()[-1]
            lines.append(f"validation itself failed: {last}")
        return lines

    def _trailer(self) -> list[str]:
        lines = [""]
        lines.extend(f"skipped: {check}: {why}" for check, why in self.skipped_checks.items())
        lines.extend(f"note: {note}" for note in self.notes)
        t = self.timings
        lines.append(
            f"time: collect {t.collect:.1f}s, generate {t.generate:.1f}s ({t.jobs} jobs), "
            f"validate {t.validate:.1f}s, total {t.total:.1f}s"
        )
        if t.validation_by_check:
            shown = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(t.validation_by_check.items()))
            lines.append(f"validation time summed over modules: {shown}")
        slowest = sorted(self.results, key=lambda r: -r.seconds)[:3]
        if slowest:
            shown = ", ".join(f"{r.file} {r.seconds:.1f}s" for r in slowest)
            lines.append(f"slowest files to generate: {shown}")
        verdict = "FAIL" if self.exit_code else "OK"
        lines.append(
            f"corpus: {verdict}: {len(self.results)} files, "
            f"{sum(1 for r in self.results if r.valid)} valid modules "
            f"({self.percent_valid:.1f}% of parsed), {len(self.tracebacks)} tracebacks, "
            f"{len(self.invalid)} invalid modules, "
            f"{sum(count for count, _, _ in self.runtime_by_rule().values())} runtime errors"
        )
        return lines


def _file_json(result: FileResult) -> dict[str, Any]:
    data = asdict(result)
    data["outcome"] = result.outcome.value
    data["parsed"] = result.parsed
    data["diagnostics"] = [d.one_line for d in result.diagnostics]
    return {key: value for key, value in data.items() if value not in (None, [], False)}


def _count_by(results: Iterable[FileResult], columns: list[str | None]) -> list[str]:
    found = list(results)
    return [str(sum(1 for r in found if c is None or r.collection == c)) for c in columns]


def _percent(summary: Summary, collection: str | None) -> str:
    row = summary.rows(collection)
    parsed = row["parsed by python-hcl2"]
    return f"{100.0 * row['modules valid'] / parsed:.1f}%" if parsed else "-"


def _percent_migratable(summary: Summary, collection: str | None) -> str:
    results = [r for r in summary.of(collection) if r.parsed and not r.required_exit]
    valid = sum(1 for r in results if r.valid)
    return f"{100.0 * valid / len(results):.1f}%" if results else "-"


def _format_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """The first column left-aligned, the counts right-aligned."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in [headers, *rows]
    ]
