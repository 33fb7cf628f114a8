"""Where a pod's files come from: group volumes, task dirs, binds, config files."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from generator.docker_binds import DOCKER_PROPAGATION, Bind
from generator.k8s_plan import KeyToPath, PodVolume, VolumeMountSpec
from generator.model import Group, Task
from generator.plan_values import Ref, ResourceName
from generator.translate.context import Context
from generator.translate.host_path_types import Origin, host_path_type
from generator.translate.interpolation import (
    DIR_PREFIXES,
    INTERPOLATION,
    PodFacts,
    literal_value,
)
from generator.translate.names import k8s_name


def binds_of(task: Task, ctx: Context, facts: PodFacts | None = None) -> list[Bind]:
    """The task's binds, with what Nomad interpolates in their paths filled in from `facts`."""
    binds = list(task.config.binds)
    for entry in task.config.unparsed_volumes:
        ctx.needs_decision(
            f"docker volume {entry!r} is not `source:target[:ro]`",
            task.config.line,
            f"task[{task.name}].config.volumes",
        )
    if facts is None:
        return binds
    where = f"task[{task.name}].config"
    return [
        replace(
            bind,
            source=_interpolated(bind.source, bind.line, facts, ctx, where),
            target=_interpolated(bind.target, bind.line, facts, ctx, where),
        )
        for bind in binds
    ]


def _interpolated(text: str, line: int, facts: PodFacts, ctx: Context, where: str) -> str:
    def value(match: re.Match[str]) -> str:
        found = literal_value(match.group(1).strip(), facts)
        if found is None:
            ctx.needs_decision(
                f"{match.group(0)} in the mount path {text!r} is known only at run time:"
                " kept as written",
                line,
                where,
            )
            return match.group(0)
        return found

    return INTERPOLATION.sub(value, text)


def nfs_flags(bind: Bind) -> list[str]:
    """The `o` mount options of a docker volume, as written."""
    return [f.strip() for f in dict(bind.driver_options).get("o", "").split(",") if f.strip()]


def nfs_export(bind: Bind) -> tuple[str, str] | None:
    """(server, path) of a local-driver docker volume that mounts NFS, else None."""
    options = dict(bind.driver_options)
    if bind.driver not in (None, "local") or options.get("type") not in ("nfs", "nfs4"):
        return None
    flags = dict(flag.partition("=")[::2] for flag in nfs_flags(bind) if "=" in flag)
    device = options.get("device", "")
    host, _, path = device.rpartition(":")
    server = flags.get("addr") or host
    return (server, path) if server and path.startswith("/") else None


def task_dir_of(path: str) -> tuple[str, str] | None:
    """`local/conf.d/a.conf` → ("local", "conf.d/a.conf"); None outside the task dirs."""
    normalized = posixpath.normpath(path) if path else "."
    if normalized.startswith("../alloc"):
        normalized = normalized[3:]
    head, _, rest = normalized.partition("/")
    if head in DIR_PREFIXES:
        return head, rest
    return None


