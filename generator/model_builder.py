"""`Block` tree → typed `Job`: the one place that knows Nomad's stanza names."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

from generator.diagnostics import InputError
from generator.docker_binds import parse_binds
from generator.durations import parse_duration_seconds
from generator.hcl.evaluate import missing_variable
from generator.hcl.tree import Block, Expr
from generator.hcl.unknowns import has_unknown, variables_in
from generator.hcl.values import to_string
from generator.model import (
    Artifact,
    Check,
    Constraint,
    Device,
    DockerConfig,
    EphemeralDisk,
    Group,
    Job,
    Lifecycle,
    Mount,
    Network,
    Periodic,
    Port,
    ReschedulePolicy,
    Resources,
    RestartPolicy,
    ServiceDef,
    Task,
    Template,
    UpdatePolicy,
    Upstream,
    VolumeMount,
    VolumeRequest,
)

T = TypeVar("T")


class _Reader:
    """Typed access to one block's attributes; bad values become `InputError`s."""

    def __init__(self, block: Block) -> None:
        self.block = block

    def _fail(self, name: str, expected: str, value: Any) -> InputError:
        line = self.block.line_of(name)
        if has_unknown(value):
            use = f"{self.block.kind}.{name}"
            return missing_variable(self.block.file, line, variables_in(value), use, expected)
        if isinstance(value, Expr):
            return InputError(
                self.block.file,
                line,
                "unresolved-expression",
                f"{self.block.kind}.{name}: expression {value} could not be evaluated",
            )
        return InputError(
            self.block.file,
            line,
            "invalid-value",
            f"{self.block.kind}.{name} must be {expected}, got {value!r}",
        )

    def _get(self, name: str, convert: Callable[[Any], T], expected: str) -> T | None:
        value = self.block.get(name)
        if value is None:
            return None
        try:
            return convert(value)
        except (TypeError, ValueError):
            raise self._fail(name, expected, value) from None

    def str(self, name: builtins.str) -> builtins.str | None:
        return self._get(name, _to_str, "a string")

    def int(self, name: builtins.str) -> builtins.int | None:
        return self._get(name, _to_int, "a whole number")

    def bool(self, name: builtins.str) -> builtins.bool | None:
        return self._get(name, _to_bool, "true or false")

    def seconds(self, name: builtins.str) -> builtins.int | None:
        return self._get(name, lambda v: parse_duration_seconds(_to_str(v)), "a duration")

    def strings(self, name: builtins.str) -> tuple[builtins.str, ...]:
        value = self.block.get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and not any(isinstance(v, list | dict) for v in value):
            expression = next((v for v in value if isinstance(v, Expr)), None)
            if expression is not None:
                raise self._fail(name, "a list of strings", expression)
            return tuple(_to_str(v) for v in value)
        raise self._fail(name, "a list of strings", value)

    def values(self, name: builtins.str) -> tuple[Any, ...]:
        value = self.block.get(name)
        if value is None:
            return ()
        return tuple(value) if isinstance(value, list) else (value,)

    def mapping(
        self, name: builtins.str
    ) -> tuple[dict[builtins.str, Any], dict[builtins.str, builtins.int]]:
        """A map written as `name { k = v }` blocks or `name = { k = v }`."""
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        attribute = self.block.attributes.get(name)
        if attribute is not None:
            if not isinstance(attribute.value, dict):
                raise self._fail(name, "a map", attribute.value)
            for key, value in attribute.value.items():
                values[key] = value
                lines[key] = attribute.line
        for child in self.block.children(name):
            for key, item in child.attributes.items():
                values[key] = item.value
                lines[key] = item.line
        return values, lines

    def string_map(self, name: builtins.str) -> dict[builtins.str, builtins.str]:
        values, _ = self.mapping(name)
        try:
            return {key: _to_str(value) for key, value in values.items()}
        except TypeError:
            raise self._fail(name, "a map of strings", values) from None

    def int_map(self, name: builtins.str) -> dict[builtins.str, builtins.int]:
        values, _ = self.mapping(name)
        numbers = {}
        for key, value in values.items():
            try:
                numbers[key] = _to_int(value)
            except (TypeError, ValueError):
                raise self._fail(name, "a map of whole numbers", value) from None
        return numbers


