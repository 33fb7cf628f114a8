"""The module's `README.md`: what it was made from, how to wire it in, and the cut-over runbook."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.diagnostics import Diagnostic, Severity
from generator.k8s_plan import Container, ModulePlan, PodVolume, Workload
from generator.render.hcl_values import hcl_value
from generator.translate.name_limits import resolved_name
from generator.wiring import ModuleInput, inline_hcl, module_label, root_module_block

# How `kubectl rollout status` and friends name each workload kind.
KUBECTL_KIND = {
    "kubernetes_deployment": "deployment",
    "kubernetes_stateful_set": "statefulset",
    "kubernetes_daemon_set_v1": "daemonset",
    "kubernetes_job_v1": "job",
    "kubernetes_cron_job_v1": "cronjob",
}
PATTERN_NAMES = {
    "A": "stateless Deployment",
    "B": "StatefulSet with litestream SQLite replication",
    "C": "persistent data on hostPath",
    "D": "GPU workload",
    "E": "CronJob",
    "F": "background worker",
}


@dataclass(frozen=True)
class ReadmeSource:
    """What the README says about where the module came from."""

    jobspec: str
    job_name: str
    pattern: str
    reasons: list[str]
    diagnostics: list[Diagnostic]
    module_source: str = ""  # the root module's `source`, e.g. ./modules-k8s/<service>
    # With overrides or additions: what the module's final files declare, each override applied.
    inputs: list[ModuleInput] | None = None
    outputs: list[tuple[str, str]] | None = None
    overridden: list[str] = field(default_factory=list)
    # Files beside the generated ones: (file name, where it comes from).
    additions: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class HostPathData:
    workload: str
    volume: str
    path: str
    mounts: list[str]
    node: str | None


@dataclass
class ReadmeFacts:
    service: str
    source: ReadmeSource
    inputs: list[ModuleInput]
    outputs: list[tuple[str, str]]
    root_block: str
    label: str
    workloads: list[tuple[str, str]] = field(default_factory=list)  # kubectl kind, name
    hosts: list[str] = field(default_factory=list)
    host_data: list[HostPathData] = field(default_factory=list)
    secret_keys: list[tuple[str, str]] = field(default_factory=list)  # path, property
    secret_paths: list[str] = field(default_factory=list)  # read whole
    decisions: list[Diagnostic] = field(default_factory=list)
    namespace: str = "default"


def shown_path(path: str) -> str:
    """`path` as the README shows it: relative to the working folder when it lies inside it,
    so the README reads the same however the jobspec was named on the command line."""
    if not os.path.isabs(path):
        return path
    return _relative_to(path, os.getcwd())


@lru_cache(maxsize=256)  # a README shows the same jobspec path on every diagnostic
def _relative_to(path: str, folder: str) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path


def module_inputs(plan: ModulePlan) -> list[ModuleInput]:
    return [
        ModuleInput(v.name, v.type, v.description, v.default, required=not v.has_default)
        for v in plan.variables
    ]


def readme_facts(plan: ModulePlan, source: ReadmeSource) -> ReadmeFacts:
    inputs = module_inputs(plan) if source.inputs is None else source.inputs
    module_source = source.module_source or f"./modules-k8s/{plan.service}"
    facts = ReadmeFacts(
        service=plan.service,
        source=source,
        inputs=inputs,
        outputs=(
            [(o.name, o.description) for o in plan.outputs]
            if source.outputs is None
            else source.outputs
        ),
        root_block=root_module_block(plan.service, module_source, inputs),
        label=module_label(plan.service),
        namespace=_namespace(plan),
    )
    for workload in plan.workloads:
        name = resolved_name(workload.name, plan.app_name) or hcl_value(workload.name)
        facts.workloads.append((KUBECTL_KIND.get(workload.resource_type, "deployment"), name))
        facts.host_data.extend(_host_data(workload, name))
    facts.hosts = _hosts(plan)
    if plan.external_secret is not None:
        facts.secret_keys = sorted(
            {(ref.remote_key, ref.remote_property) for ref in plan.external_secret.data}
        )
        facts.secret_paths = sorted(set(plan.external_secret.extract_keys))
    facts.decisions = [d for d in source.diagnostics if d.severity is not Severity.INFO]
    return facts


def _namespace(plan: ModulePlan) -> str:
    for variable in plan.variables:
        if variable.name == "namespace" and isinstance(variable.default, str):
            return variable.default
    return "default"


def _hosts(plan: ModulePlan) -> list[str]:
    hosts: list[str] = []
    for variable in plan.variables:
        if variable.name == "hostname" and isinstance(variable.default, str):
            hosts.append(variable.default)
        elif variable.name == "hostnames" and isinstance(variable.default, list | tuple):
            hosts.extend(str(h) for h in variable.default)
    return list(dict.fromkeys(hosts))


def _host_data(workload: Workload, name: str) -> Iterable[HostPathData]:
    containers: list[Container] = [*workload.pod.init_containers, *workload.pod.containers]
    node = workload.pod.node_selector.get("kubernetes.io/hostname")
    for volume in workload.pod.volumes:
        if volume.kind != "host_path" or volume.path is None:
            continue
        yield HostPathData(
            workload=name,
            volume=volume.name,
            path=volume.path,
            mounts=list(_mounts(volume, containers)),
            node=node,
        )


def _mounts(volume: PodVolume, containers: list[Container]) -> Iterable[str]:
    for container in containers:
        for mount in container.volume_mounts:
            if mount.name == volume.name:
                where = posixpath.join(mount.mount_path, mount.sub_path or "")
                mode = " (read-only)" if mount.read_only else ""
                yield f"{container.name}:{where.rstrip('/') or '/'}{mode}"


def markdown_cell(text: object) -> str:
    """Text that stays inside one cell of a Markdown table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def markdown_code(text: object) -> str:
    """Inline code that holds any text: the fence is longer than any backtick run in it."""
    value = str(text).replace("\n", " ")
    fence = "`" * (_longest_backtick_run(value) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def default_cell(item: ModuleInput) -> str:
    if item.required:
        return "n/a"
    return markdown_cell(markdown_code(inline_hcl(item.default)))


def markdown_text(text: object) -> str:
    """Prose from the jobspec on one line, Markdown's own characters taken literally."""
    value = " ".join(str(text).split())
    return value.translate(_MARKDOWN_ESCAPED)


_MARKDOWN_ESCAPED = str.maketrans({char: "\\" + char for char in "\\`*_[]<>|#"})
_BACKTICK_RUN = re.compile("`+")


def _longest_backtick_run(text: str) -> int:
    if "`" not in text:
        return 0
    return max(len(run) for run in _BACKTICK_RUN.findall(text))


def markdown_fence(text: str, indent: int = 3) -> str:
    """A fenced `sh` block, indented into a list item, longer than any backtick run in it."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    pad = " " * indent
    body = "".join(pad + line if line.strip() else line for line in text.splitlines(True))
    return f"{pad}{fence}sh\n{body}{pad}{fence}\n"


def markdown_name(name: str) -> str:
    """An input or output name in link text, underscores escaped as terraform-docs writes them."""
    return name.replace("_", "\\_")
