"""Length limits Kubernetes puts on each kind of name, checked once a module's names are known.

Names are `ResourceName`s (the app name and a suffix); the checks resolve them with the
module's app name.
"""

from __future__ import annotations

from generator.diagnostics import InputError
from generator.k8s_plan import ModulePlan, Name

# The longest name each resource may have, and why.
MAX_NAME_LENGTH: dict[str, tuple[int, str]] = {
    "kubernetes_service": (63, "a Service name is a DNS label"),
    "kubernetes_stateful_set": (52, "its pods' controller-revision-hash label adds 11 characters"),
    "kubernetes_cron_job_v1": (52, "the Jobs it creates add 11 characters"),
    "kubernetes_job_v1": (63, "its pods carry it in the job-name label"),
    "kubernetes_deployment": (253, "a Deployment name is a DNS subdomain"),
    "kubernetes_daemon_set_v1": (253, "a DaemonSet name is a DNS subdomain"),
    "kubernetes_ingress_v1": (253, "an Ingress name is a DNS subdomain"),
    "kubernetes_config_map": (253, "a ConfigMap name is a DNS subdomain"),
}


def resolved_name(name: Name, app_name: str) -> str | None:
    """The literal name behind `name`, or None when it depends on something else."""
    return name.resolved(app_name)


def check_name_lengths(plan: ModulePlan, file: str, line: int | None) -> None:
    """Raise an `invalid-name` input error for the first name Kubernetes would refuse."""
    named = [(w.resource_type, w.name) for w in plan.workloads]
    named += [("kubernetes_service", s.name) for s in plan.services]
    named += [("kubernetes_ingress_v1", i.name) for i in plan.ingresses]
    named += [("kubernetes_config_map", c.name) for c in plan.config_maps]
    seen: set[tuple[str, object]] = set()
    for resource_type, name in named:
        resolved = resolved_name(name, plan.app_name)
        if resolved is not None and (resource_type, resolved) in seen:
            raise InputError(
                file,
                line,
                "invalid-name",
                f"two {resource_type} resources would both be named {resolved!r}:"
                " rename a group",
            )
        seen.add((resource_type, resolved or name))
        limit, reason = MAX_NAME_LENGTH[resource_type]
        if resolved is not None and len(resolved) > limit:
            raise InputError(
                file,
                line,
                "invalid-name",
                f"{resource_type} name {resolved!r} is {len(resolved)} characters, over"
                f" {limit} ({reason}): choose a shorter service or group name",
            )
