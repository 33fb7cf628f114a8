"""Nomad runtime interpolation (`${NOMAD_PORT_http}`) and Consul DNS names in strings.

Both are rewritten into what the pod sees in Kubernetes; anything without an
equivalent is reported, never copied through silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from generator.k8s_plan import EnvVar
from generator.plan_values import NAMESPACE, Ref, StringTemplate, interpolate
from generator.translate.connect_loopback import upstream_addresses
from generator.translate.context import Context

INTERPOLATION = re.compile(r"\$\{([^}]+)\}")
_CONSUL_NAME = re.compile(
    r"\b(?:[a-z0-9-]+\.)?([a-z0-9][a-z0-9-]*)\.(service|virtual|connect)(?:\.[a-z0-9-]+)?\.consul\b(?::(\d+))?"
)

TASK_DIRS = {
    "NOMAD_TASK_DIR": "/local",
    "NOMAD_ALLOC_DIR": "/alloc",
    "NOMAD_SECRETS_DIR": "/secrets",
}
# Nomad's per-task directories and where the generated pod mounts them.
DIR_PREFIXES = {"local": "/local", "alloc": "/alloc", "secrets": "/secrets"}

# Downward-API equivalents: Nomad variable → pod field.
POD_FIELDS = {
    "node.unique.name": "spec.nodeName",
    "NOMAD_ALLOC_ID": "metadata.uid",
    "NOMAD_ALLOC_NAME": "metadata.name",
    "NOMAD_SHORT_ALLOC_ID": "metadata.uid",
    "attr.unique.network.ip-address": "status.hostIP",
}
PORT_PREFIXES = ("NOMAD_PORT_", "NOMAD_HOST_PORT_", "NOMAD_ALLOC_PORT_")
ADDR_PREFIXES = ("NOMAD_ADDR_", "NOMAD_HOST_ADDR_", "NOMAD_ALLOC_ADDR_")
IP_PREFIXES = ("NOMAD_IP_", "NOMAD_HOST_IP_", "NOMAD_ALLOC_IP_")
META_PREFIX = "NOMAD_META_"
UPSTREAM_PREFIXES = ("NOMAD_UPSTREAM_ADDR_", "NOMAD_UPSTREAM_IP_", "NOMAD_UPSTREAM_PORT_")


@dataclass
class PodFacts:
    """What a string inside one task may refer to."""

    job_name: str
    group_name: str
    task_name: str
    namespace: str
    ports: dict[str, int] = field(default_factory=dict)
    # Port label → (task, number) for the ports another task of the group listens on.
    sibling_ports: dict[str, tuple[str, int]] = field(default_factory=dict)
    cpu: int | None = None
    memory: int | None = None
    upstreams: dict[str, int] = field(default_factory=dict)
    # Env vars a `${NAME}` here may read: Kubernetes expands `$(NAME)` from the container's env.
    env_names: frozenset[str] = frozenset()
    meta: dict[str, str] = field(default_factory=dict)  # job, group and task meta, merged
    connect_sidecar: bool = False  # a Consul Connect sidecar fronted the group


POD_IP = EnvVar(name="POD_IP", field_path="status.podIP")


def pod_address(name: str, facts: PodFacts) -> str | None:
    """NOMAD_IP_x / NOMAD_ADDR_x of a declared port, as an env value expanding `$(POD_IP)`."""
    for prefixes, with_port in ((IP_PREFIXES, False), (ADDR_PREFIXES, True)):
        for prefix in prefixes:
            label = name[len(prefix) :]
            if name.startswith(prefix) and label in facts.ports:
                return f"$(POD_IP):{facts.ports[label]}" if with_port else "$(POD_IP)"
    return None


# The address of a port in this pod as another task's container reaches it.
SIBLING_IP_PREFIXES = ("NOMAD_IP_", "NOMAD_ALLOC_IP_")
SIBLING_ADDR_PREFIXES = ("NOMAD_ADDR_", "NOMAD_ALLOC_ADDR_")


def sibling_address(name: str, facts: PodFacts) -> tuple[str, str] | None:
    """NOMAD_IP_x / NOMAD_ADDR_x of a port another task of the group listens on, where
    no `$(POD_IP)` can expand (a file, a Secret): `(task, "127.0.0.1[:port]")`.

    The group's tasks are one pod's containers, sharing its network namespace, so the
    other task is on loopback. A task's own port stays unknown: its address may be
    where it listens, or what it advertises."""
    for prefixes, with_port in ((SIBLING_IP_PREFIXES, False), (SIBLING_ADDR_PREFIXES, True)):
        for prefix in prefixes:
            if name.startswith(prefix) and name[len(prefix) :] in facts.sibling_ports:
                task, number = facts.sibling_ports[name[len(prefix) :]]
                return task, "127.0.0.1" + (f":{number}" if with_port else "")
    return None


def literal_value(name: str, facts: PodFacts) -> str | None:
    """The fixed text a Nomad runtime variable stands for in this pod, or None."""
    if name in TASK_DIRS:
        return TASK_DIRS[name]
    if name.startswith(META_PREFIX):
        key = name[len(META_PREFIX) :]
        found = facts.meta.get(key)
        if found is None:  # Nomad also sets the upper-cased name
            found = next((v for k, v in facts.meta.items() if k.upper() == key), None)
        return found
    for prefix in PORT_PREFIXES:
        if name.startswith(prefix) and name[len(prefix) :] in facts.ports:
            return str(facts.ports[name[len(prefix) :]])
    return {
        "NOMAD_JOB_NAME": facts.job_name,
        "NOMAD_JOB_ID": facts.job_name,
        "NOMAD_GROUP_NAME": facts.group_name,
        "NOMAD_TASK_NAME": facts.task_name,
        "NOMAD_NAMESPACE": facts.namespace,
        "NOMAD_CPU_LIMIT": str(facts.cpu) if facts.cpu else None,
        "NOMAD_MEMORY_LIMIT": str(facts.memory) if facts.memory else None,
    }.get(name)


@dataclass
class Rewritten:
    value: str | StringTemplate
    downward_env: list[EnvVar] = field(default_factory=list)


def _field_env(name: str, field_path: str) -> EnvVar:
    return EnvVar(name=name, field_path=field_path)


def rewrite(text: str, facts: PodFacts, ctx: Context, line: int | None, path: str) -> Rewritten:
    """Rewrite runtime interpolations, then Consul names, in one string value."""
    if facts.upstreams:
        text = upstream_addresses(text, facts.upstreams, ctx, line, path)
    parts: list[str | Ref] = []
    downward: list[EnvVar] = []
    position = 0
    for match in INTERPOLATION.finditer(text):
        parts.append(text[position : match.start()])
        value = _runtime_value(match.group(1).strip(), facts, ctx, line, path, downward)
        parts.extend(value if isinstance(value, list) else [value])
        position = match.end()
    parts.append(text[position:])
    rewritten: list[str | Ref] = []
    for part in parts:
        rewritten.extend(
            rewrite_consul_names(part, ctx, line, path) if isinstance(part, str) else [part]
        )
    return Rewritten(interpolate(rewritten), downward)


def _runtime_value(
    name: str, facts: PodFacts, ctx: Context, line: int | None, path: str, downward: list[EnvVar]
) -> str | list[str | Ref]:
    literal = literal_value(name, facts)
    if literal is not None:
        return literal
    if name in POD_FIELDS:
        env_name = "POD_" + re.sub(r"[^A-Z0-9]+", "_", POD_FIELDS[name].split(".")[-1].upper())
        downward.append(_field_env(env_name, POD_FIELDS[name]))
        return f"$({env_name})"
    for prefixes, kind in ((PORT_PREFIXES, "port"), (ADDR_PREFIXES, "addr"), (IP_PREFIXES, "ip")):
        for prefix in prefixes:
            if name.startswith(prefix):
                return _port_value(
                    name, name[len(prefix) :], kind, facts, ctx, line, path, downward
                )
    if name.startswith(UPSTREAM_PREFIXES):
        upstream = upstream_destination(name.split("_", 3)[3], facts.upstreams)
        return _upstream_value(name, upstream, facts, ctx, line, path)
    if name in facts.env_names:
        return f"$({name})"
    ctx.needs_decision(
        f"${{{name}}} is a Nomad runtime value with no Kubernetes equivalent; kept as literal text",
        line,
        path,
    )
    return "${" + name + "}"


def _port_value(
    name: str,
    label: str,
    kind: str,
    facts: PodFacts,
    ctx: Context,
    line: int | None,
    path: str,
    downward: list[EnvVar],
) -> str:
    if kind in {"addr", "ip"}:
        downward.append(POD_IP)
    if kind == "ip":
        return "$(POD_IP)"
    port = facts.ports.get(label)
    if port is None:
        ctx.needs_decision(
            f"${{{name}}} names port {label!r}, which the group does not declare", line, path
        )
        return "${" + name + "}"
    return str(port) if kind == "port" else f"$(POD_IP):{port}"


@dataclass(frozen=True)
class ResolvedService:
    """A Consul service name as a Kubernetes Service."""

    name: str
    namespace: str | Ref
    port: int | None
    known: bool  # mapped in the settings, or created by this module


def resolve_service(consul_name: str, ctx: Context) -> ResolvedService:
    mapping = ctx.settings.services.get(consul_name)
    if mapping is not None:
        namespace: str | Ref = mapping.namespace or NAMESPACE
        return ResolvedService(mapping.name, namespace, mapping.port, True)
    internal = ctx.internal_services.get(consul_name)
    if internal is not None:
        return ResolvedService(internal[0], NAMESPACE, internal[1], True)
    return ResolvedService(consul_name, NAMESPACE, None, False)


def env_name_of(name: str) -> str:
    """Nomad's helper.CleanEnvVar: what an upstream's name becomes in an env var name."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def upstream_destination(written: str, upstreams: dict[str, int]) -> str:
    """The upstream a NOMAD_UPSTREAM_*_<name> names: Nomad sets each upstream under its own
    name and under its cleaned one (`my-db` → `my_db`); a Consul name has no `_`."""
    if written in upstreams:
        return written
    found = next((u for u in upstreams if env_name_of(u) == written), None)
    return found if found is not None else written.replace("_", "-")


