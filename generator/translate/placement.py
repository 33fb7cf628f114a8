"""Pod-level settings: constraints → node selectors, GPU placement, grace period, DNS."""

from __future__ import annotations

import ipaddress
import posixpath

from generator.k8s_plan import PodSpec, Toleration
from generator.model import Group, Job, Task
from generator.plan_values import Ref
from generator.settings import Settings
from generator.translate.constraints import HOSTNAME_LABEL, place_by_constraints
from generator.translate.containers import DOCKER_LIKE_DRIVERS
from generator.translate.context import Context
from generator.translate.names import k8s_name_or_empty


def placement(
    job: Job, group: Group, pod: PodSpec, selector: dict[str, str | Ref], ctx: Context
) -> None:
    constraints = group.constraints + tuple(c for t in group.tasks for c in t.constraints)
    place_by_constraints(
        job.constraints, constraints, pod, selector, ctx, f"group[{group.name}].constraint"
    )
    containers = [t for t in group.tasks if t.driver in DOCKER_LIKE_DRIVERS]
    _network_mode(containers, pod, ctx)
    for task in containers:
        _host_namespaces(task, pod, ctx)
        _host_names(task, pod, ctx)
        _groups_and_sysctls(task, pod, ctx)
    if any(c.limits.get("nvidia.com/gpu") for c in pod.containers + pod.init_containers):
        gpu = ctx.settings.gpu
        pod.node_selector.update(gpu.node_selector)
        pod.tolerations = [
            Toleration(t.key, t.operator, t.value, t.effect) for t in gpu.tolerations
        ]
        pod.runtime_class_name = gpu.runtime_class_name
    if job.type != "system":  # a DaemonSet's pods each keep their own node's data
        _pin_to_data(group, pod, ctx)
    _ephemeral_disk(group, pod, ctx)
    _grace_period(group, pod)
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


# Host paths every node has (system files, devices, sockets, logs): no node's own data.
_NODE_WIDE = ("/etc", "/dev", "/proc", "/sys", "/run", "/var/run", "/usr", "/lib", "/lib64")
_NODE_WIDE_TOO = ("/bin", "/sbin", "/boot", "/tmp", "/var/log", "/var/lib/docker")


def _under(path: str, prefixes: tuple[str, ...] | list[str]) -> str | None:
    """The longest of `prefixes` that `path` is, or lies under."""
    inside = [p for p in prefixes if path == p or path.startswith(p.rstrip("/") + "/")]
    return max(inside, key=len, default=None)


def node_data_paths(pod: PodSpec, settings: Settings) -> list[str]:
    """hostPaths whose data only the node that holds it has."""
    paths = []
    for volume in pod.volumes:
        if volume.kind != "host_path" or not volume.path:
            continue
        path = posixpath.normpath(volume.path)
        if path == "/" or _under(path, _NODE_WIDE + _NODE_WIDE_TOO):
            continue
        if _under(path, settings.shared_host_paths) is None and path not in paths:
            paths.append(path)
    return paths


