"""Names Kubernetes and Terraform accept, derived from Nomad names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.diagnostics import InputError
from generator.k8s_plan import Name
from generator.plan_values import ResourceName

# A DNS-1035 label: a Service's name must be one, and every name in a module starts with it.
_SERVICE_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")


def service_name_problem(service: str) -> str | None:
    """Why `service` cannot name a module and its Kubernetes resources, or None."""
    if _SERVICE_NAME.fullmatch(service):
        return None
    suggestion = k8s_name_or_empty(service)
    if suggestion[:1].isdigit():
        suggestion = f"app-{suggestion}"[:63].rstrip("-")
    hint = f" (for example {suggestion!r})" if suggestion else ""
    return (
        f"service name {service!r} must be at most 63 lower case letters, digits and '-',"
        f" starting with a letter and not ending with '-'{hint}"
    )


def k8s_name_or_empty(name: str) -> str:
    try:
        return k8s_name(name)
    except InputError:
        return ""


def k8s_name(name: str, file: str = "", line: int | None = None) -> str:
    """A DNS-1123 label: lower case, digits and '-', at most 63 characters."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:63].rstrip("-")
    if not cleaned:
        raise InputError(file, line, "invalid-name", f"{name!r} cannot be made a Kubernetes name")
    return cleaned


# A ConfigMap (or Secret) data key: apimachinery's IsConfigMapKey.
CONFIG_MAP_KEY_MAX = 253
_NOT_IN_CONFIG_MAP_KEY = re.compile(r"[^-._a-zA-Z0-9]+")


def config_map_key(name: str, taken: set[str]) -> str:
    """A data key for file `name`: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`, `..`
    or starting with `..`; numbered `2-<key>`, `3-<key>`... when `taken` has it."""
    base = _NOT_IN_CONFIG_MAP_KEY.sub("-", name).strip("-")
    base = re.sub(r"^\.{2,}", ".", base)
    if base in ("", "."):
        base = "file"
    key, counter = base[:CONFIG_MAP_KEY_MAX], 2
    while key in taken:
        key = f"{counter}-{base}"[:CONFIG_MAP_KEY_MAX]
        counter += 1
    taken.add(key)
    return key


def tf_identifier(name: str) -> str:
    """A Terraform identifier for resource and variable names."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not cleaned:
        return "x"
    return cleaned if not cleaned[0].isdigit() else f"n_{cleaned}"


def unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        candidate = (
            f"{name}_{counter}" if "_" in name or name.isidentifier() else f"{name}-{counter}"
        )
        counter += 1
    taken.add(candidate)
    return candidate


APP_NAME = ResourceName()


def app_name_with(suffix: str) -> ResourceName:
    """`"${local.app_name}-<suffix>"`."""
    return ResourceName(f"-{suffix}")


def name_with_suffix(name: Name, extra: str) -> ResourceName:
    """`name` with literal text appended: `"${local.app_name}-web"` + `-2`."""
    return name.with_suffix(extra)


@dataclass
class GroupNames:
    """How one group's resources are named inside the job's module."""

    tf_name: str
    name: Name
    suffix: str | None  # None when the group is named like the job (or is alone)

    def with_suffix(self, extra: str) -> ResourceName:
        if self.suffix is None:
            return app_name_with(extra)
        return app_name_with(f"{self.suffix}-{extra}")
