"""Pod-level settings: constraints → node selectors, GPU placement, grace period, DNS."""

from __future__ import annotations

from generator.k8s_plan import PodSpec, Toleration
from generator.model import Group, Job
from generator.render.hcl_values import Raw
from generator.translate.constraints import place_by_constraints
from generator.translate.context import Context


def placement(
    job: Job, group: Group, pod: PodSpec, selector: dict[str, str | Raw], ctx: Context
) -> None:
    constraints = (
        job.constraints + group.constraints + tuple(c for t in group.tasks for c in t.constraints)
    )
    place_by_constraints(constraints, pod, selector, ctx, f"group[{group.name}].constraint")
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
