"""One Nomad group → one Kubernetes workload, its Service, Ingress and config files."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.classify import GroupClass, Pattern
from generator.diagnostics import InputError, Severity
from generator.k8s_plan import ConfigMap, Container, PodSpec, Service, Workload
from generator.model import Group, Job
from generator.plan_values import LOCAL_APP_NAME, LOCAL_LABELS, Call, Ref, var
from generator.translate.context import Context
from generator.translate.names import GroupNames
from generator.translate.placement import placement
from generator.translate.rollout import apply_update
from generator.translate.services import HEADLESS_SUFFIX, headless_service, service_and_routes
from generator.translate.tasks import GroupScope, runs_as_container, translate_task
from generator.translate.traefik import RouterTags
from generator.translate.volumes import PodVolumes


@dataclass
class GroupOutput:
    workloads: list[Workload] = field(default_factory=list)
    service: Service | None = None
    headless_service: Service | None = None
    routers: list[RouterTags] = field(default_factory=list)
    middlewares: dict[str, dict[str, str]] = field(default_factory=dict)
    middleware_lines: dict[str, int] = field(default_factory=dict)
    http_port_name: str | None = None
    config_maps: list[ConfigMap] = field(default_factory=list)


def _report_node_ports(
    group: Group, pod: PodSpec, numbers: dict[str, int], host_ports: dict[str, int], ctx: Context
) -> None:
    """Ports bound on the node: a static port (host_port), any port on the host network."""
    declared = [p for c in pod.containers for p in c.ports]
    fixed = ctx.port_numbers.get(group.name, ({}, set()))[1]
    for port in group.network.ports if group.network else ():
        where = f"group[{group.name}].network.port[{port.label}]"
        if port.label in host_ports and not pod.host_network:
            ctx.needs_decision(
                f"static port {port.static} of {port.label!r}: Nomad bound it on the node, so"
                f" the pod binds host_port {port.static}: one such pod per node, and a rolling"
                " update needs another node free",
                port.line,
                f"{where}.static",
            )
        elif port.label in fixed and pod.host_network:
            ctx.needs_decision(
                f"dynamic port {port.label!r} is fixed at {numbers[port.label]} on the host"
                " network: another pod on the node listening on it (a second replica, another"
                " module) fails to bind; Nomad picked a free port per node",
                port.line,
                where,
            )
    if pod.host_network:
        # On the host network every container port is a node port; host_port is implied.
        for container_port in declared:
            container_port.host_port = None


def _binds_node_ports(pod: PodSpec) -> bool:
    """A second pod of it on the same node could not bind its ports."""
    ports = [p for c in pod.containers for p in c.ports]
    return any(p.host_port for p in ports) or (pod.host_network and bool(ports))


def translate_group(
    scope: GroupScope, group_class: GroupClass, multi_workload: bool, stateful_set: bool
) -> GroupOutput:
    """The group's tasks → containers → its pod, workloads, Service and routes."""
    group, names, ctx = scope.group, scope.names, scope.ctx
    selector: dict[str, str | Ref] = {"app": LOCAL_APP_NAME}
    labels: Ref | Call = LOCAL_LABELS
    if multi_workload:
        component = names.suffix or ctx.k8s(group.name, "group", group.line, f"group[{group.name}]")
        selector["component"] = component
        labels = Call("merge", (labels, {"component": component}))

    containers: list[Container] = []
    init_containers: list[Container] = []
    artifact_slot = 0
    for task in group.tasks:
        if not runs_as_container(task, ctx):
            continue
        translated = translate_task(scope, task)
        # Nomad fetches a task's artifacts before any of its prestart tasks run.
        init_containers[artifact_slot:artifact_slot] = translated.fetchers
        artifact_slot += len(translated.fetchers)
        (init_containers if task.is_init else containers).append(translated.container)

    if not containers:
        raise InputError(
            ctx.file,
            group.line,
            "no-containers",
            f"group {group.name!r} has no task that can run as a container",
        )
    return _group_output(
        scope, group_class, selector, labels, containers, init_containers, stateful_set
    )


def _group_output(
    scope: GroupScope,
    group_class: GroupClass,
    selector: dict[str, str | Ref],
    labels: Ref | Call,
    containers: list[Container],
    init_containers: list[Container],
    stateful_set: bool,
) -> GroupOutput:
    """The group's pod → its workloads, Service and routes."""
    job, group, names, ctx, volumes = scope.job, scope.group, scope.names, scope.ctx, scope.volumes
    numbers, host_ports = scope.numbers, scope.host_ports
    output = GroupOutput(config_maps=scope.config_maps)
    volumes.prune({m.name for c in containers + init_containers for m in c.volume_mounts})
    pod = PodSpec(
        containers=containers, init_containers=init_containers, volumes=volumes.pod_volumes()
    )
    placement(job, group, pod, selector, ctx)
    _report_node_ports(group, pod, numbers, host_ports, ctx)
    workloads = _workloads(
        job, group, group_class, names, pod, selector, labels, volumes, ctx, stateful_set
    )
    apply_update(workloads, job, group, ctx)
    output.workloads.extend(workloads)
    container_port_names = {p.name for c in containers for p in c.ports}
    routing = service_and_routes(
        group, group_class, names, numbers, selector, container_port_names, ctx
    )
    output.service, output.routers = routing.service, routing.routers
    output.http_port_name = routing.http_port_name
    output.middlewares = routing.middlewares
    output.middleware_lines = routing.middleware_lines
    if any(w.resource_type == "kubernetes_stateful_set" for w in workloads):
        output.headless_service = headless_service(
            names, numbers, scope.names_by_label, selector, container_port_names
        )
    return output


