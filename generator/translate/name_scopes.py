"""Names that must be unique within a pod, checked on the Nomad names they come from.

Sanitising folds distinct Nomad names together (`web_a` and `web-a` both become `web-a`,
`HTTP` and `http` both `http`); Kubernetes refuses a pod with two containers of one name
(core/validation: validateContainers, "Duplicate value"), and one port name would stand for
two numbers. A clash is an `invalid-name` input error naming both sources with their lines.
Env var names are passed as written, so one Kubernetes refuses is an input error too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.diagnostics import InputError
from generator.model import Group, Job
from generator.translate.names import k8s_name_or_empty
from generator.translate.ports import port_name

# apimachinery's IsRelaxedEnvVarName (kubernetes/kubernetes#123385): the strict
# `[-._a-zA-Z][-._a-zA-Z0-9]*` of older API servers is not enforced here.
_ENV_NAME = re.compile(r"[\x20-\x3c\x3e-\x7e]+")


@dataclass(frozen=True)
class _Source:
    what: str  # `task "web_a"`
    line: int | None


class _Scope:
    """The names composed in one scope (one pod's containers, one group's ports)."""

    def __init__(self, kind: str, where: str, file: str) -> None:
        self.kind, self.where, self.file = kind, where, file
        self.claimed: dict[str, _Source] = {}

    def claim(self, name: str, source: _Source) -> None:
        if not name:  # nothing usable: reported as a stand-in where the name is made
            return
        first = self.claimed.setdefault(name, source)
        if first == source:
            return
        first_line = f" (line {first.line})" if first.line is not None else ""
        raise InputError(
            self.file,
            source.line,
            "invalid-name",
            f"{source.what} and {first.what}{first_line} both become the {self.kind} name"
            f" {name!r} in {self.where}: rename one",
        )


def check_names(job: Job) -> None:
    """Raise `invalid-name` when two tasks (or their artifacts' init containers) in one group
    compose the same container name, or an env var has a name Kubernetes refuses."""
    for group in job.groups:
        for task in group.tasks:
            for env in task.env:
                if not _ENV_NAME.fullmatch(env):
                    raise InputError(
                        job.file,
                        task.env_lines.get(env, task.line),
                        "invalid-name",
                        f"env {env!r} of task {task.name!r}: Kubernetes takes env names of"
                        " printable ASCII characters other than '='",
                    )
        where = f"group {group.name!r}"
        containers = _Scope("container", where, job.file)
        for task in group.tasks:
            source = _Source(f"task {task.name!r}", task.line)
            containers.claim(k8s_name_or_empty(task.name), source)
            for index, artifact in enumerate(task.artifacts):
                containers.claim(
                    k8s_name_or_empty(f"artifact-{index + 1}-{task.name}"),
                    _Source(f"the init container of task {task.name!r}'s artifact", artifact.line),
                )


def check_distinct_port_names(group: Group, numbers: Mapping[str, int], file: str) -> None:
    """Raise `invalid-name` when two of the ports the pod declares (`numbers`: label → number)
    compose the same port name."""
    ports = _Scope("port", f"group {group.name!r}", file)
    for port in group.network.ports if group.network else ():
        if port.label in numbers:
            ports.claim(port_name(port.label), _Source(f"port {port.label!r}", port.line))
