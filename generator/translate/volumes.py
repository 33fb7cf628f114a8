"""Where a pod's files come from: group volumes, task dirs, binds, config files."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from generator.k8s_plan import KeyToPath, PodVolume, VolumeMountSpec
from generator.model import Group, Mount, Task
from generator.render.hcl_values import Raw
from generator.translate.context import Context
from generator.translate.interpolation import DIR_PREFIXES
from generator.translate.names import k8s_name


@dataclass(frozen=True)
class Bind:
    """A docker bind: `source` on the Nomad side, `target` in the container."""

    source: str
    target: str
    read_only: bool
    line: int
    kind: str = "bind"  # bind | volume | tmpfs


def parse_volume_string(text: str, line: int) -> Bind | None:
    parts = text.split(":")
    if len(parts) < 2:
        return None
    read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    return Bind(parts[0], parts[1], read_only, line)


def binds_of(task: Task, ctx: Context) -> list[Bind]:
    binds: list[Bind] = []
    for entry in task.config.volumes:
        bind = parse_volume_string(entry, task.config.line) if isinstance(entry, str) else None
        if bind is None:
            ctx.needs_decision(
                f"docker volume {entry!r} is not `source:target[:ro]`",
                task.config.line,
                f"task[{task.name}].config.volumes",
            )
        else:
            binds.append(bind)
    binds.extend(_mount_bind(mount) for mount in task.config.mounts)
    return binds


def _mount_bind(mount: Mount) -> Bind:
    return Bind(mount.source or "", mount.target, mount.readonly, mount.line, mount.type)


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

    def _size_limit(self) -> str | None:
        disk = self.group.ephemeral_disk
        return f"{disk.size_mb}Mi" if disk and disk.size_mb else None

    def task_dir(self, task: Task, which: str) -> str:
        """The empty_dir standing for a Nomad task dir (alloc/ is shared by the group)."""
        name = "alloc" if which == "alloc" else k8s_name(f"{which}-{task.name}")
        if name not in self.volumes:
            self.volumes[name] = PodVolume(
                name=name,
                kind="empty_dir",
                size_limit=self._size_limit(),
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

    def host_path(self, name: str, path: str, writable: bool, reason: str) -> str:
        if name not in self.volumes:
            self.volumes[name] = PodVolume(
                name=name,
                kind="host_path",
                path=path,
                host_path_type=self.ctx.settings.hostpath_type,
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
            return self.host_path(name, path, writable, f"CSI volume {source!r} at {path}")
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
        return self.host_path(name, path, writable, f"host volume {source!r} at {path}")

    def config_files(
        self, volume_name: str, config_map: Raw, items: list[KeyToPath], secret: bool = False
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
        where = f"task[{task.name}].config"
        if bind.kind == "tmpfs":
            name = k8s_name(f"tmpfs-{task.name}-{posixpath.basename(bind.target) or 'root'}")
            self.volumes.setdefault(name, PodVolume(name=name, kind="empty_dir", medium="Memory"))
            return VolumeMountSpec(name, bind.target)
        inside = task_dir_of(bind.source)
        if inside is not None:
            which, rest = inside
            return VolumeMountSpec(
                self.task_dir(task, which), bind.target, rest or None, bind.read_only
            )
        if bind.source.startswith("/"):
            name = k8s_name("host-" + bind.source.strip("/").replace("/", "-"))
            writable = not bind.read_only
            self.host_path(name, bind.source, writable, f"bind mount of {bind.source}")
            return VolumeMountSpec(name, bind.target, None, bind.read_only)
        if bind.kind == "volume" or "/" not in bind.source:
            name = k8s_name(f"volume-{bind.source or posixpath.basename(bind.target)}")
            self.volumes.setdefault(name, PodVolume(name=name, kind="empty_dir"))
            self.ctx.needs_decision(
                f"docker named volume {bind.source!r} becomes an empty_dir: its data does not"
                " persist; use a group volume for persistent data",
                bind.line,
                where,
            )
            return VolumeMountSpec(name, bind.target, None, bind.read_only)
        self.ctx.needs_decision(
            f"bind source {bind.source!r} is relative to the task dir but outside local/,"
            " alloc/ and secrets/; not mounted",
            bind.line,
            where,
        )
        return None

    def pod_volumes(self) -> list[PodVolume]:
        return list(self.volumes.values())