def _pin_to_data(group: Group, pod: PodSpec, ctx: Context) -> None:
    """Keep a pod on the node its hostPath data lives on, or say that nothing does."""
    paths = node_data_paths(pod, ctx.settings)
    data_nodes = ctx.settings.data_nodes
    nodes = {path: data_nodes[key] for path in paths if (key := _under(path, list(data_nodes)))}
    unnamed = [path for path in paths if path not in nodes]
    where = f"group[{group.name}].volume"
    listed = ", ".join(paths)
    pinned = pod.node_selector.get(HOSTNAME_LABEL)
    if pinned is not None:
        elsewhere = [f"{path} on {node}" for path, node in nodes.items() if node != pinned]
        if elsewhere:
            ctx.needs_decision(
                f"the constraints pin the pod to node {pinned!r}, but the settings' `data_nodes`"
                f" put its hostPath data elsewhere ({', '.join(elsewhere)})",
                group.line,
                where,
            )
        return
    if not paths:
        return
    if len(set(nodes.values())) > 1:
        found = ", ".join(f"{path} on {node}" for path, node in nodes.items())
        ctx.needs_decision(
            f"the group's hostPath data lives on several nodes ({found}) per the settings'"
            " `data_nodes`: the pod is pinned to none of them",
            group.line,
            where,
        )
    elif nodes:
        node = next(iter(nodes.values()))
        pod.node_selector[HOSTNAME_LABEL] = node  # the settings' own decision: not reported
        if unnamed:
            ctx.needs_decision(
                f"hostPath data {', '.join(unnamed)} is assumed to be on node {node!r} too:"
                " name its node under `data_nodes` in the settings",
                group.line,
                where,
            )
    else:
        ctx.needs_decision(
            f"hostPath data {listed} lives on one node, and nothing keeps the pod there:"
            " pin the group with a constraint on ${node.unique.name}, name the node under"
            " `data_nodes` in the settings, or list the path under `shared_host_paths`"
            " when every node has it",
            group.line,
            where,
        )


def _ephemeral_disk(group: Group, pod: PodSpec, ctx: Context) -> None:
    """The group's ephemeral disk: a request to place by, and what the pod cannot keep.

    Nomad places by `size` but does not enforce it (developer.hashicorp.com/nomad/docs/
    job-specification/ephemeral_disk), so it becomes an ephemeral-storage request, no limit.
    """
    disk = group.ephemeral_disk
    if disk is None:
        return
    if disk.size_mb and pod.containers:
        pod.containers[0].requests.setdefault("ephemeral-storage", f"{disk.size_mb}Mi")
    if disk.sticky or disk.migrate:
        flags = " and ".join(f for f in ("sticky", "migrate") if getattr(disk, f))
        ctx.needs_decision(
            f"ephemeral_disk {flags}: Nomad kept alloc/data and local/ for the next allocation;"
            " a replaced pod starts with empty dirs, so data the tasks keep there is lost."
            " Mount a persistent volume where they keep it",
            disk.line,
            f"group[{group.name}].ephemeral_disk.{'sticky' if disk.sticky else 'migrate'}",
        )


def _network_mode(containers: list[Task], pod: PodSpec, ctx: Context) -> None:
    """docker's `network_mode`: `host` puts the whole pod on the node's network."""
    on_host = []
    for task in containers:
        mode = task.config.network_mode
        line, where = task.config.line_of("network_mode"), f"task[{task.name}].config.network_mode"
        if mode is None or mode in ("bridge", "default"):
            continue
        if mode == "host":
            on_host.append(task.name)
        elif mode.startswith("container:"):
            ctx.dropped(
                f"network_mode {mode!r}: the containers of a pod share one network namespace",
                line,
                where,
            )
        else:
            ctx.unsupported(
                f"docker network {mode!r}: pods join the cluster network; attach other networks"
                " by hand (for example with Multus)",
                line,
                where,
            )
    if not on_host:
        return
    pod.host_network = True
    pod.dns_policy = "ClusterFirstWithHostNet"
    others = [t.name for t in containers if t.name not in on_host]
    if others:
        first = next(t for t in containers if t.name == on_host[0])
        ctx.needs_decision(
            f"task {on_host[0]!r} uses the host network, so {', '.join(map(repr, others))}"
            " will too: the containers of a pod share one network namespace",
            first.config.line_of("network_mode"),
            f"task[{first.name}].config.network_mode",
        )


# docker's `pid_mode` / `ipc_mode` = "host" and the pod field that shares the node's namespace.
_HOST_NAMESPACES = {"pid_mode": "host_pid", "ipc_mode": "host_ipc"}


def _host_namespaces(task: Task, pod: PodSpec, ctx: Context) -> None:
    for option, field_name in _HOST_NAMESPACES.items():
        mode = getattr(task.config, option)
        if mode is None or mode in ("", "private"):
            continue
        where = f"task[{task.name}].config.{option}"
        if mode == "host":
            setattr(pod, field_name, True)
        else:
            ctx.unsupported(
                f"{option} {mode!r}: a pod's containers share their namespaces only with each"
                " other or with the node",
                task.config.line_of(option),
                where,
            )


