"""Typed model of a Nomad job, as far as the generator reads it.

Every node keeps the line it came from. Values that HCL could not reduce to a
literal stay `Expr`; the translator reports them instead of guessing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from generator.docker_binds import Bind

# Device names Nomad's GPU plugins register (`device "nvidia/gpu"`).
GPU_VENDORS = ("nvidia/gpu", "nvidia", "gpu")


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    line: int


class Port(Node):
    label: str
    to: int | None = None
    static: int | None = None
    host_network: str | None = None


class Network(Node):
    mode: str = "host"
    ports: tuple[Port, ...] = ()
    dns_servers: tuple[str, ...] = ()
    # Pre-0.12 task ports whose label another task uses for another number: (task, label,
    # number, line).
    legacy_conflicts: tuple[tuple[str, str, int | None, int], ...] = ()


class Check(Node):
    name: str | None = None
    type: str
    path: str | None = None
    port: str | int | None = None
    protocol: str | None = None
    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    command: str | None = None
    args: tuple[str, ...] = ()
    task: str | None = None
    grpc_service: str | None = None
    method: str | None = None
    headers: dict[str, Any] = Field(default_factory=dict)
    restart_limit: int | None = None  # check_restart: restart after this many failures
    restart_grace_seconds: int | None = None  # check_restart: failures ignored after start


class Upstream(Node):
    destination_name: str
    local_bind_port: int


class ServiceDef(Node):
    name: str | None = None
    port: str | int | None = None
    tags: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    provider: str = "consul"
    has_connect: bool = False
    connect_sidecar: bool = False  # connect { sidecar_service }: Envoy in the task's netns
    upstreams: tuple[Upstream, ...] = ()
    expose_listener_ports: tuple[str, ...] = ()
    task: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class VolumeRequest(Node):
    name: str
    type: str
    source: str | None = None
    read_only: bool = False
    access_mode: str | None = None


class EphemeralDisk(Node):
    size_mb: int | None = None
    sticky: bool = False
    migrate: bool = False


class RestartPolicy(Node):
    attempts: int | None = None
    mode: str | None = None


class ReschedulePolicy(Node):
    attempts: int | None = None
    unlimited: bool | None = None


class Constraint(Node):
    attribute: str | None = None
    operator: str = "="
    value: str | None = None


class UpdatePolicy(Node):
    """An `update` block as written: None where the jobspec leaves a field unset."""

    max_parallel: int | None = None
    health_check: str | None = None
    min_healthy_time_seconds: int | None = None
    healthy_deadline_seconds: int | None = None
    progress_deadline_seconds: int | None = None
    canary: int | None = None
    auto_revert: bool | None = None
    auto_promote: bool | None = None
    field_lines: dict[str, int] = Field(default_factory=dict)


class Periodic(Node):
    crons: tuple[str, ...]
    prohibit_overlap: bool = False
    time_zone: str | None = None
    enabled: bool = True


class Lifecycle(Node):
    hook: str
    sidecar: bool = False


class Device(Node):
    name: str
    count: int = 1


class Resources(Node):
    cpu: int | None = None
    cores: int | None = None
    memory: int | None = None
    memory_max: int | None = None
    devices: tuple[Device, ...] = ()


class Mount(Node):
    type: str = "volume"
    source: str | None = None
    target: str
    readonly: bool = False
    volume_driver: str | None = None  # volume_options.driver_config.name
    driver_options: dict[str, str] = Field(default_factory=dict)
    propagation: str | None = None  # bind_options.propagation


class DockerConfig(Node):
    # Values as the jobspec wrote them: a string, usually; anything else is reported.
    image: object = None
    args: tuple[object, ...] = ()
    command: object = None
    entrypoint: tuple[object, ...] = ()
    ports: tuple[str, ...] = ()
    volumes: tuple[object, ...] = ()
    mounts: tuple[Mount, ...] = ()
    # `volumes` and `mount` blocks parsed (generator.docker_binds); entries not parsed.
    binds: tuple[Bind, ...] = ()
    unparsed_volumes: tuple[object, ...] = ()
    privileged: bool = False
    cap_add: tuple[str, ...] = ()
    shm_size: int | None = None
    dns_servers: tuple[str, ...] = ()
    runtime: str | None = None
    work_dir: str | None = None
    network_mode: str | None = None
    force_pull: bool = False
    volume_driver: str | None = None
    cap_drop: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    readonly_rootfs: bool = False
    interactive: bool = False
    tty: bool = False
    pid_mode: str | None = None
    ipc_mode: str | None = None
    hostname: str | None = None
    extra_hosts: tuple[str, ...] = ()
    group_add: tuple[str, ...] = ()
    sysctl: dict[str, str] = Field(default_factory=dict)
    port_map: dict[str, int] = Field(default_factory=dict)  # label → container port (legacy)
    attribute_lines: dict[str, int] = Field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.attribute_lines.get(name, self.line)


class Template(Node):
    data: str | None = None
    source: str | None = None
    destination: str
    env: bool = False
    change_mode: str = "restart"
    change_signal: str | None = None
    perms: str | None = None
    uid: int | None = None
    gid: int | None = None
    left_delimiter: str = "{{"
    right_delimiter: str = "}}"


class VolumeMount(Node):
    volume: str
    destination: str
    read_only: bool = False
    propagation_mode: str | None = None


class Artifact(Node):
    source: str
    destination: str | None = None
    mode: str = "any"  # any | file | dir
    options: dict[str, str] = Field(default_factory=dict)
    has_headers: bool = False


class Task(Node):
    name: str
    driver: str
    config: DockerConfig
    env: dict[str, Any] = Field(default_factory=dict)
    env_lines: dict[str, int] = Field(default_factory=dict)
    resources: Resources | None = None
    templates: tuple[Template, ...] = ()
    lifecycle: Lifecycle | None = None
    volume_mounts: tuple[VolumeMount, ...] = ()
    services: tuple[ServiceDef, ...] = ()
    user: str | None = None
    kill_timeout_seconds: int | None = None
    kill_signal: str | None = None
    kill_signal_line: int | None = None
    shutdown_delay_seconds: int | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    has_vault: bool = False
    artifacts: tuple[Artifact, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    is_csi_plugin: bool = False
    legacy_ports: tuple[Port, ...] = ()  # `resources { network { port ... } }`, before Nomad 0.12

    @property
    def is_main(self) -> bool:
        return self.lifecycle is None

    @property
    def gpu_count(self) -> int:
        """GPUs the task asks for: `device "nvidia/gpu"`, or docker's nvidia runtime (one)."""
        devices = self.resources.devices if self.resources else ()
        count = sum(d.count for d in devices if d.name.startswith(GPU_VENDORS))
        if count == 0 and self.config.runtime == "nvidia":
            return 1
        return count

    @property
    def is_sidecar(self) -> bool:
        return self.lifecycle is not None and self.lifecycle.sidecar

    @property
    def is_init(self) -> bool:
        return (
            self.lifecycle is not None
            and self.lifecycle.hook == "prestart"
            and not self.lifecycle.sidecar
        )


class Group(Node):
    name: str
    count: int = 1
    network: Network | None = None
    services: tuple[ServiceDef, ...] = ()
    volumes: tuple[VolumeRequest, ...] = ()
    ephemeral_disk: EphemeralDisk | None = None
    restart: RestartPolicy | None = None
    reschedule: ReschedulePolicy | None = None
    constraints: tuple[Constraint, ...] = ()
    update: UpdatePolicy | None = None
    shutdown_delay_seconds: int | None = None
    meta: dict[str, Any] = Field(default_factory=dict)
    tasks: tuple[Task, ...] = ()

    def all_services(self) -> tuple[ServiceDef, ...]:
        return self.services + tuple(s for task in self.tasks for s in task.services)


class Job(Node):
    file: str
    name: str
    type: str = "service"
    namespace: str | None = None
    datacenters: tuple[str, ...] = ()
    meta: dict[str, Any] = Field(default_factory=dict)
    periodic: Periodic | None = None
    parameterized: bool = False
    constraints: tuple[Constraint, ...] = ()
    update: UpdatePolicy | None = None
    reschedule: ReschedulePolicy | None = None
    groups: tuple[Group, ...] = ()