def _to_str(value: Any) -> str:
    if isinstance(value, (bool, list | dict | Expr)) or value is None:
        raise TypeError
    return str(value)


def _to_int(value: Any) -> int:
    if isinstance(value, (bool, Expr)):
        raise TypeError
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    return int(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise TypeError


def _label(block: Block) -> str:
    """A block's name; Nomad rejects an empty one, and so do we, with its line."""
    if not block.label.strip():
        raise InputError(
            block.file, block.line, "invalid-value", f"`{block.kind}` block has an empty name"
        )
    return block.label


def build_job(root: Block) -> Job:
    jobs = root.children("job")
    if not jobs:
        raise InputError(root.file, None, "no-job", "no `job` block: this is not a Nomad jobspec")
    if len(jobs) > 1:
        raise InputError(
            root.file, jobs[1].line, "invalid-value", "more than one `job` block in one file"
        )
    return _job(jobs[0])


def _job(block: Block) -> Job:
    r = _Reader(block)
    if not block.labels or not block.label:
        raise InputError(block.file, block.line, "invalid-value", "the job has no name")
    meta, _ = r.mapping("meta")
    periodic = block.child("periodic")
    return Job(
        line=block.line,
        file=block.file,
        name=_label(block),
        type=r.str("type") or "service",
        namespace=r.str("namespace"),
        datacenters=r.strings("datacenters"),
        meta=meta,
        periodic=_periodic(periodic) if periodic else None,
        parameterized=block.child("parameterized") is not None,
        constraints=tuple(_constraint(c) for c in block.children("constraint")),
        update=_update(block.child("update")),
        reschedule=_reschedule(block.child("reschedule")),
        groups=tuple(_group(g) for g in block.children("group")),
    )


def _periodic(block: Block) -> Periodic:
    r = _Reader(block)
    crons = r.strings("crons") or r.strings("cron")
    return Periodic(
        line=block.line,
        crons=crons,
        prohibit_overlap=bool(r.bool("prohibit_overlap")),
        time_zone=r.str("time_zone"),
        enabled=r.bool("enabled") is not False,
    )


def _constraint(block: Block) -> Constraint:
    r = _Reader(block)
    operator = r.str("operator") or "="
    value = r.str("value")
    for shorthand in ("distinct_hosts", "distinct_property"):
        if shorthand in block.attributes:
            operator = shorthand
            value = str(block.get(shorthand))
    return Constraint(line=block.line, attribute=r.str("attribute"), operator=operator, value=value)


def _update(block: Block | None) -> UpdatePolicy | None:
    if block is None:
        return None
    r = _Reader(block)
    return UpdatePolicy(
        line=block.line,
        max_parallel=r.int("max_parallel"),
        health_check=r.str("health_check"),
        min_healthy_time_seconds=r.seconds("min_healthy_time"),
        healthy_deadline_seconds=r.seconds("healthy_deadline"),
        progress_deadline_seconds=r.seconds("progress_deadline"),
        canary=r.int("canary"),
        auto_revert=r.bool("auto_revert"),
        auto_promote=r.bool("auto_promote"),
        field_lines={name: block.line_of(name) for name in block.attributes},
    )


def _group(block: Block) -> Group:
    r = _Reader(block)
    count = r.int("count")
    network_block = block.child("network")
    disk = block.child("ephemeral_disk")
    restart = block.child("restart")
    network, tasks = _with_legacy_ports(
        _network(network_block) if network_block else None,
        tuple(_task(t) for t in block.children("task")),
        block.line,
    )
    return Group(
        line=block.line,
        name=_label(block),
        count=1 if count is None else count,
        network=network,
        services=tuple(_service(s, None) for s in block.children("service")),
        volumes=tuple(_volume(v) for v in block.children("volume")),
        ephemeral_disk=_ephemeral_disk(disk) if disk else None,
        restart=_restart(restart) if restart else None,
        reschedule=_reschedule(block.child("reschedule")),
        constraints=tuple(_constraint(c) for c in block.children("constraint")),
        update=_update(block.child("update")),
        shutdown_delay_seconds=r.seconds("shutdown_delay"),
        meta=r.mapping("meta")[0],
        tasks=tasks,
    )


def _network(block: Block) -> Network:
    r = _Reader(block)
    dns = block.child("dns")
    ports = []
    for port in block.children("port"):
        pr = _Reader(port)
        ports.append(
            Port(
                line=port.line,
                label=_label(port),
                to=pr.int("to"),
                static=pr.int("static"),
                host_network=pr.str("host_network"),
            )
        )
    return Network(
        line=block.line,
        mode=r.str("mode") or "host",
        ports=tuple(ports),
        dns_servers=_Reader(dns).strings("servers") if dns else (),
    )


def _service(block: Block, task: str | None) -> ServiceDef:
    r = _Reader(block)
    port = block.get("port")
    connect = block.child("connect")
    upstreams: list[Upstream] = []
    listener_ports: list[str] = []
    if connect is not None:
        for node in connect.walk():
            if node.kind == "upstreams":
                ur = _Reader(node)
                upstreams.append(
                    Upstream(
                        line=node.line,
                        destination_name=ur.str("destination_name") or "",
                        local_bind_port=ur.int("local_bind_port") or 0,
                    )
                )
            if node.kind == "path" and node.get("listener_port") is not None:
                listener_ports.append(str(node.get("listener_port")))
    meta, _ = r.mapping("meta")
    return ServiceDef(
        line=block.line,
        name=r.str("name"),
        port=port if isinstance(port, int) else r.str("port"),
        tags=r.strings("tags"),
        checks=tuple(_check(c, block.child("check_restart")) for c in block.children("check")),
        provider=r.str("provider") or "consul",
        has_connect=connect is not None,
        connect_sidecar=connect is not None and connect.child("sidecar_service") is not None,
        upstreams=tuple(upstreams),
        expose_listener_ports=tuple(listener_ports),
        task=task or r.str("task"),
        meta=meta,
    )


def _check(block: Block, service_restart: Block | None) -> Check:
    """A check; its own `check_restart` wins over the service's."""
    r = _Reader(block)
    port = block.get("port")
    headers, _ = r.mapping("header")
    # Nomad merges the check's check_restart over the service's, field by field.
    readers = [_Reader(b) for b in (block.child("check_restart"), service_restart) if b]
    # Like Nomad's CheckRestart.Merge, a zero value counts as unset.
    limit = next((n for r in readers if (n := r.int("limit"))), None)
    grace = next((n for r in readers if (n := r.seconds("grace"))), None)
    return Check(
        line=block.line,
        name=r.str("name"),
        type=(r.str("type") or "tcp").lower(),
        path=r.str("path"),
        port=port if isinstance(port, int) else r.str("port"),
        protocol=r.str("protocol"),
        interval_seconds=r.seconds("interval"),
        timeout_seconds=r.seconds("timeout"),
        command=r.str("command"),
        args=r.strings("args"),
        task=r.str("task"),
        grpc_service=r.str("grpc_service"),
        method=r.str("method"),
        headers=headers,
        restart_limit=limit,
        restart_grace_seconds=grace,
    )


def _volume(block: Block) -> VolumeRequest:
    r = _Reader(block)
    return VolumeRequest(
        line=block.line,
        name=_label(block),
        type=r.str("type") or "host",
        source=r.str("source"),
        read_only=bool(r.bool("read_only")),
        access_mode=r.str("access_mode"),
    )


def _ephemeral_disk(block: Block) -> EphemeralDisk:
    r = _Reader(block)
    return EphemeralDisk(
        line=block.line,
        size_mb=r.int("size"),
        sticky=bool(r.bool("sticky")),
        migrate=bool(r.bool("migrate")),
    )


def _restart(block: Block) -> RestartPolicy:
    r = _Reader(block)
    return RestartPolicy(line=block.line, attempts=r.int("attempts"), mode=r.str("mode"))


def _env(block: Block) -> tuple[dict[str, Any], dict[str, int]]:
    """`env` as Nomad decodes it, into map[string]string: numbers and bools as cty
    converts them to strings (`1` → "1", `true` → "true"); null, lists and maps have no
    string form, so Nomad refuses the jobspec, and so do we. Unevaluated expressions
    stay as they are (already reported)."""
    values, lines = _Reader(block).mapping("env")
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, str | Expr):
            converted[name] = value
        elif isinstance(value, bool | int | float):
            converted[name] = to_string(value)
        else:
            shown = "null" if value is None else ("a list" if isinstance(value, list) else "a map")
            raise InputError(
                block.file,
                lines.get(name, block.line),
                "invalid-value",
                f"env.{name} must be a string, number or bool (Nomad's env is a map of "
                f"strings), got {shown}",
            )
    return converted, lines


