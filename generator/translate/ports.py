"""A group's ports: their numbers, the container declaring each, and their Consul names.

`consul_services` tells the rest of the job which Kubernetes Service and port each of the
group's Consul service names becomes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from generator.model import Group, Port, ServiceDef, Task
from generator.translate.containers import DOCKER_LIKE_DRIVERS
from generator.translate.context import Context
from generator.translate.names import k8s_name
from generator.translate.traefik import TagReading, read_group_tags

# A routed (Ingress) port is exposed by the Service on port 80.
HTTP_SERVICE_PORT = 80


def port_name(label: str) -> str:
    """An IANA_SVC_NAME: at most 15 characters, lower case, digits and '-'."""
    cleaned = k8s_name("p-" + label)
    if cleaned == "p":
        return f"port-{hashlib.sha1(label.encode()).hexdigest()[:6]}"
    name = cleaned.removeprefix("p-")[:15].strip("-")
    return name if any(c.isalpha() for c in name) else f"port-{name}"[:15].strip("-")


def declared_number(port: Port) -> int | None:
    """The number the container listens on: `to` in bridge mode, else the static port."""
    return port.to if port.to and port.to > 0 else port.static


# A dynamic port the tasks read (NOMAD_PORT_x...) gets a fixed number from Nomad's own range.
FIRST_DYNAMIC_PORT = 20000


def _port_read(label: str) -> re.Pattern[str]:
    return re.compile(rf"NOMAD_(?:HOST_|ALLOC_)?(?:PORT|ADDR)_{re.escape(label)}\b")


def _task_texts(group: Group) -> str:
    """Everything a task is told at run time: env, command line and templates."""
    parts: list[str] = []
    for task in group.tasks:
        parts.extend(str(v) for v in task.env.values())
        parts.extend(str(v) for v in task.config.args)
        parts.extend(str(v) for v in task.config.entrypoint)
        parts.append(str(task.config.command or ""))
        parts.extend(t.data or "" for t in task.templates)
    return "\n".join(parts)


def container_numbers(
    group: Group, taken: frozenset[int] = frozenset()
) -> tuple[dict[str, int], set[str]]:
    """Port label → the number the container listens on, and the dynamic labels fixed here,
    clear of `taken` (the numbers of the job's other groups)."""
    ports = group.network.ports if group.network else ()
    numbers = {p.label: n for p in ports if (n := declared_number(p)) is not None}
    texts = _task_texts(group)
    fixed: set[str] = set()
    candidate = FIRST_DYNAMIC_PORT
    for port in ports:
        if port.label in numbers or not _port_read(port.label).search(texts):
            continue
        while candidate in numbers.values() or candidate in taken:
            candidate += 1
        numbers[port.label] = candidate
        fixed.add(port.label)
    return {p.label: numbers[p.label] for p in ports if p.label in numbers}, fixed


def job_port_numbers(groups: tuple[Group, ...]) -> dict[str, tuple[dict[str, int], set[str]]]:
    """`container_numbers` of each group, a dynamic port fixed to a number no other group of
    the job uses: host-network pods of two groups may share a node."""
    taken: set[int] = set()
    found = {}
    for group in groups:
        numbers, fixed = container_numbers(group, frozenset(taken))
        taken |= set(numbers.values())
        found[group.name] = (numbers, fixed)
    return found


# Nomad's docker driver publishes every mapped port on TCP and UDP. A pod's UDP port is declared
# (and put on the Service) where UDP is evident: a well-known UDP service's number or label.
UDP_SERVICE_PORTS = {
    53: "DNS",
    67: "DHCP",
    69: "TFTP",
    123: "NTP",
    161: "SNMP",
    162: "SNMP traps",
    500: "IKE",
    514: "syslog",
    1194: "OpenVPN",
    1812: "RADIUS",
    1813: "RADIUS accounting",
    1900: "SSDP",
    3478: "STUN/TURN",
    4500: "IPsec NAT traversal",
    5353: "mDNS",
    8125: "StatsD",
    51820: "WireGuard",
}
UDP_LABEL = re.compile(
    r"(?:^|[-_])(?:udp|dns|dhcp|tftp|ntp|snmp|syslog|stun|turn|statsd|quic|wireguard|wg)(?:[-_]|$)",
    re.I,
)


def carries_udp(label: str, number: int) -> bool:
    return number in UDP_SERVICE_PORTS or bool(UDP_LABEL.search(label))


def udp_port_name(name: str) -> str:
    """The UDP twin's name: IANA_SVC_NAME, at most 15 characters, distinct from the TCP one."""
    return f"{name[:11].rstrip('-')}-udp"


def _connect_only_ports(group: Group) -> set[str]:
    listeners = {p for s in group.all_services() for p in s.expose_listener_ports}
    used = {str(s.port) for s in group.all_services() if s.port is not None}
    used |= {str(c.port) for s in group.all_services() for c in s.checks if c.port is not None}
    return listeners - used


def group_ports(group: Group, ctx: Context) -> dict[str, int]:
    """Port label → the number the container listens on."""
    numbers: dict[str, int] = {}
    skip = _connect_only_ports(group)
    known, fixed = ctx.port_numbers.get(group.name) or container_numbers(group)
    for task, label, number, line in group.network.legacy_conflicts if group.network else ():
        ctx.needs_decision(
            f"task {task!r} gives port {label!r} the number {number}, another task"
            f" {known.get(label)}: one pod has one port of that name; {task!r}'s is not carried",
            line,
            f"task[{task}].resources.network.port[{label}]",
        )
    for port in group.network.ports if group.network else ():
        where = f"group[{group.name}].network.port[{port.label}]"
        if port.label in skip:
            ctx.dropped(
                f"port {port.label!r} only serves the Consul Connect proxy's expose paths",
                port.line,
                where,
            )
            continue
        number = known.get(port.label)
        if number is None:
            ctx.needs_decision(
                f"port {port.label!r} is dynamic and no task reads NOMAD_PORT_{port.label}:"
                " give it the `to` number the container listens on",
                port.line,
                where,
            )
            continue
        if port.label in fixed:
            ctx.needs_decision(
                f"dynamic port {port.label!r} is fixed at {number}: the tasks read it from"
                f" NOMAD_PORT_{port.label}, which now says {number}",
                port.line,
                where,
            )
        numbers[port.label] = number
    return numbers


def static_host_ports(group: Group, numbers: dict[str, int]) -> dict[str, int]:
    """Label → the node port Nomad binds for it (`static`): the pod binds it too (host_port)."""
    ports = group.network.ports if group.network else ()
    return {p.label: p.static for p in ports if p.static and p.label in numbers}


def service_port_number(service: ServiceDef, numbers: dict[str, int]) -> int | None:
    if service.port is None:
        return None
    if isinstance(service.port, int):
        return service.port
    if service.port in numbers:
        return numbers[service.port]
    return int(service.port) if str(service.port).isdigit() else None


def port_names(numbers: dict[str, int]) -> dict[str, str]:
    """Port label, and container number, → the container port's name: labels sharing a number
    share the name of its first label, the one port the pod declares for it."""
    by_number: dict[int, str] = {}
    for label, number in numbers.items():
        by_number.setdefault(number, port_name(label))
    names = {label: by_number[n] for label, n in numbers.items()}
    names.update({str(n): name for n, name in by_number.items()})
    return names


@dataclass(frozen=True)
class ExposedPort:
    """Where the group's Service makes one Consul service reachable."""

    service: ServiceDef
    name: str  # the Service port's name, the container port it targets
    port: int  # the Service port's number
    routed: bool  # a Traefik router sends traffic to it through the Ingress


def service_ports(
    group: Group,
    numbers: dict[str, int],
    default_rule: str | None = None,
    readings: dict[int, TagReading] | None = None,
) -> list[ExposedPort]:
    """Each service with a known port; the first routed port is exposed on port 80.

    `readings`: the group's tags when the caller has already read them (`read_group_tags`).
    """
    if readings is None:
        readings = read_group_tags(group, default_rule)
    names = port_names(numbers) | {
        str(n): port_name(label) for n, label in numeric_port_labels(group, numbers).items()
    }
    found = []
    for service in group.all_services():
        number = service_port_number(service, numbers)
        if number is None:
            continue
        name = names.get(str(service.port)) or names.get(str(number)) or "http"
        routers = readings[id(service)].routers
        found.append((service, name, number, any(r.hosts or r.paths for r in routers)))
    # Port 80 goes to the first routed port, unless another port already listens on 80.
    own_80 = {name for _, name, number, _ in found if number == HTTP_SERVICE_PORT}
    taken: dict[str, int] = {}
    exposed = []
    for service, name, number, routed in found:
        if name not in taken:
            free = HTTP_SERVICE_PORT not in taken.values() and not (own_80 - {name})
            taken[name] = HTTP_SERVICE_PORT if routed and free else number
        exposed.append(ExposedPort(service, name, taken[name], routed))
    return exposed


def numeric_port_labels(group: Group, numbers: dict[str, int]) -> dict[int, str]:
    """Services that give a bare number, not a port label: the first is `http`, the next
    `port-<number>`."""
    labels: dict[int, str] = {}
    for service in group.all_services():
        number = service_port_number(service, numbers)
        if number is None or str(service.port) in numbers or number in numbers.values():
            continue
        labels.setdefault(number, "http" if not labels else f"port-{number}")
    return labels


def consul_services(
    group: Group,
    service_name: str,
    default_rule: str | None = None,
    numbers: dict[str, int] | None = None,
) -> dict[str, tuple[str, int | None]]:
    """The group's Consul service names → (Kubernetes Service name, Service port)."""
    if numbers is None:
        numbers, _ = container_numbers(group)
    found: dict[str, tuple[str, int | None]] = {}
    for exposed in service_ports(group, numbers, default_rule):
        if exposed.service.name:
            found.setdefault(exposed.service.name, (service_name, exposed.port))
    return found


def is_listener(task: Task) -> bool:
    """A task that runs while the pod serves: the main tasks and the sidecars, not the hooks."""
    return task.is_main or task.is_sidecar


def becomes_container(task: Task) -> bool:
    """A listener the module carries: docker-like driver (other drivers are reported)."""
    return is_listener(task) and task.driver in DOCKER_LIKE_DRIVERS


def _reads_port(task: Task, label: str) -> bool:
    texts = [str(v) for v in task.env.values()]
    texts += [str(v) for v in (*task.config.args, *task.config.entrypoint)]
    texts += [str(task.config.command or ""), *(t.data or "" for t in task.templates)]
    return any(_port_read(label).search(text) for text in texts)


def _service_label(service: ServiceDef, numbers: dict[str, int]) -> str | None:
    """The port label a service names, also when it gives a labelled port's number."""
    if service.port is None:
        return None
    if str(service.port) in numbers:
        return str(service.port)
    number = service_port_number(service, numbers)
    return next((label for label, n in numbers.items() if n == number), None)


def owner_task(
    group: Group, service: ServiceDef, numbers: dict[str, int] | None = None
) -> Task | None:
    """The task a service's port and checks belong to: the one it names (`task`), the one it is
    declared in, else the task listing its port in `ports`, reading NOMAD_PORT_<label>, the main
    task, the first running one."""
    if service.task:
        return next((t for t in group.tasks if t.name == service.task), None)
    holder = next((t for t in group.tasks if any(s is service for s in t.services)), None)
    if holder is not None:
        return holder
    label = _service_label(service, numbers or {}) or str(service.port)
    listeners = [t for t in group.tasks if is_listener(t)]
    declaring = [t for t in listeners if label in t.config.ports]
    reading = [t for t in listeners if _reads_port(t, label)]
    main = [t for t in group.tasks if t.is_main]
    for candidates in (declaring, reading, main, listeners):
        if candidates:
            return candidates[0]
    return None


def _port_claims(group: Group, numbers: dict[str, int]) -> dict[str, Task]:
    """Each labelled port → the task listening on it, by the first evidence found: a service
    naming it, the docker `ports` list, a task reading NOMAD_PORT_<label>, a check naming it
    (Consul runs checks from outside, so a check says least)."""
    claims: dict[str, Task] = {}
    owned = [(s, owner_task(group, s, numbers)) for s in group.all_services()]
    for service, owner in owned:
        label = _service_label(service, numbers)
        if owner is not None and label is not None:
            claims.setdefault(label, owner)
    listeners = [t for t in group.tasks if is_listener(t)]
    for label in numbers:
        declaring = [t for t in listeners if label in t.config.ports]
        reading = [t for t in listeners if _reads_port(t, label)]
        task = next(iter(declaring + reading), None)
        if task is not None:
            claims.setdefault(label, task)
    for service, owner in owned:
        for check in service.checks:
            if owner is not None and str(check.port) in numbers:
                claims.setdefault(str(check.port), owner)
    return claims


@dataclass
class PortAssignment:
    owners: dict[str, dict[str, int]]  # task name → {label: number} its container declares
    dropped: dict[str, str]  # label → the task, not carried, that listens on it
    claimed: dict[str, str]  # label → the carried task whose config or service names it


def assign_ports(group: Group, numbers: dict[str, int]) -> PortAssignment:
    """Which container declares each port: one declaration per number in the pod (the pod
    shares one network namespace), named after the number's first label (`port_names`)."""
    owners: dict[str, dict[str, int]] = {t.name: {} for t in group.tasks}
    dropped: dict[str, str] = {}
    claims = _port_claims(group, numbers)
    carried = [t for t in group.tasks if becomes_container(t)]
    main = next((t for t in carried if t.is_main), carried[0] if carried else None)
    first_label: dict[int, str] = {}
    for label, number in numbers.items():
        first_label.setdefault(number, label)
    by_number: dict[int, Task | None] = {}
    claimed: dict[str, str] = {}
    for label, number in numbers.items():
        claimant = claims.get(label)
        if claimant is not None and not becomes_container(claimant):
            dropped[label] = claimant.name
        elif claimant is not None:
            by_number.setdefault(number, claimant)
            claimed[label] = claimant.name
    for label, number in numbers.items():
        if label in dropped:
            continue
        task = by_number.setdefault(number, main)
        if task is not None and number not in owners[task.name].values():
            owners[task.name][first_label[number]] = number
    numeric = numeric_port_labels(group, numbers)
    declared = {n for ports in owners.values() for n in ports.values()}
    for service in group.all_services():
        owner = owner_task(group, service, numbers)
        service_number = service_port_number(service, numbers)
        if owner is None or service_number is None or service_number in declared:
            continue
        if becomes_container(owner):
            owners[owner.name][numeric.get(service_number, "http")] = service_number
            declared.add(service_number)
    return PortAssignment(owners, dropped, claimed)
