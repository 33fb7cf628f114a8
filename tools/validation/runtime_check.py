"""The runtime check: what the API server, kubelet and Traefik enforce and no schema says.

Reads the generated `.tf` files (python-hcl2, through `module_files`) and the
router snippet, never the generator's plan, so a hand-edited module is judged
the same way. Rules and their sources: `runtime_rules`. Values the module does
not state literally (a resource attribute, a variable without default) are not
judged: no finding is better than a guessed one.
"""

from __future__ import annotations

from pathlib import Path

from tools.validation.locate import find_shared
from tools.validation.module_files import ModuleSource
from tools.validation.report import Check, Finding
from tools.validation.runtime_model import KubeObject, read_objects
from tools.validation.runtime_object_rules import (
    check_ingress,
    check_object,
    check_service,
    services_by_address,
)
from tools.validation.runtime_pod_rules import Problem, check_pod
from tools.validation.runtime_values import Values
from tools.validation.traefik_snippet import SCHEMA_FILE, SNIPPET_NAMES, check_snippet


def traefik_schema() -> tuple[Path | None, str]:
    """The Traefik v3 file-provider schema from ../shared, or (None, why not)."""
    shared, reason = find_shared()
    if shared is None:
        return None, reason
    path = shared / "schemas" / SCHEMA_FILE
    if not path.is_file():
        return None, f"{path} not found"
    return path, ""


def check_module(module: ModuleSource, schema_path: Path | None) -> list[Finding]:
    values = Values(module)
    objects = read_objects(module, values)
    findings: list[Finding] = []
    pods = [o.pod for o in objects if o.pod is not None]
    services = services_by_address(objects)
    for obj in objects:
        problems = list(check_object(obj, values))
        if obj.pod is not None:
            problems.extend(check_pod(obj.pod, values))
        if obj.kind == "Service":
            problems.extend(check_service(obj, pods, values))
        if obj.kind == "Ingress":
            problems.extend(check_ingress(obj, services, values))
        findings.extend(_findings(obj, problems))
    findings.extend(_snippet_findings(module, schema_path))
    return findings


def _findings(obj: KubeObject, problems: list[Problem]) -> list[Finding]:
    file = obj.resource.block.file
    address = obj.resource.address
    seen: set[tuple[str, int, str]] = set()
    found = []
    for rule, line, message, severity in problems:
        if (rule, line, message) in seen:
            continue
        seen.add((rule, line, message))
        found.append(Finding(file, line, Check.RUNTIME, f"{address}: {message}", severity, rule))
    return found


def _snippet_findings(module: ModuleSource, schema_path: Path | None) -> list[Finding]:
    findings = []
    for name in SNIPPET_NAMES:
        path = module.path / name
        if not path.is_file():
            continue
        shown = module.file_display(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            findings.append(
                Finding(shown, None, Check.RUNTIME, f"unreadable: {error}", rule="traefik-yaml")
            )
            continue
        for problem in check_snippet(text, schema_path):
            findings.append(
                Finding(shown, problem.line, Check.RUNTIME, problem.message, rule=problem.rule)
            )
    return findings
