"""The Kubernetes objects of a generated module as the runtime rules see them.

Read from the `.tf` files (not from the generator's plan), so hand-edited
modules are judged the same way. Every value goes through `Values`: what the
module does not state literally is `UNKNOWN`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.hcl import Block
from tools.validation.module_files import ModuleSource, Resource
from tools.validation.runtime_values import UNKNOWN, Values

# resource type -> (Kubernetes kind, block path from the resource body to the pod template)
_TEMPLATE = ("spec", "template")
_CRON_TEMPLATE = ("spec", "job_template", "spec", "template")
WORKLOADS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kubernetes_deployment": ("Deployment", _TEMPLATE),
    "kubernetes_deployment_v1": ("Deployment", _TEMPLATE),
    "kubernetes_stateful_set": ("StatefulSet", _TEMPLATE),
    "kubernetes_stateful_set_v1": ("StatefulSet", _TEMPLATE),
    "kubernetes_daemonset": ("DaemonSet", _TEMPLATE),
    "kubernetes_daemon_set_v1": ("DaemonSet", _TEMPLATE),
    "kubernetes_job": ("Job", _TEMPLATE),
    "kubernetes_job_v1": ("Job", _TEMPLATE),
    "kubernetes_cron_job": ("CronJob", _CRON_TEMPLATE),
    "kubernetes_cron_job_v1": ("CronJob", _CRON_TEMPLATE),
    "kubernetes_pod": ("Pod", ()),
    "kubernetes_pod_v1": ("Pod", ()),
}
OTHER_KINDS: dict[str, str] = {
    "kubernetes_service": "Service",
    "kubernetes_service_v1": "Service",
    "kubernetes_config_map": "ConfigMap",
    "kubernetes_config_map_v1": "ConfigMap",
    "kubernetes_secret": "Secret",
    "kubernetes_secret_v1": "Secret",
    "kubernetes_ingress_v1": "Ingress",
    "kubernetes_persistent_volume_claim": "PersistentVolumeClaim",
    "kubernetes_persistent_volume_claim_v1": "PersistentVolumeClaim",
    "kubernetes_service_account": "ServiceAccount",
    "kubernetes_service_account_v1": "ServiceAccount",
}
SERVICE_TYPES = ("kubernetes_service", "kubernetes_service_v1")
CONTAINER_KINDS = ("init_container", "container")


@dataclass(frozen=True)
class Port:
    name: Any  # str, None (no name) or UNKNOWN
    number: Any  # int or UNKNOWN
    protocol: str
    block: Block


@dataclass
class Container:
    kind: str  # "container" or "init_container"
    name: Any
    block: Block
    ports: list[Port] = field(default_factory=list)

    def label(self) -> str:
        shown = self.name if isinstance(self.name, str) else "?"
        return f'{self.kind} "{shown}"'

    def port_names(self, protocol: str | None = None) -> set[str]:
        return {
            p.name
            for p in self.ports
            if isinstance(p.name, str) and (protocol is None or p.protocol == protocol)
        }


@dataclass
class Pod:
    """The pod template of a workload (or a bare Pod)."""

    resource: Resource
    kind: str
    spec: Block
    labels: Any  # dict (values may be UNKNOWN) or UNKNOWN
    labels_line: int
    containers: list[Container]


@dataclass
class KubeObject:
    resource: Resource
    kind: str
    pod: Pod | None = None

    @property
    def metadata(self) -> Block | None:
        return self.resource.block.child("metadata")


def read_objects(module: ModuleSource, values: Values) -> list[KubeObject]:
    found = []
    for resource in module.resources():
        if resource.kind != "resource":
            continue
        if resource.type in WORKLOADS:
            kind, path = WORKLOADS[resource.type]
            found.append(KubeObject(resource, kind, _read_pod(resource, kind, path, values)))
        elif resource.type in OTHER_KINDS:
            found.append(KubeObject(resource, OTHER_KINDS[resource.type]))
    return found


def descend(block: Block, path: tuple[str, ...]) -> Block | None:
    current: Block | None = block
    for kind in path:
        if current is None:
            return None
        current = current.child(kind)
    return current


def _read_pod(resource: Resource, kind: str, path: tuple[str, ...], values: Values) -> Pod | None:
    template = descend(resource.block, path)
    if template is None:
        return None
    spec = template.child("spec") if path else template
    if spec is None:
        return None
    metadata = template.child("metadata") if path else resource.block.child("metadata")
    labels: Any = UNKNOWN
    labels_line = template.line
    if metadata is not None and "labels" in metadata.attributes:
        labels = values.resolve(metadata.attributes["labels"].value)
        labels_line = metadata.attributes["labels"].line
        if not isinstance(labels, dict):
            labels = UNKNOWN
    containers = [
        _read_container(block, values) for block in spec.blocks if block.kind in CONTAINER_KINDS
    ]
    return Pod(resource, kind, spec, labels, labels_line, containers)


def _read_container(block: Block, values: Values) -> Container:
    container = Container(block.kind, values.resolve(block.get("name")), block)
    for port in block.children("port"):
        name = values.resolve(port.get("name")) if "name" in port.attributes else None
        number = values.resolve(port.get("container_port"))
        protocol = values.resolve(port.get("protocol", "TCP"))
        container.ports.append(
            Port(name, number, protocol if isinstance(protocol, str) else "TCP", port)
        )
    return container
