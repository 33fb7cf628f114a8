"""A group's `update` block, merged over the job's, → how its workload rolls out."""

from __future__ import annotations

from typing import NamedTuple

from generator.k8s_plan import Workload
from generator.model import Group, Job, UpdatePolicy
from generator.translate.context import Context

_SETTINGS = tuple(name for name in UpdatePolicy.model_fields if name not in ("line", "field_lines"))
_RUN_TO_COMPLETION = frozenset({"kubernetes_job_v1", "kubernetes_cron_job_v1"})
_ROLLING_KINDS = frozenset({"kubernetes_deployment", "kubernetes_daemon_set_v1"})
ALL_AT_ONCE = "100%"
KUBERNETES_PROGRESS_DEADLINE = 600


class _Merged(NamedTuple):
    policy: UpdatePolicy
    paths: dict[str, str]  # field → the path of the block it came from

    def line(self, name: str) -> int:
        return self.policy.field_lines.get(name, self.policy.line)

    def path(self, name: str) -> str:
        return f"{self.paths.get(name, self.paths[''])}.{name}"


def _merged(job: Job, group: Group) -> _Merged | None:
    """Nomad merges the job's and the group's blocks field by field, the group's winning."""
    job_path = f"job[{job.name}].update"
    group_path = f"job[{job.name}].group[{group.name}].update"
    if group.update is None:
        return None if job.update is None else _Merged(job.update, {"": job_path})
    if job.update is None:
        return _Merged(group.update, {"": group_path})
    values = {name: getattr(job.update, name) for name in _SETTINGS}
    paths = {"": group_path} | {name: job_path for name in job.update.field_lines}
    lines = dict(job.update.field_lines)
    for name in _SETTINGS:
        if getattr(group.update, name) is not None:
            values[name] = getattr(group.update, name)
    for name, line in group.update.field_lines.items():
        lines[name] = line
        paths[name] = group_path
    return _Merged(UpdatePolicy(line=group.update.line, field_lines=lines, **values), paths)


def apply_update(workloads: list[Workload], job: Job, group: Group, ctx: Context) -> None:
    merged = _merged(job, group)
    if merged is None or not workloads:
        return
    if workloads[0].resource_type in _RUN_TO_COMPLETION:
        ctx.dropped(
            "the update block has no effect: a Job runs to completion and is never rolled out",
            merged.policy.line,
            merged.paths[""],
        )
        return
    for workload in workloads:
        _apply(workload, merged, ctx)


def _apply(workload: Workload, merged: _Merged, ctx: Context) -> None:
    update = merged.policy
    _replacement(workload, merged, ctx)
    if update.min_healthy_time_seconds:
        workload.min_ready_seconds = update.min_healthy_time_seconds
    if update.progress_deadline_seconds is not None:
        _progress_deadline(workload, update.progress_deadline_seconds, merged, ctx)
    _deadline_after_readiness(workload, merged, ctx)
    if update.health_check in _HEALTH_CHECKS:
        report, message = _HEALTH_CHECKS[update.health_check]
        getattr(ctx, report)(message, merged.line("health_check"), merged.path("health_check"))
    if update.auto_revert:
        ctx.unsupported(
            "auto_revert = true: Kubernetes does not roll a failed rollout back by itself;"
            " watch `kubectl rollout status` and run `kubectl rollout undo`",
            merged.line("auto_revert"),
            merged.path("auto_revert"),
        )


_HEALTH_CHECKS = {
    "task_states": (
        "dropped",
        "health_check = task_states: pods count as ready once running and their readiness"
        " probes (if any) pass",
    ),
    "manual": (
        "unsupported",
        "health_check = manual: Kubernetes promotes pods on readiness; pause a rollout with"
        " `kubectl rollout pause` instead",
    ),
}