def _reschedule(block: Block | None) -> ReschedulePolicy | None:
    if block is None:
        return None
    r = _Reader(block)
    return ReschedulePolicy(
        line=block.line, attempts=r.int("attempts"), unlimited=r.bool("unlimited")
    )


def _task(block: Block) -> Task:
    r = _Reader(block)
    env, env_lines = _env(block)
    lifecycle = block.child("lifecycle")
    resources = block.child("resources")
    config = block.child("config")
    return Task(
        line=block.line,
        name=_label(block),
        driver=r.str("driver") or "",
        config=_docker_config(config) if config else DockerConfig(line=block.line),
        env=env,
        env_lines=env_lines,
        resources=_resources(resources) if resources else None,
        templates=tuple(_template(t) for t in block.children("template")),
        lifecycle=_lifecycle(lifecycle) if lifecycle else None,
        volume_mounts=tuple(_volume_mount(v) for v in block.children("volume_mount")),
        services=tuple(_service(s, block.label) for s in block.children("service")),
        user=r.str("user"),
        kill_timeout_seconds=r.seconds("kill_timeout"),
        kill_signal=r.str("kill_signal"),
        kill_signal_line=(
            block.line_of("kill_signal") if "kill_signal" in block.attributes else None
        ),
        shutdown_delay_seconds=r.seconds("shutdown_delay"),
        meta=r.mapping("meta")[0],
        has_vault=block.child("vault") is not None,
        artifacts=tuple(_artifact(a) for a in block.children("artifact")),
        constraints=tuple(_constraint(c) for c in block.children("constraint")),
        is_csi_plugin=block.child("csi_plugin") is not None,
        legacy_ports=_legacy_ports(resources),
    )