@dataclass
class PodVolumes:
    """Accumulates the volumes of one pod, each named once."""

    ctx: Context
    group: Group
    volumes: dict[str, PodVolume] = field(default_factory=dict)
    writable_host_paths: list[str] = field(default_factory=list)
    task_dir_users: dict[str, set[str]] = field(default_factory=dict)
    # Volume name → what it holds, for names two sources reach (`/srv/a_b`, `/srv/a-b`).
    holders: dict[str, str] = field(default_factory=dict)

    def claim(self, name: str, holder: str) -> str:
        """`name` for `holder`, or `name-2`, `name-3`... when something else holds it."""
        candidate, number = name, 1
        while (self.holders.get(candidate, holder) != holder) or (
            candidate in self.volumes and candidate not in self.holders
        ):
            number += 1
            suffix = f"-{number}"
            candidate = name[: 63 - len(suffix)].rstrip("-") + suffix
        self.holders[candidate] = holder
        return candidate

    def task_dir(self, task: Task, which: str) -> str:
        """The empty_dir standing for a Nomad task dir (alloc/ is shared by the group)."""
        name = "alloc" if which == "alloc" else k8s_name(f"{which}-{task.name}")
        if name not in self.volumes:
            self.volumes[name] = PodVolume(
                name=name,
                kind="empty_dir",
                medium="Memory" if which == "secrets" else None,
            )
        return name

    def shared_memory(self, task: Task) -> str:
        """docker's shm_size: a memory-backed empty_dir mounted at /dev/shm."""
        name = k8s_name(f"shm-{task.name}")
        size = task.config.shm_size or 0
        mebibytes = max(1, -(-size // (1024 * 1024)))
        self.volumes[name] = PodVolume(
            name=name, kind="empty_dir", medium="Memory", size_limit=f"{mebibytes}Mi"
        )
        return name

    def prune(self, used: set[str]) -> None:
        """Drop volumes no container mounts (a task dir only a rendered file was bound over)."""
        self.volumes = {name: v for name, v in self.volumes.items() if name in used}

    def host_path(
        self,
        name: str,
        path: str,
        writable: bool,
        reason: str,
        origin: Origin = Origin.STORAGE,
        line: int | None = None,
    ) -> str:
        name = self.claim(name, f"hostPath {path}")
        if name not in self.volumes:
            settings = self.ctx.settings
            kind = host_path_type(path, origin, settings.hostpath_type, settings.hostpath_types)
            self.volumes[name] = PodVolume(
                name=name, kind="host_path", path=path, host_path_type=kind or None
            )
            if not kind:
                self.ctx.dropped(
                    f"hostPath {path}: a file or a directory, not known; the kubelet checks"
                    " nothing (name its type under `hostpath_types` in the settings)",
                    line if line is not None else self.group.line,
                    f"group[{self.group.name}].volume[{name}]",
                )
        if writable:
            self.writable_host_paths.append(reason)
        return name

    def group_volume(self, volume_name: str, writable_mount: bool) -> str | None:
        request = next((v for v in self.group.volumes if v.name == volume_name), None)
        if request is None:
            return None
        name = self.ctx.k8s(request.name, "volume", request.line)
        source = request.source or request.name
        writable = writable_mount and not request.read_only
        if request.type == "csi":
            path = posixpath.join(self.ctx.settings.storage_root, source)
            return self.host_path(
                name, path, writable, f"CSI volume {source!r} at {path}", line=request.line
            )
        mapped = self.ctx.settings.host_volumes.get(source)
        if mapped is None:
            path = posixpath.join(self.ctx.settings.storage_root, source)
            self.ctx.needs_decision(
                f"host volume {source!r} has no path in the settings' `host_volumes`;"
                f" assumed {path}",
                request.line,
                f"group[{self.group.name}].volume[{request.name}]",
            )
        else:
            path = mapped
        return self.host_path(
            name, path, writable, f"host volume {source!r} at {path}", line=request.line
        )

    def config_files(
        self,
        volume_name: str,
        config_map: Ref | ResourceName,
        items: list[KeyToPath],
        secret: bool = False,
    ) -> str:
        existing = self.volumes.get(volume_name)
        if existing is not None:
            known = {item.key for item in existing.items}
            existing.items.extend(item for item in items if item.key not in known)
            return volume_name
        self.volumes[volume_name] = PodVolume(
            name=volume_name,
            kind="secret" if secret else "config_map",
            source_name=config_map,
            items=items,
        )
        return volume_name

    def bind_mount(self, task: Task, bind: Bind) -> VolumeMountSpec | None:
        """The container mount for one docker bind, or None when reported instead."""
        spec = self._bind_mount(task, bind, f"task[{task.name}].config")
        if spec is not None and bind.propagation and self.volumes[spec.name].kind != "host_path":
            self.ctx.dropped(
                f"bind propagation {bind.propagation!r} of {bind.source or bind.target}: the"
                " pod's own volume there shares no mounts with the node",
                bind.line,
                f"task[{task.name}].config",
            )
        return spec

    def _bind_mount(self, task: Task, bind: Bind, where: str) -> VolumeMountSpec | None:
        if bind.kind == "tmpfs":
            name = k8s_name(f"tmpfs-{task.name}-{posixpath.basename(bind.target) or 'root'}")
            name = self.claim(name, f"tmpfs {task.name} {bind.target}")
            self.volumes.setdefault(name, PodVolume(name=name, kind="empty_dir", medium="Memory"))
            return VolumeMountSpec(name, bind.target)
        inside = task_dir_of(bind.source)
        if inside is not None:
            which, rest = inside
            if bind.dir_variable:
                self.ctx.needs_decision(
                    f"${{{bind.dir_variable}}} in a bind source is {DIR_PREFIXES[which]} inside the"
                    f" container, which Nomad's docker driver reads as a host path; mounted from"
                    f" the pod's {which} dir instead (as `..${{{bind.dir_variable}}}` means)",
                    bind.line,
                    where,
                )
            return VolumeMountSpec(
                self.task_dir(task, which), bind.target, rest or None, bind.read_only
            )
        if bind.source.startswith("/"):
            name = k8s_name("host-" + bind.source.strip("/").replace("/", "-"))
            writable = not bind.read_only
            origin = Origin.DOCKER_MOUNT if bind.mount_block else Origin.DOCKER_VOLUMES
            reason = f"bind mount of {bind.source}"
            name = self.host_path(name, bind.source, writable, reason, origin, bind.line)
            propagation = self._propagation(task, bind, where)
            return VolumeMountSpec(name, bind.target, None, bind.read_only, propagation)
        if bind.is_docker_volume:
            return self._docker_volume(task, bind, where)
        # Nomad resolves any other relative source inside the task dir: scratch space.
        name = self.claim(
            k8s_name(f"task-{task.name}-{bind.source}"), f"scratch {task.name} {bind.source}"
        )
        self.volumes.setdefault(name, PodVolume(name=name, kind="empty_dir"))
        return VolumeMountSpec(name, bind.target, None, bind.read_only)

    def _propagation(self, task: Task, bind: Bind, where: str) -> str | None:
        """docker's bind propagation as the mount_propagation of a hostPath mount."""
        mode = bind.propagation
        if mode is None:
            return None
        if mode not in DOCKER_PROPAGATION:
            self.ctx.needs_decision(
                f"bind propagation {mode!r} of {bind.source} is not one of"
                f" {', '.join(DOCKER_PROPAGATION)}: the cluster's default (private) applies",
                bind.line,
                where,
            )
            return None
        mapped = DOCKER_PROPAGATION[mode]
        if mapped and not mode.startswith("r"):
            self.ctx.dropped(
                f"bind propagation {mode!r} of {bind.source} becomes {mapped}, which is"
                f" recursive (r{mode})",
                bind.line,
                where,
            )
        if mapped == "Bidirectional" and not task.config.privileged:
            self.ctx.needs_decision(
                f"bind propagation {mode!r} of {bind.source} becomes Bidirectional, which the"
                " API server accepts only in a privileged container",
                bind.line,
                where,
            )
        return mapped

    def _docker_volume(self, task: Task, bind: Bind, where: str) -> VolumeMountSpec:
        label = bind.source or posixpath.basename(bind.target) or "root"
        name = k8s_name(f"volume-{label}")
        export = nfs_export(bind)
        read_only = bind.read_only
        if export is not None:
            server, path = export
            self.volumes.setdefault(
                name, PodVolume(name=name, kind="nfs", server=server, path=path)
            )
            flags = nfs_flags(bind)
            read_only = read_only or "ro" in flags
            unused = [f for f in flags if f not in ("ro", "rw") and not f.startswith("addr=")]
            if unused:
                self.ctx.dropped(
                    f"nfs mount options {','.join(unused)}: a pod's nfs volume takes none;"
                    " use a PersistentVolume with mountOptions to keep them",
                    bind.line,
                    where,
                )
        elif bind.keeps_data_on_node:
            path = posixpath.join(self.ctx.settings.storage_root, bind.source)
            reason = f"docker volume {bind.source!r}"
            name = self.host_path(name, path, not bind.read_only, reason, line=bind.line)
            self.ctx.needs_decision(
                f"docker volume {bind.source!r} becomes the hostPath {path}: copy its data there"
                f" from the node's docker volume store (/var/lib/docker/volumes/{bind.source})",
                bind.line,
                where,
            )
            propagation = self._propagation(task, bind, where)
            return VolumeMountSpec(name, bind.target, None, read_only, propagation)
        else:
            self.volumes.setdefault(name, PodVolume(name=name, kind="empty_dir"))
            if bind.source:
                driver = bind.driver or dict(bind.driver_options).get("type") or "local"
                self.ctx.needs_decision(
                    f"docker volume {bind.source!r} of the {driver!r} driver becomes an"
                    " empty_dir: mount its storage with a CSI driver or PersistentVolume by hand",
                    bind.line,
                    where,
                )
        return VolumeMountSpec(name, bind.target, None, read_only)

    def pod_volumes(self) -> list[PodVolume]:
        return list(self.volumes.values())
