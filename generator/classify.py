"""Which migration pattern each group follows, and why (contract: A to E, worker)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from generator.diagnostics import InputError
from generator.model import GPU_VENDORS, Group, Job, Task


class Pattern(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


PATTERN_TITLES = {
    Pattern.A: "stateless Deployment",
    Pattern.B: "StatefulSet with litestream SQLite replication",
    Pattern.C: "persistent data on hostPath",
    Pattern.D: "GPU workload",
    Pattern.E: "CronJob",
}
# When groups differ, the job is named after the most demanding one.
PRECEDENCE = [Pattern.E, Pattern.B, Pattern.D, Pattern.C, Pattern.A]


@dataclass
class GroupClass:
    group: str
    pattern: Pattern
    worker: bool
    reasons: list[str] = field(default_factory=list)


@dataclass
class Classification:
    pattern: Pattern
    groups: dict[str, GroupClass]
    reasons: list[str]


def gpu_devices(group: Group) -> list[str]:
    reasons = []
    for task in group.tasks:
        devices = task.resources.devices if task.resources else ()
        gpus = [device for device in devices if device.name.startswith(GPU_VENDORS)]
        for device in gpus:
            reasons.append(f"task {task.name!r} asks for device {device.name!r} x{device.count}")
        if not gpus and task.config.runtime == "nvidia":
            reasons.append(f"task {task.name!r} runs with docker's nvidia runtime (one GPU)")
    return reasons


def litestream_shape(group: Group) -> list[str]:
    """A prestart task restoring an SQLite file and a sidecar replicating it."""
    restore = [t for t in group.tasks if t.is_init and _is_litestream(t, "restore")]
    replicate = [t for t in group.tasks if t.is_sidecar and _is_litestream(t, "replicate")]
    if restore and replicate:
        return [
            f"prestart task {restore[0].name!r} restores and sidecar {replicate[0].name!r}"
            " replicates an SQLite database with litestream"
        ]
    return []


def _is_litestream(task: Task, verb: str) -> bool:
    image = task.config.image if isinstance(task.config.image, str) else ""
    words = " ".join([str(a) for a in task.config.args] + [str(task.config.command or "")])
    return "litestream" in (image + " " + words) and verb in words


def persistent_volumes(group: Group) -> list[str]:
    reasons = []
    requests = {v.name: v for v in group.volumes}
    for task in group.tasks:
        for mount in task.volume_mounts:
            request = requests.get(mount.volume)
            if request and not request.read_only and not mount.read_only:
                reasons.append(
                    f"task {task.name!r} writes to {request.type} volume"
                    f" {request.source or request.name!r} at {mount.destination}"
                )
        for bind in task.config.binds:
            if bind.read_only:
                continue
            if bind.kind == "bind" and not bind.is_docker_volume and bind.source.startswith("/"):
                reasons.append(f"task {task.name!r} bind-mounts {bind.source} writable")
            elif bind.keeps_data_on_node:
                reasons.append(f"task {task.name!r} writes to docker volume {bind.source!r}")
    return reasons


def has_ports_or_routes(group: Group) -> bool:
    if group.network and group.network.ports:
        return True
    return any(service.port is not None for service in group.all_services())


def classify_group(job: Job, group: Group) -> GroupClass:
    worker = not has_ports_or_routes(group)
    suffix = [f"group {group.name!r} has no ports and no routes: a worker, no Service or Ingress"]
    if job.periodic is not None:
        crons = ", ".join(job.periodic.crons)
        return GroupClass(group.name, Pattern.E, worker, [f"job is periodic ({crons})"])
    gpu = gpu_devices(group)
    litestream = litestream_shape(group)
    if litestream:
        reasons = litestream + [f"{reason} (kept as a GPU limit)" for reason in gpu]
        return GroupClass(group.name, Pattern.B, worker, reasons + (suffix if worker else []))
    if gpu:
        return GroupClass(group.name, Pattern.D, worker, gpu + (suffix if worker else []))
    persistent = persistent_volumes(group)
    if persistent:
        return GroupClass(group.name, Pattern.C, worker, persistent + (suffix if worker else []))
    reasons = [f"group {group.name!r} keeps no persistent data"]
    return GroupClass(group.name, Pattern.A, worker, reasons + (suffix if worker else []))


def classify(job: Job, override: Pattern | None) -> Classification:
    groups = {group.name: classify_group(job, group) for group in job.groups}
    if override is not None:
        _check_override(job, override, groups)
        for group_class in groups.values():
            group_class.reasons.insert(0, f"--pattern {override.value} given")
            group_class.pattern = override
    present = {c.pattern for c in groups.values()}
    pattern = next((p for p in PRECEDENCE if p in present), Pattern.A)
    reasons = []
    for group_class in groups.values():
        label = f"{group_class.group}: {group_class.pattern.value}"
        if group_class.worker:
            label += " (worker)"
        reasons.append(f"{label}: " + "; ".join(group_class.reasons))
    return Classification(pattern, groups, reasons)


def _check_override(job: Job, override: Pattern, groups: dict[str, GroupClass]) -> None:
    def fail(reason: str) -> InputError:
        return InputError(job.file, job.line, "pattern-conflict", f"--pattern {override}: {reason}")

    if override is Pattern.E and job.periodic is None:
        raise fail("the job has no `periodic` block, so it cannot become a CronJob")
    if override is not Pattern.E and job.periodic is not None:
        raise fail("the job is periodic; only pattern E (CronJob) keeps its schedule")
    if override is Pattern.D and not any(gpu_devices(g) for g in job.groups):
        raise fail("no task asks for a GPU `device`")
    if override is Pattern.B and not any(litestream_shape(g) for g in job.groups):
        raise fail("no group restores and replicates an SQLite file with litestream")