def _legacy_ports(resources: Block | None) -> tuple[Port, ...]:
    network = resources.child("network") if resources else None
    return _network(network).ports if network else ()


def _with_legacy_ports(
    network: Network | None, tasks: tuple[Task, ...], line: int
) -> tuple[Network | None, tuple[Task, ...]]:
    """Fold the pre-0.12 port style into the group's network, as Nomad itself does.

    Ports declared in a task's `resources { network {} }` join the group network and
    the task's docker `ports`; docker's `port_map` gives a port its container number (`to`).
    """
    # A group port takes the port_map of the task that lists it, else of any task naming it.
    port_map: dict[str, int] = {}
    for task in sorted(tasks, key=lambda t: not set(t.config.port_map) & set(t.config.ports)):
        for label, number in task.config.port_map.items():
            port_map.setdefault(label, number)
    ports = [
        (
            port.model_copy(update={"to": port_map[port.label]})
            if port.label in port_map and not port.to
            else port
        )
        for port in (network.ports if network else ())
    ]
    numbers = {port.label: port.to for port in ports}
    conflicts: list[tuple[str, str, int | None, int]] = []
    folded = []
    for task in tasks:
        own: list[str] = []
        for port in task.legacy_ports:
            to = task.config.port_map.get(port.label, port.to)
            label = port.label
            if label in numbers and numbers[label] != to:
                # Each task had its own port namespace; a pod has one.
                conflicts.append((task.name, label, to, port.line))
                continue
            if label not in numbers:
                numbers[label] = to
                ports.append(port.model_copy(update={"label": label, "to": to}))
            if label not in task.config.ports and label not in own:
                own.append(label)
        if own:
            config = task.config.model_copy(update={"ports": task.config.ports + tuple(own)})
            task = task.model_copy(update={"config": config})
        folded.append(task)
    if network is None and not ports:
        return None, tuple(folded)
    base = network or Network(line=line)
    update = {"ports": tuple(ports), "legacy_conflicts": tuple(conflicts)}
    return base.model_copy(update=update), tuple(folded)


