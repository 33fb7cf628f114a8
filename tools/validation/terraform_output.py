"""Terraform's output → findings: `validate -json` diagnostics and `fmt -diff` hunks."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from generator.diagnostics import Severity

DEV_OVERRIDES_SUMMARY = "Provider development overrides are in effect"
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")
_CONTEXT = re.compile(r'^(resource|data) "([^"]+)" "([^"]+)"')


@dataclass(frozen=True)
class Problem:
    """One finding before it is attached to a check: `file` is relative to the module."""

    file: str | None
    line: int | None
    message: str
    severity: Severity = Severity.ERROR


def validate_problems(retcode: int, stdout: str, stderr: str) -> list[Problem]:
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        failure = f"terraform validate failed (exit {retcode}): {_tail(stderr or stdout)}"
        return [Problem(None, None, failure)]
    problems = []
    for diagnostic in document.get("diagnostics", []):
        if diagnostic.get("summary") == DEV_OVERRIDES_SUMMARY:
            continue
        problems.append(_diagnostic_problem(diagnostic))
    if retcode != 0 and not any(p.severity == Severity.ERROR for p in problems):
        problems.append(
            Problem(None, None, f"terraform validate exited {retcode}: {_tail(stderr)}")
        )
    return problems


def _diagnostic_problem(diagnostic: dict) -> Problem:
    where = diagnostic.get("range") or {}
    context = (diagnostic.get("snippet") or {}).get("context") or ""
    match = _CONTEXT.match(context)
    address = ""
    if match:
        address = ("data." if match[1] == "data" else "") + f"{match[2]}.{match[3]}: "
    detail = " ".join(str(diagnostic.get("detail", "")).split())
    summary = str(diagnostic.get("summary", "")).strip()
    message = f"{address}{summary}: {detail}" if detail else f"{address}{summary}"
    severity = Severity.ERROR if diagnostic.get("severity") == "error" else Severity.WARNING
    return Problem(where.get("filename"), (where.get("start") or {}).get("line"), message, severity)


def fmt_problems(retcode: int, stdout: str, stderr: str) -> list[Problem]:
    """One problem per diff hunk, at the first line `terraform fmt` would change."""
    if retcode == 0:
        return []
    problems: list[Problem] = []
    file: str | None = None
    lines = stdout.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("--- old/"):
            file = line[len("--- old/") :]
        hunk = _HUNK.match(line)
        if hunk and file is not None:
            problems.append(_hunk_problem(file, int(hunk[1]), lines, index + 1))
        index += 1
    if not problems:
        failure = f"terraform fmt exited {retcode}: {_tail(stderr or stdout)}"
        problems.append(Problem(None, None, failure))
    return problems


def _hunk_problem(file: str, start: int, lines: list[str], index: int) -> Problem:
    number = start
    removed: str | None = None
    added: str | None = None
    while index < len(lines) and not lines[index].startswith(("@@", "--- ")):
        text = lines[index]
        if text.startswith("-") and removed is None:
            removed = text[1:]
        elif text.startswith("+") and added is None:
            added = text[1:]
        elif removed is None and added is None:
            number += 1
        index += 1
    if removed is not None and added is not None:
        change = f": {removed.strip()!r} should be {added.strip()!r}"
        if removed.strip() == added.strip():
            change = f": indentation of {removed.strip()!r}"
    else:
        change = ""
    return Problem(file, number, f"not formatted as `terraform fmt` writes it{change}")


def _tail(text: str, limit: int = 300) -> str:
    flat = " ".join(line.strip("│╷╵ ") for line in text.splitlines() if line.strip("│╷╵ "))
    return flat[-limit:] if flat else "no output"
