"""One Nomad task → its container, within the scope its group's tasks share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from generator.docker_binds import Bind
from generator.k8s_plan import (
    ConfigMap,
    Container,
    ContainerPort,
    KeyToPath,
    Probe,
    VolumeMountSpec,
)
from generator.model import Check, Group, Job, Task, VolumeMount
from generator.plan_values import LOCAL_LABELS, Ref, resource_name_of
from generator.translate.artifacts import artifact_init_containers
from generator.translate.containers import (
    DOCKER_LIKE_DRIVERS,
    ImageVariables,
    build_container,
    container_image,
    fill_fixed_values,
    probe_for,
    task_cpu_memory,
)
from generator.translate.context import Context
from generator.translate.interpolation import PodFacts
from generator.translate.name_scopes import check_distinct_port_names
from generator.translate.names import GroupNames, k8s_name, tf_identifier
from generator.translate.ports import (
    assign_ports,
    carries_udp,
    group_ports,
    owner_task,
    port_name,
    port_names,
    service_port_number,
    static_host_ports,
    udp_port_name,
)
from generator.translate.secrets import TARGET_NAME, SecretsCollector, translate_dynamic_template
from generator.translate.stop_signal import pre_stop
from generator.translate.templates import (
    ConfigFile,
    TaskTemplates,
    config_key,
    file_targets,
    mode_of,
    translate_static_templates,
)
from generator.translate.volumes import PodVolumes, binds_of


def _probe_for_task(
    group: Group,
    task: Task,
    names: dict[str, str],
    numbers: dict[str, int],
    declared: dict[str, int],
    ctx: Context,
) -> tuple[Probe | None, Probe | None]:
    """The task's readiness probe (its first check) and the first check with check_restart,
    Nomad's restart trigger; `declared`: its container's ports, name → number."""
    probes = []
    for index, service in enumerate(group.all_services()):
        if owner_task(group, service, numbers) is not task:
            continue
        number = service_port_number(service, numbers)
        default = names.get(str(service.port)) or names.get(str(number)) or number
        for check_index, check in enumerate(service.checks):
            path = f"service[{service.name or index}].check[{check_index}]"
            if check.task and check.task != task.name:
                continue
            probe = probe_for(check, names, default, ctx, path)
            if probe is not None:
                probe = _own_port(probe, names, numbers, declared, check, ctx, path)
            if probe is not None:
                probes.append((check, probe, path))
    if not probes:
        return None, None
    restarting = next((probe for _, probe, _ in probes if probe.failure_threshold), None)
    for check, probe, path in probes[1:]:
        if probe is not restarting:
            ctx.dropped(
                f"check {check.name or check.type!r}: a container has one readiness probe (the"
                " first check) and one liveness probe (the first check with check_restart)",
                check.line,
                path,
            )
    return probes[0][1], restarting


def _own_port(
    probe: Probe,
    names: dict[str, str],
    numbers: dict[str, int],
    declared: dict[str, int],
    check: Check,
    ctx: Context,
    path: str,
) -> Probe | None:
    """The kubelet resolves a probe's named port in the probe's own container only: a port
    another container declares is probed by its number (the pod shares one network); a name
    no port of the group has would keep the pod unready for good, so it is reported."""
    if not isinstance(probe.port, str) or probe.port.isdigit() or probe.port in declared:
        return probe
    number = numbers.get(probe.port)
    if number is None:
        number = next((n for label, n in numbers.items() if names.get(label) == probe.port), None)
    if number is None:
        ctx.needs_decision(
            f"check {check.name or check.type!r} probes port {check.port or probe.port!r}, which"
            " the group does not declare: no probe; give the check a declared port",
            check.line,
            path,
        )
        return None
    return replace(probe, port=number)


def _container_ports(
    owned: dict[str, int],
    names: dict[str, str],
    numbers: dict[str, int],
    host_ports: dict[str, int],
) -> list[ContainerPort]:
    """A container's ports: a static one binds its node port, a UDP service's gets a UDP twin."""
    ports = []
    for label, number in owned.items():
        labels = [label] + [other for other, n in numbers.items() if n == number]
        host = next((host_ports[x] for x in labels if x in host_ports), None)
        ports.append(ContainerPort(names[label], number, host_port=host))
        if any(carries_udp(x, number) for x in labels):
            ports.append(ContainerPort(udp_port_name(names[label]), number, "UDP", host))
    return ports


def _report_dropped_ports(group: Group, dropped: dict[str, str], ctx: Context) -> None:
    for port in group.network.ports if group.network else ():
        if port.label in dropped:
            ctx.unsupported(
                f"port {port.label!r} belongs to task {dropped[port.label]!r}, which is not"
                " carried: no container declares it and no Service targets it",
                port.line,
                f"group[{group.name}].network.port[{port.label}]",
            )


def _config_map_for(
    task: Task, files: list[ConfigFile], names: GroupNames, labels: Ref
) -> tuple[ConfigMap, str, list[VolumeMountSpec]]:
    tf_name = tf_identifier(f"{names.tf_name}_{task.name}")
    config_map = ConfigMap(
        tf_name=tf_name,
        name=names.with_suffix(k8s_name(f"{task.name}-config")),
        labels=labels,
        data={f.key: f.content for f in files},
    )
    volume_name = k8s_name(f"{task.name}-config")
    mounts = [
        VolumeMountSpec(volume_name, target.mount_path, f.key, True)
        for f in files
        for target in f.targets
    ]
    return config_map, volume_name, mounts


@dataclass
class GroupScope:
    """What the tasks of one group share while each becomes a container."""

    job: Job
    group: Group
    names: GroupNames
    images: ImageVariables
    jobspec_dir: Path | None
    secrets: SecretsCollector
    ctx: Context
    numbers: dict[str, int]  # port label → number
    owners: dict[str, dict[str, int]]  # task name → the ports its container declares
    claimed: dict[str, str]  # port label → the task that names it in its config or service
    names_by_label: dict[str, str]  # port label → port name; tasks add their own
    host_ports: dict[str, int]
    volumes: PodVolumes
    upstreams: dict[str, int]
    config_maps: list[ConfigMap] = field(default_factory=list)


@dataclass
class TranslatedTask:
    container: Container
    fetchers: list[Container]  # init containers fetching the task's artifacts


def group_scope(
    job: Job,
    group: Group,
    names: GroupNames,
    images: ImageVariables,
    jobspec_dir: Path | None,
    secrets: SecretsCollector,
    ctx: Context,
) -> GroupScope:
    numbers = group_ports(group, ctx)
    check_distinct_port_names(group, numbers, ctx.file)
    assignment = assign_ports(group, numbers)
    names_by_label = port_names(numbers)
    _report_dropped_ports(group, assignment.dropped, ctx)
    host_ports = static_host_ports(group, numbers)
    volumes = PodVolumes(ctx, group)
    upstreams = {
        u.destination_name: u.local_bind_port for s in group.all_services() for u in s.upstreams
    }
    return GroupScope(
        job,
        group,
        names,
        images,
        jobspec_dir,
        secrets,
        ctx,
        numbers,
        assignment.owners,
        assignment.claimed,
        names_by_label,
        host_ports,
        volumes,
        upstreams,
    )


def runs_as_container(task: Task, ctx: Context) -> bool:
    if task.driver not in DOCKER_LIKE_DRIVERS:
        ctx.unsupported(
            f"task {task.name!r} uses the {task.driver!r} driver; only docker and podman"
            " tasks become containers",
            task.line,
            f"task[{task.name}].driver",
        )
        return False
    if task.lifecycle and not task.is_init and not task.is_sidecar:
        ctx.unsupported(
            f"task {task.name!r} is a {task.lifecycle.hook} hook without sidecar; Kubernetes"
            " runs no container after the main ones start or stop",
            task.lifecycle.line,
            f"task[{task.name}].lifecycle",
        )
        return False
    return True


def translate_task(scope: GroupScope, task: Task) -> TranslatedTask:
    """One task → its container and the init containers fetching its artifacts."""
    job, group, ctx, volumes = scope.job, scope.group, scope.ctx, scope.volumes
    cpu, memory = task_cpu_memory(task)
    facts = PodFacts(
        job_name=job.name,
        group_name=group.name,
        task_name=task.name,
        namespace=ctx.settings.namespace,
        ports=scope.numbers,
        sibling_ports={
            label: (owner, scope.numbers[label])
            for label, owner in scope.claimed.items()
            if owner != task.name
        },
        cpu=cpu,
        memory=memory,
        upstreams=scope.upstreams,
        meta={k: str(v) for k, v in (job.meta | group.meta | task.meta).items()},
        connect_sidecar=any(s.connect_sidecar for s in group.all_services()),
    )
    binds = binds_of(task, ctx, facts)
    mounts = _volume_mounts(scope, task)
    for bind in binds:
        spec = volumes.bind_mount(task, bind)
        if spec is not None:
            mounts.append(spec)
    templates, rendered_files, env_from_secret = _task_files(scope, task, facts, binds)
    _add_task_dir_mounts(task, volumes, mounts)
    for label in scope.owners.get(task.name, {}):
        scope.names_by_label.setdefault(label, port_name(label))
    ports = _container_ports(
        scope.owners.get(task.name, {}), scope.names_by_label, scope.numbers, scope.host_ports
    )
    declared = {p.name: p.container_port for p in ports if p.protocol == "TCP"}
    probe, restart_probe = (
        (None, None)
        if task.is_init
        else _probe_for_task(group, task, scope.names_by_label, scope.numbers, declared, ctx)
    )
    facts.env_names = frozenset(task.env) | {env.name for env in templates.env}
    container = build_container(
        task,
        container_image(task, scope.images, ctx, facts),
        facts,
        ports,
        _sorted_mounts(rendered_files, mounts),
        probe,
        templates.env,
        ctx,
        restart_probe,
    )
    if env_from_secret:
        container.env_from_secrets.append(TARGET_NAME)
    hook = pre_stop(task, group, ctx)
    if hook is not None:
        container.pre_stop_command = hook.command
        container.pre_stop_sleep_seconds = hook.sleep_seconds
    fetchers = artifact_init_containers(
        task, volumes, ctx, partial(fill_fixed_values, task=task, facts=facts)
    )
    for fetcher in fetchers:
        for mount in fetcher.volume_mounts:
            if not any(m.mount_path == mount.mount_path for m in container.volume_mounts):
                container.volume_mounts.append(mount)
    return TranslatedTask(container, fetchers)


def _volume_mounts(scope: GroupScope, task: Task) -> list[VolumeMountSpec]:
    """The task's `volume_mount`s of the group's volumes."""
    mounts: list[VolumeMountSpec] = []
    for mount in task.volume_mounts:
        volume = scope.volumes.group_volume(mount.volume, not mount.read_only)
        if volume is None:
            scope.ctx.needs_decision(
                f"volume_mount names volume {mount.volume!r}, which the group does not declare",
                mount.line,
                f"task[{task.name}].volume_mount",
            )
            continue
        request = next(v for v in scope.group.volumes if v.name == mount.volume)
        mounts.append(
            VolumeMountSpec(
                volume,
                mount.destination,
                None,
                mount.read_only or request.read_only,
                _mount_propagation(task, mount, scope.ctx),
            )
        )
    return mounts


def _task_files(
    scope: GroupScope, task: Task, facts: PodFacts, binds: list[Bind]
) -> tuple[TaskTemplates, list[VolumeMountSpec], bool]:
    """The task's templates: env, the mounts of the files rendered into a ConfigMap or the
    Secret, and whether the container takes its env from the Secret."""
    ctx, volumes = scope.ctx, scope.volumes
    rendered_files: list[VolumeMountSpec] = []
    templates, dynamic = translate_static_templates(
        task, binds, scope.jobspec_dir, ctx, scope.upstreams
    )
    secret_files: list[ConfigFile] = []
    env_from_secret = False
    for template, text in dynamic:
        where = f"task[{task.name}].template[{template.destination}]"
        outcome = translate_dynamic_template(task, facts, template, text, scope.secrets, ctx, where)
        templates.env.extend(outcome.env)
        env_from_secret = env_from_secret or outcome.env_from_secret
        taken = {f.key for f in templates.files}
        for static_template, static_text in outcome.static_files:
            targets = file_targets(static_template.destination, binds)
            key = config_key(static_template.destination, taken)
            templates.files.append(
                ConfigFile(static_template, key, static_text, targets, mode_of(static_template))
            )
        for secret_template, key in outcome.secret_files:
            targets = file_targets(secret_template.destination, binds)
            secret_files.append(
                ConfigFile(secret_template, key, "", targets, mode_of(secret_template))
            )
    if secret_files:
        volume = volumes.config_files(
            "secrets",
            TARGET_NAME,
            [KeyToPath(f.key, f.key, f.mode) for f in secret_files],
            secret=True,
        )
        rendered_files.extend(
            VolumeMountSpec(volume, target.mount_path, f.key, True)
            for f in secret_files
            for target in f.targets
        )
    if templates.files:
        config_map, volume_name, file_mounts = _config_map_for(
            task, templates.files, scope.names, LOCAL_LABELS
        )
        scope.config_maps.append(config_map)
        volumes.config_files(
            volume_name,
            resource_name_of("kubernetes_config_map", config_map.tf_name),
            [KeyToPath(f.key, f.key, f.mode) for f in templates.files],
        )
        rendered_files.extend(file_mounts)
    return templates, rendered_files, env_from_secret


def _add_task_dir_mounts(task: Task, volumes: PodVolumes, mounts: list[VolumeMountSpec]) -> None:
    """/alloc, /local, /secrets where the task uses them, and /dev/shm for shm_size."""
    if _uses_task_dir(task, "alloc") or any(m.name == "alloc" for m in mounts):
        name = volumes.task_dir(task, "alloc")
        if not any(m.name == name and m.sub_path is None for m in mounts):
            mounts.append(VolumeMountSpec(name, "/alloc"))
    if _uses_task_dir(task, "local") and not any(m.mount_path == "/local" for m in mounts):
        mounts.append(VolumeMountSpec(volumes.task_dir(task, "local"), "/local"))
    if _uses_task_dir(task, "secrets") and not any(m.mount_path == "/secrets" for m in mounts):
        mounts.append(VolumeMountSpec(volumes.task_dir(task, "secrets"), "/secrets"))
    if task.config.shm_size:
        mounts.append(VolumeMountSpec(volumes.shared_memory(task), "/dev/shm"))


def _uses_task_dir(task: Task, which: str) -> bool:
    marker = {
        "alloc": "NOMAD_ALLOC_DIR",
        "local": "NOMAD_TASK_DIR",
        "secrets": "NOMAD_SECRETS_DIR",
    }[which]
    texts = [str(v) for v in task.env.values()] + [str(a) for a in task.config.args]
    texts.append(str(task.config.command or ""))
    texts.extend(t.data or "" for t in task.templates)
    return any(marker in text or f"/{which}/" in text for text in texts)


def _sorted_mounts(
    file_mounts: list[VolumeMountSpec], mounts: list[VolumeMountSpec]
) -> list[VolumeMountSpec]:
    """One mount per path; a rendered file wins over the empty task dir bound there."""
    unique: dict[str, VolumeMountSpec] = {}
    for mount in file_mounts + mounts:
        unique.setdefault(mount.mount_path, mount)
    return list(unique.values())


# Nomad's volume_mount propagation modes and the Kubernetes mount_propagation of each.
MOUNT_PROPAGATION = {
    "private": None,
    "host-to-task": "HostToContainer",
    "bidirectional": "Bidirectional",
}


def _mount_propagation(task: Task, mount: VolumeMount, ctx: Context) -> str | None:
    mode = mount.propagation_mode
    if mode is None:
        return None
    if mode not in MOUNT_PROPAGATION:
        ctx.needs_decision(
            f"propagation_mode {mode!r} is not one of {', '.join(MOUNT_PROPAGATION)}",
            mount.line,
            f"task[{task.name}].volume_mount",
        )
        return None
    if mode == "bidirectional":
        ctx.needs_decision(
            "propagation_mode bidirectional needs a privileged container in Kubernetes",
            mount.line,
            f"task[{task.name}].volume_mount",
        )
    return MOUNT_PROPAGATION[mode]