def _docker_config(block: Block) -> DockerConfig:
    r = _Reader(block)
    command = block.get("command")
    volumes = r.values("volumes")
    mounts = tuple(_mount(m) for m in block.children("mount"))
    volume_driver = r.str("volume_driver")
    binds, unparsed = parse_binds(volumes, mounts, volume_driver, block.line)
    return DockerConfig(
        line=block.line,
        image=block.get("image"),
        args=r.values("args"),
        command=command,
        entrypoint=r.values("entrypoint"),
        ports=r.strings("ports"),
        volumes=volumes,
        mounts=mounts,
        binds=binds,
        unparsed_volumes=unparsed,
        privileged=bool(r.bool("privileged")),
        cap_add=r.strings("cap_add"),
        shm_size=r.int("shm_size"),
        dns_servers=r.strings("dns_servers"),
        runtime=r.str("runtime"),
        work_dir=r.str("work_dir"),
        network_mode=r.str("network_mode"),
        force_pull=bool(r.bool("force_pull")),
        volume_driver=volume_driver,
        cap_drop=r.strings("cap_drop"),
        security_opt=r.strings("security_opt"),
        readonly_rootfs=bool(r.bool("readonly_rootfs")),
        interactive=bool(r.bool("interactive")),
        tty=bool(r.bool("tty")),
        pid_mode=r.str("pid_mode"),
        ipc_mode=r.str("ipc_mode"),
        hostname=r.str("hostname"),
        extra_hosts=r.strings("extra_hosts"),
        group_add=r.strings("group_add"),
        sysctl=r.string_map("sysctl"),
        port_map=r.int_map("port_map"),
        attribute_lines={name: block.line_of(name) for name in block.attributes},
    )


def _mount(block: Block) -> Mount:
    r = _Reader(block)
    target = r.str("target")
    if not target:
        raise InputError(block.file, block.line, "invalid-value", "mount has no target")
    options = block.child("volume_options")
    driver = options.child("driver_config") if options else None
    return Mount(
        line=block.line,
        type=r.str("type") or "volume",
        source=r.str("source"),
        target=target,
        readonly=bool(r.bool("readonly")),
        volume_driver=_Reader(driver).str("name") if driver else None,
        driver_options=_Reader(driver).string_map("options") if driver else {},
        propagation=r.string_map("bind_options").get("propagation"),
    )


def _resources(block: Block) -> Resources:
    r = _Reader(block)
    devices = []
    for device in block.children("device"):
        count = _Reader(device).int("count")
        devices.append(
            Device(line=device.line, name=device.label, count=1 if count is None else count)
        )
    return Resources(
        line=block.line,
        cpu=r.int("cpu"),
        cores=r.int("cores"),
        memory=r.int("memory"),
        memory_max=r.int("memory_max"),
        devices=tuple(devices),
    )


def _template(block: Block) -> Template:
    r = _Reader(block)
    destination = r.str("destination")
    if not destination:
        raise InputError(block.file, block.line, "invalid-value", "template has no destination")
    return Template(
        line=block.line,
        data=r.str("data"),
        source=r.str("source"),
        destination=destination,
        env=bool(r.bool("env")),
        change_mode=r.str("change_mode") or "restart",
        change_signal=r.str("change_signal"),
        perms=r.str("perms"),
        uid=r.int("uid"),
        gid=r.int("gid"),
        left_delimiter=r.str("left_delimiter") or "{{",
        right_delimiter=r.str("right_delimiter") or "}}",
    )


def _lifecycle(block: Block) -> Lifecycle:
    r = _Reader(block)
    return Lifecycle(
        line=block.line, hook=r.str("hook") or "prestart", sidecar=bool(r.bool("sidecar"))
    )


def _volume_mount(block: Block) -> VolumeMount:
    r = _Reader(block)
    return VolumeMount(
        line=block.line,
        volume=r.str("volume") or "",
        destination=r.str("destination") or "",
        read_only=bool(r.bool("read_only")),
        propagation_mode=r.str("propagation_mode"),
    )


def _artifact(block: Block) -> Artifact:
    r = _Reader(block)
    return Artifact(
        line=block.line,
        source=r.str("source") or "",
        destination=r.str("destination"),
        mode=r.str("mode") or "any",
        options=r.string_map("options"),
        has_headers=bool(r.mapping("headers")[0]),
    )
