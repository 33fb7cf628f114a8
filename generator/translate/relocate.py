"""The spec's `relocate:` applied to a translated module plan, each rewrite reported.

A moved task dir moves everywhere the module names it: the mounts of each container and
init container, its working dir, command, args, env values and exec probes; the files it
reads (ConfigMap data, the ExternalSecret's templates); the defaults of module variables (a
jobspec variable holding a path). A key inside a mounted task dir
(`/alloc/data` while the container mounts `/alloc`) becomes a mount of the same volume at
the new path (`sub_path` data), so the data stays shared with the other containers.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from typing import Any

from generator.diagnostics import DiagnosticSink, InputError, Severity
from generator.k8s_plan import Container, ModulePlan, PodSpec, VolumeMountSpec
from generator.plan_values import Ref, StringTemplate
from generator.relocation import Move, Relocation, Token

# Volumes a sub-directory of can be mounted (the kubelet creates a missing sub_path there);
# a ConfigMap or Secret holds the files it was given.
DIRECTORY_VOLUMES = frozenset({"empty_dir", "host_path", "nfs"})


class _Rewriter:
    def __init__(self, relocation: Relocation, sink: DiagnosticSink) -> None:
        self.relocation = relocation
        self.sink = sink
        self.used: set[Move] = set()

    def report(self, tokens: list[Token], place: str, note: str = "") -> None:
        for token in tokens:
            self.used.add(token.move)
            self.sink.report(
                Severity.INFO,
                "relocated",
                f"{token.old} → {token.new}{note}",
                self.relocation.file,
                token.move.line,
                place,
            )

    def text(self, text: str, place: str) -> str:
        moved, tokens = self.relocation.moved_text(text)
        self.report(tokens, place)
        return moved

    def value(self, value: object, place: str) -> Any:
        """Text, or a template of text and references (whose edges are no path ends)."""
        if isinstance(value, str):
            return self.text(value, place)
        if not isinstance(value, StringTemplate):
            return value
        parts: list[str | Ref] = []
        last = len(value.parts) - 1
        for index, part in enumerate(value.parts):
            if isinstance(part, Ref):
                parts.append(part)
                continue
            moved, tokens = self.relocation.moved_text(part, index == 0, index == last)
            self.report(tokens, place)
            parts.append(moved)
        return StringTemplate(tuple(parts))

    def data(self, value: object, place: str) -> object:
        if isinstance(value, str):
            return self.text(value, place)
        if isinstance(value, list):
            return [self.data(item, place) for item in value]
        if isinstance(value, dict):
            return {key: self.data(item, place) for key, item in value.items()}
        return value

    def path(self, path: str, place: str) -> str:
        token = self.relocation.moved_path(path)
        if token is None:
            return path
        self.report([token], place)
        return token.new


def relocate_plan(plan: ModulePlan, relocation: Relocation, sink: DiagnosticSink) -> None:
    """Move the relocated paths in `plan`; a key that matches nothing is an `info`."""
    if not relocation:
        return
    rewriter = _Rewriter(relocation, sink)
    for workload in plan.workloads:
        where = f"{workload.resource_type}.{workload.tf_name}"
        for kind, containers in (
            ("init_container", workload.pod.init_containers),
            ("container", workload.pod.containers),
        ):
            for container in containers:
                _container(container, workload.pod, f"{where}.{kind}[{container.name}]", rewriter)
    for config_map in plan.config_maps:
        where = f"kubernetes_config_map.{config_map.tf_name}.data"
        for key, content in config_map.data.items():
            config_map.data[key] = rewriter.value(content, f"{where}[{key}]")
    for variable in plan.variables:  # a jobspec variable's default used as a path
        if variable.has_default:
            variable.default = rewriter.data(variable.default, f"variable.{variable.name}.default")
    if plan.external_secret is not None:
        templates = plan.external_secret.template_data
        for key, content in templates.items():
            templates[key] = rewriter.value(
                content, f"kubectl_manifest.external_secret.spec.target.template.data[{key}]"
            )
    for move in relocation.moves:
        if move not in rewriter.used:
            sink.report(
                Severity.INFO,
                "relocate-unused",
                f"{move.old} → {move.new} matches nothing in the module: nothing moved",
                relocation.file,
                move.line,
                f"relocate[{move.old}]",
            )


def _container(container: Container, pod: PodSpec, place: str, rewriter: _Rewriter) -> None:
    # The plan's lists hold templates too (`db.${var.namespace}.svc` in an argument).
    if isinstance(container.working_dir, str):
        container.working_dir = rewriter.path(container.working_dir, f"{place}.working_dir")
    else:
        container.working_dir = rewriter.value(container.working_dir, f"{place}.working_dir")
    if container.command is not None:
        container.command = [rewriter.value(a, f"{place}.command") for a in container.command]
    if container.args is not None:
        container.args = [rewriter.value(a, f"{place}.args") for a in container.args]
    for env in container.env:
        env.value = rewriter.value(env.value, f"{place}.env[{env.name}]")
    for name, probe in (
        ("liveness_probe", container.liveness_probe),
        ("readiness_probe", container.readiness_probe),
    ):
        if probe is not None and probe.kind == "exec":
            probe.command = [rewriter.value(a, f"{place}.{name}.exec") for a in probe.command]
    _mounts(container, pod, place, rewriter)


def _mounts(container: Container, pod: PodSpec, place: str, rewriter: _Rewriter) -> None:
    """Each mount under a key moves; a key inside a mounted directory gets its own mount."""
    relocation = rewriter.relocation
    kinds = {volume.name: volume.kind for volume in pod.volumes}
    moved: list[tuple[VolumeMountSpec, Move | None]] = []
    for mount in container.volume_mounts:
        moved.append((mount, None))
        for move in relocation.moves:
            if _inside_directory(mount, move.old, container.volume_mounts, kinds):
                rest = move.old[len(mount.mount_path) :].strip("/")
                sub_path = posixpath.join(mount.sub_path, rest) if mount.sub_path else rest
                split = VolumeMountSpec(mount.name, move.new, sub_path, mount.read_only)
                rewriter.report(
                    [Token(move.old, move.new, move)],
                    f"{place}.volume_mount[{move.new}]",
                    f" (a mount of volume {mount.name!r} at sub_path {sub_path!r})",
                )
                moved.append((split, move))
    kept: list[VolumeMountSpec] = []
    held: dict[str, tuple[VolumeMountSpec, Move | None]] = {}  # mount path → mount, its move
    for mount, cause in moved:
        token = relocation.moved_path(mount.mount_path)
        if token is not None:
            rewriter.report([token], f"{place}.volume_mount[{mount.mount_path}]")
            mount, cause = replace(mount, mount_path=token.new), token.move
        other, other_cause = held.get(mount.mount_path, (None, None))
        culprit = cause or other_cause
        if other is None or culprit is None:
            held[mount.mount_path] = (mount, cause)
            kept.append(mount)
        elif other != mount:  # the same mount twice is kept once
            shown = other if cause is not None else mount
            raise InputError(
                relocation.file,
                culprit.line,
                "relocate-conflict",
                f"relocate {culprit.old} → {culprit.new}: {place} already mounts volume"
                f" {shown.name!r} at {mount.mount_path}, and a path holds one mount: choose a"
                f" new path beside it or inside it ({mount.mount_path}/{_last(culprit.old)})",
            )
    container.volume_mounts = kept


def _last(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _inside_directory(
    mount: VolumeMountSpec,
    key: str,
    mounts: list[VolumeMountSpec],
    kinds: dict[str, str],
) -> bool:
    """`key` lies below `mount`, a directory volume, and no deeper mount covers it."""
    if not key.startswith(mount.mount_path.rstrip("/") + "/"):
        return False
    if kinds.get(mount.name) not in DIRECTORY_VOLUMES:
        return False
    return not any(
        other is not mount
        and len(other.mount_path) > len(mount.mount_path)
        and (key == other.mount_path or key.startswith(other.mount_path + "/"))
        for other in mounts
    )
