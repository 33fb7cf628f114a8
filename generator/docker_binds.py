"""Docker's `volumes` strings and `mount` blocks as binds: part of the Nomad model.

`generator.model_builder` parses them once into `DockerConfig.binds`; the classifier and
the translator read the binds from the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.model import Mount


@dataclass(frozen=True)
class Bind:
    """A docker bind: `source` on the Nomad side, `target` in the container."""

    source: str
    target: str
    read_only: bool
    line: int
    kind: str = "bind"  # bind | volume | tmpfs
    driver: str | None = None  # a docker volume driver: the source names one of its volumes
    driver_options: tuple[tuple[str, str], ...] = ()
    mount_block: bool = False  # a `mount` block: Docker refuses a missing bind source
    propagation: str | None = None  # docker's bind propagation (rslave, rshared, ...)
    # The source began with ${NOMAD_ALLOC_DIR} (or the task / secrets dir) without `..`:
    # the container path (/alloc), which Nomad's docker driver reads as a host path.
    dir_variable: str | None = None

    @property
    def is_docker_volume(self) -> bool:
        """Docker manages it: a `mount` of type volume, or `volumes` with a volume_driver."""
        return self.kind == "volume" or (self.kind == "bind" and self.driver is not None)

    @property
    def keeps_data_on_node(self) -> bool:
        """A named docker volume of the local driver: its data outlives the container."""
        return (
            self.is_docker_volume
            and bool(self.source)
            and not self.driver_options
            and self.driver in (None, "local")
        )


# docker's bind propagation modes (docs.docker.com/engine/storage/bind-mounts) and the
# Kubernetes mount_propagation of each; Kubernetes' modes are always recursive.
DOCKER_PROPAGATION: dict[str, str | None] = {
    "private": None,
    "rprivate": None,
    "slave": "HostToContainer",
    "rslave": "HostToContainer",
    "shared": "Bidirectional",
    "rshared": "Bidirectional",
}
PROPAGATION_MODES = frozenset(DOCKER_PROPAGATION)


def parse_volume_string(text: str, line: int) -> Bind | None:
    parts = text.split(":")
    if len(parts) < 2:
        return None
    options = parts[2].split(",") if len(parts) > 2 else []
    read_only = "ro" in options
    propagation = next((o for o in options if o in PROPAGATION_MODES), None)
    return Bind(parts[0], parts[1], read_only, line, propagation=propagation)


# A bind source that starts at one of Nomad's task dirs, and the dir it names there.
_DIR_VARIABLE = re.compile(r"(?P<up>\.\./?)?\$\{\s*(?P<name>NOMAD_(?:ALLOC|TASK|SECRETS)_DIR)\s*\}")
_DIR_OF_VARIABLE = {
    "NOMAD_ALLOC_DIR": "alloc",
    "NOMAD_TASK_DIR": "local",
    "NOMAD_SECRETS_DIR": "secrets",
}


def parse_binds(
    volumes: Iterable[object], mounts: Iterable[Mount], volume_driver: str | None, line: int
) -> tuple[tuple[Bind, ...], tuple[object, ...]]:
    """The `volumes` entries and `mount` blocks as binds, and the entries not parsed."""
    binds: list[Bind] = []
    unparsed: list[object] = []
    for entry in volumes:
        bind = parse_volume_string(entry, line) if isinstance(entry, str) else None
        if bind is None:
            unparsed.append(entry)
        else:
            binds.append(replace(bind, driver=volume_driver))
    binds.extend(_mount_bind(mount) for mount in mounts)
    return tuple(_task_dir_source(bind) for bind in binds), tuple(unparsed)


def _task_dir_source(bind: Bind) -> Bind:
    """`${NOMAD_ALLOC_DIR}/data` and `..${NOMAD_ALLOC_DIR}/data` as the task dir path alloc/data."""
    match = _DIR_VARIABLE.match(bind.source)
    if match is None:
        return bind
    source = _DIR_OF_VARIABLE[match["name"]] + bind.source[match.end() :]
    return replace(bind, source=source, dir_variable=None if match["up"] else match["name"])


def _mount_bind(mount: Mount) -> Bind:
    return Bind(
        mount.source or "",
        mount.target,
        mount.readonly,
        mount.line,
        mount.type,
        mount.volume_driver,
        tuple(sorted(mount.driver_options.items())),
        mount_block=True,
        propagation=mount.propagation,
    )