def _host_names(task: Task, pod: PodSpec, ctx: Context) -> None:
    config = task.config
    if config.hostname:
        _hostname(task, config.hostname, pod, ctx)
    for entry in config.extra_hosts:
        name, _, address = entry.partition(":")
        if not name or not _is_ip(address):
            ctx.needs_decision(
                f"extra_hosts entry {entry!r} is not NAME:IP (host-gateway and run-time values"
                " have no host alias equivalent)",
                config.line_of("extra_hosts"),
                f"task[{task.name}].config.extra_hosts",
            )
            continue
        names = pod.host_aliases.setdefault(address, [])
        if name not in names:
            names.append(name)


def _hostname(task: Task, wanted: str, pod: PodSpec, ctx: Context) -> None:
    """A pod's hostname is one DNS label: `media.example.org` becomes `media`, and says so."""
    line, where = task.config.line_of("hostname"), f"task[{task.name}].config.hostname"
    if "${" in wanted:
        ctx.needs_decision(f"hostname {wanted!r} is known only at run time", line, where)
        return
    label = k8s_name_or_empty(wanted.split(".", 1)[0])
    if not label:
        ctx.needs_decision(f"hostname {wanted!r} cannot be a pod hostname", line, where)
    elif pod.hostname not in (None, label):
        ctx.needs_decision(
            f"hostname {wanted!r}: the pod already has {pod.hostname!r}", line, where
        )
    else:
        pod.hostname = label
        if label != wanted:
            ctx.needs_decision(
                f"hostname {wanted!r} becomes {label!r}: a pod hostname is one DNS label",
                line,
                where,
            )


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _groups_and_sysctls(task: Task, pod: PodSpec, ctx: Context) -> None:
    config = task.config
    for group_id in config.group_add:
        if group_id.isdigit():
            if int(group_id) not in pod.supplemental_groups:
                pod.supplemental_groups.append(int(group_id))
        else:
            ctx.needs_decision(
                f"group_add {group_id!r} is a name; supplemental_groups needs its gid",
                config.line_of("group_add"),
                f"task[{task.name}].config.group_add",
            )
    for written, value in config.sysctl.items():
        name = written.replace("/", ".")  # docker also takes net/ipv4/... names
        where = f"task[{task.name}].config.sysctl"
        if pod.sysctls.get(name, value) != value:
            ctx.needs_decision(
                f"sysctl {name} = {value!r}: another container of the pod sets"
                f" {pod.sysctls[name]!r}; a pod has one value",
                config.line_of("sysctl"),
                where,
            )
            continue
        pod.sysctls[name] = value
        if name not in SAFE_SYSCTLS:
            ctx.needs_decision(
                f"sysctl {name} is not in Kubernetes' safe set: the kubelet refuses the pod unless"
                " its node allows it (--allowed-unsafe-sysctls)",
                config.line_of("sysctl"),
                where,
            )


# Sysctls every kubelet allows (Kubernetes 1.29+); the rest need --allowed-unsafe-sysctls.
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
# Nomad waits 5s after the kill signal by default; Kubernetes gives a pod 30s in all.
NOMAD_KILL_TIMEOUT, KUBERNETES_GRACE = 5, 30


def _grace_period(group: Group, pod: PodSpec) -> None:
    """kill_timeout, plus the preStop sleep that now runs inside the grace period."""
    kill = max((t.kill_timeout_seconds or 0 for t in group.tasks), default=0)
    delay = max((c.pre_stop_sleep_seconds or 0 for c in pod.containers), default=0)
    needed = delay + (kill or NOMAD_KILL_TIMEOUT) if delay else kill
    if needed and (kill or needed > KUBERNETES_GRACE):
        pod.termination_grace_period_seconds = needed