def _upstream_value(
    name: str, upstream: str, facts: PodFacts, ctx: Context, line: int | None, path: str
) -> list[str | Ref]:
    resolved = resolve_service(upstream, ctx)
    port = resolved.port
    if port is None and upstream in facts.upstreams:
        port = facts.upstreams[upstream]
        ctx.needs_decision(
            f"${{{name}}}: port {port} is the Connect proxy's local bind port; check that the"
            f" Service {resolved.name!r} listens on it (or set its port under `services:`)",
            line,
            path,
        )
    if name.startswith("NOMAD_UPSTREAM_PORT_"):
        if port:
            return [str(port)]
        ctx.needs_decision(
            f"${{{name}}}: upstream {upstream!r} has no bind port and no port under `services:`",
            line,
            path,
        )
        return ["${" + name + "}"]
    suffix = f":{port}" if port and name.startswith("NOMAD_UPSTREAM_ADDR_") else ""
    return rewrite_consul_names(f"{upstream}.service.consul{suffix}", ctx, line, path)


def cluster_dns(
    text: str,
    ctx: Context,
    line: int | None,
    path: str,
    upstreams: Mapping[str, int] | None = None,
) -> str | StringTemplate:
    """Text with its Consul names rewritten to cluster DNS (namespace from `var.namespace`);
    given the group's Connect `upstreams`, their loopback addresses too."""
    if upstreams:
        text = upstream_addresses(text, upstreams, ctx, line, path)
    return interpolate(rewrite_consul_names(text, ctx, line, path))


def rewrite_consul_names(text: str, ctx: Context, line: int | None, path: str) -> list[str | Ref]:
    """`db.service.consul:5432` → `db.<namespace>.svc.cluster.local:5432`."""
    parts: list[str | Ref] = []
    position = 0
    for match in _CONSUL_NAME.finditer(text):
        consul_name, _kind, port = match.groups()
        resolved = resolve_service(consul_name, ctx)
        if not resolved.known:
            ctx.needs_decision(
                f"Consul name {match.group(0)!r} assumed to be Service {resolved.name!r} in the"
                " module's namespace; map it under `services:` in the settings",
                line,
                path,
            )
        parts.append(text[position : match.start()] + resolved.name + ".")
        parts.append(resolved.namespace)
        # A port only where the source wrote one: a bare name stays a host name.
        new_port = (resolved.port or int(port)) if port else None
        parts.append(".svc.cluster.local" + (f":{new_port}" if new_port else ""))
        position = match.end()
    parts.append(text[position:])
    return parts
