"""What one generated module contains, in Kubernetes terms, before rendering.

The translator builds a `ModulePlan`; templates render it. Nothing here knows
about Nomad or about HCL syntax: references, templates and names are `generator.plan_values`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.plan_values import Call, Inline, Ref, ResourceName, StringTemplate

# A Kubernetes name in a module: `local.app_name` or `"${local.app_name}-<suffix>"`.
Name = ResourceName


@dataclass
class EnvVar:
    name: str
    value: str | Ref | StringTemplate | None = None
    secret_name: str | Ref | ResourceName | None = None
    secret_key: str | None = None
    field_path: str | None = None


@dataclass
class ContainerPort:
    name: str
    container_port: int
    protocol: str = "TCP"
    host_port: int | None = None


@dataclass
class Probe:
    kind: str  # http_get | tcp_socket | exec | grpc
    port: int | str | None = None
    path: str | None = None
    command: list[str] = field(default_factory=list)
    grpc_service: str | None = None
    period_seconds: int | None = None
    timeout_seconds: int | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    scheme: str | None = None  # HTTPS
    # From check_restart; liveness only.
    failure_threshold: int | None = None
    initial_delay_seconds: int | None = None


@dataclass
class VolumeMountSpec:
    name: str
    mount_path: str
    sub_path: str | None = None
    read_only: bool = False
    mount_propagation: str | None = None  # HostToContainer | Bidirectional


@dataclass
class SecurityContext:
    run_as_user: int | None = None
    run_as_group: int | None = None
    privileged: bool = False
    add_capabilities: list[str] = field(default_factory=list)
    drop_capabilities: list[str] = field(default_factory=list)
    allow_privilege_escalation: bool | None = None
    read_only_root_filesystem: bool = False
    seccomp_profile: str | None = None  # RuntimeDefault | Unconfined


@dataclass
class Container:
    name: str
    image: str | StringTemplate
    image_pull_policy: str | None = None
    working_dir: str | None = None
    stdin: bool = False
    tty: bool = False
    args: list[str] | None = None
    command: list[str] | None = None
    env: list[EnvVar] = field(default_factory=list)
    ports: list[ContainerPort] = field(default_factory=list)
    requests: dict[str, str] = field(default_factory=dict)
    limits: dict[str, str | int] = field(default_factory=dict)
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    volume_mounts: list[VolumeMountSpec] = field(default_factory=list)
    security_context: SecurityContext | None = None
    env_from_secrets: list[ResourceName] = field(default_factory=list)
    pre_stop_command: list[str] = field(default_factory=list)
    pre_stop_sleep_seconds: int | None = None  # of the hook, counted in the grace period


@dataclass
class KeyToPath:
    key: str
    path: str
    mode: str | None = None


@dataclass
class PodVolume:
    name: str
    kind: str  # host_path | empty_dir | config_map | secret | nfs
    path: str | None = None
    server: str | None = None  # nfs
    host_path_type: str | None = None
    size_limit: str | None = None
    medium: str | None = None
    source_name: str | Ref | ResourceName | None = None
    items: list[KeyToPath] = field(default_factory=list)
    default_mode: str | None = None


@dataclass
class Toleration:
    key: str
    operator: str
    value: str | None = None
    effect: str | None = None


@dataclass
class MatchExpression:
    key: str
    operator: str  # In | NotIn | Exists | DoesNotExist
    values: list[str]


@dataclass
class PodSpec:
    containers: list[Container]
    init_containers: list[Container] = field(default_factory=list)
    volumes: list[PodVolume] = field(default_factory=list)
    node_selector: dict[str, str] = field(default_factory=dict)
    node_affinity: list[MatchExpression] = field(default_factory=list)  # all must hold
    host_anti_affinity: dict[str, str | Ref] | None = None  # these pods: one per node
    tolerations: list[Toleration] = field(default_factory=list)
    runtime_class_name: str | None = None
    host_network: bool = False
    host_pid: bool = False
    host_ipc: bool = False
    hostname: str | None = None
    host_aliases: dict[str, list[str]] = field(default_factory=dict)  # ip → host names
    supplemental_groups: list[int] = field(default_factory=list)
    sysctls: dict[str, str] = field(default_factory=dict)
    dns_policy: str | None = None
    termination_grace_period_seconds: int | None = None
    restart_policy: str | None = None
    dns_nameservers: list[str] = field(default_factory=list)
    shm_size: str | None = None


@dataclass
class Workload:
    resource_type: str  # kubernetes_deployment | kubernetes_stateful_set | ...
    tf_name: str
    name: Name
    labels: Ref | Call  # local.labels, or merged with the group's component label
    selector: dict[str, str | Ref]
    pod: PodSpec
    replicas: int | None = None
    strategy: str | None = None  # RollingUpdate | Recreate
    max_surge: str | None = None
    max_unavailable: str | None = None
    min_ready_seconds: int | None = None
    progress_deadline_seconds: int | None = None
    service_name: Name | None = None
    schedule: Ref | None = None
    concurrency_policy: str | None = None
    suspend: bool = False
    time_zone: str | None = None
    backoff_limit: int | None = None
    # Resources to create first (`depends_on`): the ExternalSecret whose Secret the pod reads.
    depends_on: list[Ref] = field(default_factory=list)


@dataclass
class ServicePort:
    name: str
    port: int
    target_port: str | int
    protocol: str = "TCP"


@dataclass
class Service:
    tf_name: str
    name: Name
    selector: dict[str, str | Ref]
    labels: Ref
    ports: list[ServicePort]
    headless: bool = False  # cluster_ip None, for a StatefulSet's pod DNS names


@dataclass(frozen=True)
class IngressPath:
    path: str
    path_type: str = "Prefix"  # Prefix | Exact


@dataclass
class IngressRule:
    host: Ref | Inline


@dataclass
class Ingress:
    tf_name: str
    name: Name
    labels: Ref
    rules: list[IngressRule]
    hosts_for_each: Call | None
    service_tf_name: str
    port_name: str
    ingress_class: str
    annotations: dict[str, str | StringTemplate]
    tls_secret_name: str | None
    tls_hosts: Ref | list[Ref] | Inline | None
    paths: list[IngressPath] = field(default_factory=lambda: [IngressPath("/")])
    hostless_paths: list[IngressPath] = field(default_factory=list)  # any host


@dataclass
class ConfigMap:
    tf_name: str
    name: Name
    labels: Ref
    data: dict[str, str | StringTemplate]


@dataclass
class SecretRef:
    secret_key: str
    remote_key: str
    remote_property: str


@dataclass
class ExternalSecret:
    name: Name
    store_name: str
    store_kind: str
    refresh_interval: str
    target_name: Name
    data: list[SecretRef]
    template_data: dict[str, str | StringTemplate] = field(default_factory=dict)
    extract_keys: list[str] = field(default_factory=list)


@dataclass
class Variable:
    name: str
    type: str
    description: str
    default: object = None
    has_default: bool = True
    sensitive: bool = False


@dataclass
class Output:
    name: str
    description: str
    value: Ref


@dataclass
class TraefikRouter:
    name: str
    rule: str
    service: str
    entrypoints: list[str]
    middlewares: list[str]
    priority: int | None = None
    # Further router options in the file provider's spelling (`tls`, `ruleSyntax`).
    options: dict[str, object] = field(default_factory=dict)


@dataclass
class TraefikMiddleware:
    """A Traefik `Middleware` custom resource in the cluster (`traefik.io/v1alpha1`)."""

    tf_name: str
    name: Name
    spec: dict[str, object]


@dataclass
class ModulePlan:
    service: str
    app_name: str
    labels: dict[str, str | Ref]
    variables: list[Variable] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    ingresses: list[Ingress] = field(default_factory=list)
    config_maps: list[ConfigMap] = field(default_factory=list)
    external_secret: ExternalSecret | None = None
    routers: list[TraefikRouter] = field(default_factory=list)
    middlewares: dict[str, dict] = field(default_factory=dict)  # external Traefik, file provider
    cluster_middlewares: list[TraefikMiddleware] = field(default_factory=list)

    @property
    def uses_kubectl(self) -> bool:
        return self.external_secret is not None or bool(self.cluster_middlewares)