def _workload(
    kind: str, names: GroupNames, pod: PodSpec, labels: Ref | Call, selector: dict
) -> Workload:
    return Workload(
        resource_type=kind,
        tf_name=names.tf_name,
        name=names.name,
        labels=labels,
        selector=selector,
        pod=pod,
    )


# Nomad's policies for a batch job that sets none (structs.DefaultBatchJobRestartPolicy and
# DefaultBatchJobReschedulePolicy): a failed task restarts in place 3 times (within 24h), then
# the allocation is rescheduled once, where it again gets 3 restarts.
BATCH_RESTART_ATTEMPTS = 3
BATCH_RESCHEDULE_ATTEMPTS = 1


def _batch_retries(job: Job, group: Group, pod: PodSpec, ctx: Context) -> int | None:
    """The Job's backoff_limit, and its pod's restart policy, for the tries Nomad makes:
    (restarts + 1) x (reschedules + 1) runs in all. In-place restarts are `OnFailure`, whose
    container restarts the backoff_limit counts; without restarts each try is a new pod."""
    restart = group.restart
    attempts = restart.attempts if restart and restart.attempts is not None else None
    reschedules = [r for r in (group.reschedule, job.reschedule) if r is not None]
    unlimited = next((r.unlimited for r in reschedules if r.unlimited is not None), None)
    moves = next((r.attempts for r in reschedules if r.attempts is not None), None)
    restarts = BATCH_RESTART_ATTEMPTS if attempts is None else attempts
    pod.restart_policy = "OnFailure" if restarts else "Never"
    where = f"group[{group.name}]"
    if unlimited:
        line = next(r.line for r in reschedules if r.unlimited is not None)
        ctx.needs_decision(
            "reschedule.unlimited: Nomad retries the batch task without end, a Job stops after"
            " backoff_limit failures; set it by hand",
            line,
            f"{where}.reschedule.unlimited",
        )
        return None
    unset = [
        name for name, value in (("restart", attempts), ("reschedule", moves)) if value is None
    ]
    moves = BATCH_RESCHEDULE_ATTEMPTS if moves is None else moves
    backoff = (restarts + 1) * (moves + 1) - 1
    if unset:
        ctx.report(
            Severity.INFO,
            "nomad-default",
            f"group {group.name!r} sets no {' and no '.join(unset)} attempts: Nomad restarts a"
            f" failed batch task {restarts} times in place, then reschedules it {moves} time(s)"
            f" with as many restarts; carried as restart_policy {pod.restart_policy} and"
            f" backoff_limit {backoff}",
            group.line,
            where,
        )
    return backoff


def _workloads(
    job: Job,
    group: Group,
    group_class: GroupClass,
    names: GroupNames,
    pod: PodSpec,
    selector: dict,
    labels: Ref | Call,
    volumes: PodVolumes,
    ctx: Context,
    stateful_set: bool,
) -> list[Workload]:
    if group_class.pattern is Pattern.E:
        return _cron_jobs(job, group, names, pod, selector, labels, ctx)
    if job.type == "batch":
        workload = _workload("kubernetes_job_v1", names, pod, labels, selector)
        workload.backoff_limit = _batch_retries(job, group, pod, ctx)
        return [workload]
    if job.type == "system":
        return [_workload("kubernetes_daemon_set_v1", names, pod, labels, selector)]
    stateful = group_class.pattern is Pattern.B or (
        group_class.pattern is Pattern.C and stateful_set
    )
    kind = "kubernetes_stateful_set" if stateful else "kubernetes_deployment"
    workload = _workload(kind, names, pod, labels, selector)
    workload.replicas = group.count
    if stateful:
        workload.service_name = names.with_suffix(HEADLESS_SUFFIX)
    if volumes.writable_host_paths or group_class.pattern is Pattern.C:
        workload.strategy = "Recreate" if not stateful else "RollingUpdate"
    elif (pod.host_anti_affinity or _binds_node_ports(pod)) and not stateful:
        # One pod per node leaves no room for a surge pod: replace like Nomad, stop then start.
        workload.strategy = "RollingUpdate"
        workload.max_surge, workload.max_unavailable = "0", "1"
    return [workload]


def _cron_jobs(
    job: Job,
    group: Group,
    names: GroupNames,
    pod: PodSpec,
    selector: dict,
    labels: Ref | Call,
    ctx: Context,
) -> list[Workload]:
    assert job.periodic is not None
    backoff = _batch_retries(job, group, pod, ctx)
    workloads = []
    crons = job.periodic.crons or ("",)
    for index, _cron in enumerate(crons):
        suffix = "" if index == 0 else f"_{index + 1}"
        variable = "schedule" if index == 0 else f"schedule_{index + 1}"
        workload = _workload(
            "kubernetes_cron_job_v1",
            GroupNames(
                names.tf_name + suffix,
                names.name if index == 0 else names.with_suffix(str(index + 1)),
                names.suffix,
            ),
            pod,
            labels,
            selector,
        )
        workload.schedule = var(variable)
        workload.concurrency_policy = "Forbid" if job.periodic.prohibit_overlap else None
        workload.suspend = not job.periodic.enabled
        workload.time_zone = job.periodic.time_zone
        workload.backoff_limit = backoff
        workloads.append(workload)
    return workloads