def _replacement(workload: Workload, merged: _Merged, ctx: Context) -> None:
    """How many old pods go, and new ones come, at a time: max_parallel and canaries."""
    update, kind = merged.policy, workload.resource_type
    canary = update.canary or 0
    surging = canary and update.auto_promote and kind == "kubernetes_deployment"
    if surging and workload.strategy != "Recreate":
        # Auto-promoted canaries start before any old pod stops: a surge, with nothing unavailable.
        workload.strategy = "RollingUpdate"
        workload.max_surge, workload.max_unavailable = str(canary), "0"
        if update.max_parallel not in (None, 1):
            ctx.dropped(
                f"max_parallel = {update.max_parallel}: after the canaries the Deployment keeps"
                f" surging {canary} pod(s) at a time",
                merged.line("max_parallel"),
                merged.path("max_parallel"),
            )
        return
    if canary:
        reason = (
            "the Deployment uses Recreate, because a writable hostPath must not be mounted by"
            " an old and a new pod at once"
            if surging
            else f"a {_kind_name(kind)} has no canaries"
            + ("" if update.auto_promote else " and no manual promotion")
            + "; use a second workload or a progressive-delivery controller (Argo Rollouts,"
            " Flagger)"
        )
        ctx.unsupported(
            f"canary = {canary}: {reason}", merged.line("canary"), merged.path("canary")
        )
    if update.max_parallel is not None:
        _max_parallel(
            workload,
            update.max_parallel,
            ctx,
            merged.line("max_parallel"),
            merged.path("max_parallel"),
        )


def _progress_deadline(workload: Workload, deadline: int, merged: _Merged, ctx: Context) -> None:
    line, where = merged.line("progress_deadline"), merged.path("progress_deadline")
    if workload.resource_type != "kubernetes_deployment":
        kind = _kind_name(workload.resource_type)
        ctx.dropped(f"progress_deadline: a {kind} has no progress deadline", line, where)
    elif deadline == 0:
        ctx.dropped(
            "progress_deadline = 0 disables Nomad's deadline; a Deployment keeps its 600s",
            line,
            where,
        )
    else:
        workload.progress_deadline_seconds = deadline


def _deadline_after_readiness(workload: Workload, merged: _Merged, ctx: Context) -> None:
    """Kubernetes refuses a Deployment whose progress deadline is not after min_ready_seconds."""
    ready = workload.min_ready_seconds
    if workload.resource_type != "kubernetes_deployment" or not ready:
        return
    deadline = workload.progress_deadline_seconds or KUBERNETES_PROGRESS_DEADLINE
    if deadline > ready:
        return
    workload.progress_deadline_seconds = ready + KUBERNETES_PROGRESS_DEADLINE
    ctx.needs_decision(
        f"progress deadline set to {workload.progress_deadline_seconds}s: Kubernetes needs it"
        f" longer than min_healthy_time ({ready}s)",
        merged.line("min_healthy_time"),
        merged.path("min_healthy_time"),
    )


def _max_parallel(workload: Workload, value: int, ctx: Context, line: int, where: str) -> None:
    kind = workload.resource_type
    single = workload.replicas == 1  # one pod is replaced alone, whatever the strategy says
    if kind not in _ROLLING_KINDS:
        if value != 1 and not single:
            ctx.dropped(
                f"max_parallel = {value}: a {_kind_name(kind)} replaces one pod at a time",
                line,
                where,
            )
        return
    if workload.strategy == "Recreate":
        if single:
            return
        ctx.dropped(
            f"max_parallel = {value}: the Deployment uses Recreate, because a writable hostPath"
            " must not be mounted by an old and a new pod at once",
            line,
            where,
        )
        return
    workload.strategy = "RollingUpdate"
    workload.max_unavailable = str(value) if value > 0 else ALL_AT_ONCE
    if kind == "kubernetes_deployment":
        workload.max_surge = "0"


def _kind_name(resource_type: str) -> str:
    return {
        "kubernetes_deployment": "Deployment",
        "kubernetes_stateful_set": "StatefulSet",
        "kubernetes_daemon_set_v1": "DaemonSet",
    }.get(resource_type, resource_type)
