"""Pod-level settings: constraints → node selectors, GPU placement, grace period, DNS."""

from __future__ import annotations

from generator.k8s_plan import PodSpec, Toleration
from generator.model import Group, Job
from generator.translate.context import Context


def placement(job: Job, group: Group, pod: PodSpec, ctx: Context) -> None:
    constraints = (
        job.constraints + group.constraints + tuple(c for t in group.tasks for c in t.constraints)
    )
    arch_set = False
    for constraint in constraints:
        attribute = (constraint.attribute or "").replace(" ", "")
        where = f"group[{group.name}].constraint"
        if (
            attribute == "${node.unique.name}"
            and constraint.operator in {"=", "=="}
            and constraint.value
        ):
            pod.node_selector["kubernetes.io/hostname"] = constraint.value
        elif attribute == "${attr.cpu.arch}" and constraint.value:
            arch_set = True
            if constraint.operator in {"=", "=="}:
                pod.node_selector["kubernetes.io/arch"] = constraint.value
            elif constraint.operator in {"!=", "not"}:
                pod.arch_affinity = [
                    a
                    for a in (ctx.settings.arch_affinity or ["amd64", "arm64"])
                    if a != constraint.value
                ]
            else:
                ctx.needs_decision(
                    f"arch constraint operator {constraint.operator!r}", constraint.line, where
                )
        elif constraint.operator == "distinct_hosts":
            ctx.needs_decision(
                "distinct_hosts: add pod anti-affinity on kubernetes.io/hostname by hand",
                constraint.line,
                where,
            )
        else:
            ctx.unsupported(
                f"constraint on {constraint.attribute} {constraint.operator} {constraint.value}"
                " has no node label mapping",
                constraint.line,
                where,
            )
    if not arch_set and ctx.settings.arch_affinity:
        pod.arch_affinity = list(ctx.settings.arch_affinity)
    if any(c.limits.get("nvidia.com/gpu") for c in pod.containers + pod.init_containers):
        gpu = ctx.settings.gpu
        pod.node_selector.update(gpu.node_selector)
        pod.tolerations = [
            Toleration(t.key, t.operator, t.value, t.effect) for t in gpu.tolerations
        ]
        pod.runtime_class_name = gpu.runtime_class_name
    kill = max((t.kill_timeout_seconds or 0 for t in group.tasks), default=0)
    if kill:
        pod.termination_grace_period_seconds = kill
    servers = list(group.network.dns_servers) if group.network else []
    for task in group.tasks:
        servers.extend(s for s in task.config.dns_servers if s not in servers)
    if servers:
        pod.dns_nameservers = servers
        ctx.needs_decision(
            "dns servers become dns_config nameservers added to the cluster's; check dns_policy",
            group.network.line if group.network and group.network.dns_servers else group.line,
            f"group[{group.name}].dns",
        )
