"""Runtime rules on whole objects: names, labels, CronJob schedules, Service and Ingress ports."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from generator.diagnostics import Severity
from generator.hcl import Block
from tools.validation import runtime_formats as formats
from tools.validation.runtime_model import SERVICE_TYPES, KubeObject, Pod
from tools.validation.runtime_values import UNKNOWN, Values, is_known

# (rule, line, message, severity); the caller adds file and address.
Problem = tuple[str, int, str, Severity]


def _statefulset_name(name: str) -> str | None:
    return formats.dns1123_label(name, limit=52)


def _cron_job_name(name: str) -> str | None:
    return formats.dns1123_subdomain(name, limit=52)


def _job_name(name: str) -> str | None:
    return formats.dns1123_subdomain(name, limit=63)


NAME_CHECKS: dict[str, Callable[[str], str | None]] = {
    "Service": formats.dns1035_label,
    "StatefulSet": _statefulset_name,
    "CronJob": _cron_job_name,
    "Job": _job_name,
}
_SERVICE_REFERENCE = re.compile(
    r"^(kubernetes_service(?:_v1)?)\.([A-Za-z_][\w-]*)\.metadata\[0\]\.name$"
)


def _error(rule: str, line: int, message: str) -> Problem:
    return (rule, line, message, Severity.ERROR)


def check_object(obj: KubeObject, values: Values) -> Iterator[Problem]:
    metadata = obj.metadata
    if metadata is not None:
        yield from _name(obj, metadata, values)
        yield from _labels(metadata, "metadata.labels", values)
    if obj.pod is not None:
        template_metadata = _template_metadata(obj.pod)
        if template_metadata is not None:
            yield from _labels(template_metadata, "pod template labels", values)
    if obj.kind == "CronJob":
        yield from _cron(obj, values)


def _name(obj: KubeObject, metadata: Block, values: Values) -> Iterator[Problem]:
    name = values.resolve(metadata.get("name"))
    if not isinstance(name, str):
        return
    problem = NAME_CHECKS.get(obj.kind, formats.dns1123_subdomain)(name)
    if problem:
        yield _error(
            "object-name", metadata.line_of("name"), f'{obj.kind} name "{name}": {problem}'
        )


def _template_metadata(pod: Pod) -> Block | None:
    for block in pod.resource.block.walk():
        if block.kind == "template":
            return block.child("metadata")
    return None


def _labels(metadata: Block, where: str, values: Values) -> Iterator[Problem]:
    if "labels" not in metadata.attributes:
        return
    labels = values.resolve(metadata.attributes["labels"].value)
    if not isinstance(labels, dict):
        return
    line = metadata.line_of("labels")
    for key, value in labels.items():
        problem = formats.label_key(key)
        if problem:
            yield _error("label", line, f'{where}: label key "{key}": {problem}')
        if isinstance(value, str):
            problem = formats.label_value(value)
            if problem:
                yield _error("label", line, f'{where}: label "{key}" value "{value}": {problem}')


def _cron(obj: KubeObject, values: Values) -> Iterator[Problem]:
    spec = obj.resource.block.child("spec")
    if spec is None:
        return
    schedule = values.resolve(spec.get("schedule"))
    if isinstance(schedule, str):
        problem = formats.cron_schedule(schedule)
        if problem:
            yield _error(
                "cron-schedule", spec.line_of("schedule"), f'schedule "{schedule}": {problem}'
            )
    zone = values.resolve(spec.get("timezone"))
    if isinstance(zone, str) and zone:
        problem = formats.time_zone(zone)
        if problem:
            yield _error("cron-time-zone", spec.line_of("timezone"), f"timezone: {problem}")


# ---- Services: named target ports (FindPort)


def selected_pods(selector: Any, pods: list[Pod]) -> list[Pod] | None:
    """The pods whose labels match `selector`; None when that cannot be told."""
    if not isinstance(selector, dict) or not selector or not is_known(selector):
        return None
    chosen = []
    for pod in pods:
        if not isinstance(pod.labels, dict):
            return None
        if all(pod.labels.get(k, UNKNOWN) == v for k, v in selector.items()):
            chosen.append(pod)
        elif any(pod.labels.get(k) is UNKNOWN for k in selector):
            return None
    return chosen


def check_service(service: KubeObject, pods: list[Pod], values: Values) -> Iterator[Problem]:
    spec = service.resource.block.child("spec")
    if spec is None:
        return
    selected = selected_pods(values.resolve(spec.get("selector")), pods)
    if not selected:
        return  # no selector, unknown labels, or pods outside this module
    for port in spec.children("port"):
        target = values.resolve(port.get("target_port"))
        if not isinstance(target, str) or not target or target.isdigit():
            continue
        protocol = values.resolve(port.get("protocol", "TCP"))
        protocol = protocol if isinstance(protocol, str) else "TCP"
        line = port.line_of("target_port")
        problem = formats.port_name(target)
        if problem:
            yield _error(
                "service-target-port",
                line,
                f'target_port "{target}" is neither a number nor a valid port name: {problem}',
            )
            continue
        declared = {
            name for pod in selected for c in pod.containers for name in c.port_names(protocol)
        }
        if target not in declared:
            workloads = ", ".join(pod.resource.address for pod in selected)
            shown = ", ".join(sorted(declared)) or "none"
            yield _error(
                "service-target-port",
                line,
                f'target_port "{target}" ({protocol}) is not a port name of the selected pods '
                f"({workloads}; their {protocol} port names: {shown}): the Service gets no "
                "endpoints for it",
            )


# ---- Ingress backends: the Service port name (Traefik's kubernetes ingress provider)


def check_ingress(
    ingress: KubeObject, services: dict[str, KubeObject], values: Values
) -> Iterator[Problem]:
    yield from _ingress_hosts(ingress, values)
    for block in ingress.resource.block.walk():
        if block.kind != "backend":
            continue
        service_block = block.child("service")
        if service_block is None:
            continue
        port = service_block.child("port")
        if port is None or "name" not in port.attributes:
            continue
        port_name = values.resolve(port.get("name"))
        service = _referenced_service(service_block.get("name"), services, values)
        if not isinstance(port_name, str) or service is None:
            continue
        spec = service.resource.block.child("spec")
        ports = spec.children("port") if spec is not None else []
        names = [values.resolve(p.get("name")) for p in ports]
        if any(not isinstance(n, str) for n in names if n is not None):
            continue
        if port_name not in names:
            shown = ", ".join(str(n) for n in names if n) or "none"
            yield _error(
                "ingress-backend-port",
                port.line_of("name"),
                f'backend port name "{port_name}" is not a port of {service.resource.address} '
                f"(its port names: {shown}): Traefik leaves the route out",
            )


def _ingress_hosts(ingress: KubeObject, values: Values) -> Iterator[Problem]:
    """Each rule's host and each TLS host: a DNS-1123 subdomain, or one with a `*.` wildcard."""
    spec = ingress.resource.block.child("spec")
    if spec is None:
        return
    for rule in spec.children("rule"):
        host = values.resolve(rule.get("host")) if "host" in rule.attributes else None
        problem = formats.ingress_host(host) if isinstance(host, str) else None
        if problem:
            yield _error("ingress-host", rule.line_of("host"), f'rule host "{host}": {problem}')
    for tls in spec.children("tls"):
        hosts = values.resolve(tls.get("hosts")) if "hosts" in tls.attributes else None
        for host in hosts if isinstance(hosts, list) else []:
            problem = formats.ingress_host(host) if isinstance(host, str) else None
            if problem:
                yield _error("ingress-host", tls.line_of("hosts"), f'tls host "{host}": {problem}')


def _referenced_service(
    value: Any, services: dict[str, KubeObject], values: Values
) -> KubeObject | None:
    text = getattr(value, "text", None)
    if isinstance(text, str):
        match = _SERVICE_REFERENCE.match(text.strip())
        if match:
            return services.get(f"{match.group(1)}.{match.group(2)}")
        return None
    name = values.resolve(value)
    if not isinstance(name, str):
        return None
    for service in services.values():
        metadata = service.metadata
        if metadata is not None and values.resolve(metadata.get("name")) == name:
            return service
    return None


def services_by_address(objects: list[KubeObject]) -> dict[str, KubeObject]:
    return {o.resource.address: o for o in objects if o.resource.type in SERVICE_TYPES}
