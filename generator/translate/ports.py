"""A group's ports: their numbers, the container declaring each, and their Consul names.

`consul_services` tells the rest of the job which Kubernetes Service and port each of the
group's Consul service names becomes.
"""

from __future__ import annotations

import hashlib

from generator.model import Group, Port, ServiceDef, Task
from generator.translate.context import Context
from generator.translate.names import k8s_name
from generator.translate.traefik import read_tags

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


def _connect_only_ports(group: Group) -> set[str]:
    listeners = {p for s in group.all_services() for p in s.expose_listener_ports}
    used = {str(s.port) for s in group.all_services() if s.port is not None}
    used |= {str(c.port) for s in group.all_services() for c in s.checks if c.port is not None}
    return listeners - used


def group_ports(group: Group, ctx: Context) -> dict[str, int]:
    """Port label → the number the container listens on."""
    numbers: dict[str, int] = {}
    skip = _connect_only_ports(group)
    for port in group.network.ports if group.network else ():
        where = f"group[{group.name}].network.port[{port.label}]"
        if port.label in skip:
            ctx.dropped(
                f"port {port.label!r} only serves the Consul Connect proxy's expose paths",
                port.line,
                where,
            )
            continue
        number = declared_number(port)
        if number is None:
            ctx.needs_decision(
                f"port {port.label!r} is dynamic: the task reads NOMAD_PORT_{port.label} at run"
                " time; give it a fixed `to` or `static` number",
                port.line,
                where,
            )
            continue
        numbers[port.label] = number
        if port.static and port.to and port.static != port.to:
            ctx.dropped(
                f"static host port {port.static} of {port.label!r}: the Service exposes it",
                port.line,
                where,
            )
    return numbers


def service_port_number(service: ServiceDef, numbers: dict[str, int]) -> int | None:
    if service.port is None:
        return None
    if isinstance(service.port, int):
        return service.port
    if service.port in numbers:
        return numbers[service.port]
    return int(service.port) if str(service.port).isdigit() else None


def consul_services(group: Group, service_name: str) -> dict[str, tuple[str, int | None]]:
    """The group's Consul service names → (Kubernetes Service name, Service port)."""
    numbers = {
        port.label: number
        for port in (group.network.ports if group.network else ())
        if (number := declared_number(port)) is not None
    }
    found: dict[str, tuple[str, int | None]] = {}
    for service in group.all_services():
        if not service.name or service.port is None:
            continue
        routed = any(r.hosts for r in read_tags(service.tags).routers)
        port = HTTP_SERVICE_PORT if routed else service_port_number(service, numbers)
        found.setdefault(service.name, (service_name, port))
    return found


def owner_task(group: Group, service: ServiceDef) -> Task | None:
    """The task a service's port and checks belong to: named, declaring it, or the main one."""
    if service.task:
        return next((t for t in group.tasks if t.name == service.task), None)
    declaring = [t for t in group.tasks if str(service.port) in t.config.ports]
    main = [t for t in group.tasks if t.is_main]
    running = [t for t in group.tasks if not t.is_init]
    for candidates in (declaring, main, running):
        if candidates:
            return candidates[0]
    return None


def assign_ports(group: Group, numbers: dict[str, int]) -> dict[str, dict[str, int]]:
    """task name → {label: number} of the ports that container declares."""
    owners: dict[str, dict[str, int]] = {task.name: {} for task in group.tasks}
    claimed: set[str] = set()
    for task in group.tasks:
        for label in task.config.ports:
            if label in numbers:
                owners[task.name][label] = numbers[label]
                claimed.add(label)
    for service in group.all_services():
        owner = owner_task(group, service)
        number = service_port_number(service, numbers)
        if owner is None or number is None:
            continue
        label = str(service.port) if str(service.port) in numbers else "http"
        if label not in claimed and number not in owners[owner.name].values():
            owners[owner.name][label] = number
            claimed.add(label)
    main = [t for t in group.tasks if not t.is_init]
    for label, number in numbers.items():
        if label not in claimed and main:
            owners[main[0].name][label] = number
    return owners
