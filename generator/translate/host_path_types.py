"""The `host_path.type` of a hostPath volume: what the kubelet checks (or creates) at the path.

A wrong type keeps the pod from starting (`hostPath type check failed`), so the type follows
what Nomad mounts there:

- docker `volumes = ["/src:/dst"]` are Binds: Docker creates a missing source as a directory
  (`DirectoryOrCreate`); `mount { type = "bind" }` refuses a missing source (`Directory`);
  see hashicorp/nomad drivers/docker/driver.go (containerBinds → HostConfig.Binds,
  toDockerMount → HostConfig.Mounts) and docs.docker.com/engine/storage/bind-mounts
  ("Differences between -v and --mount behavior").
- Nomad host volumes, CSI volumes and docker volumes moved under `storage_root` keep the
  settings' `hostpath_type`.
- Whatever the origin, a path that names a socket, a device or a file gets that type, since
  a directory check fails on it; `hostpath_types` in the settings names the type per path.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from enum import StrEnum

# Every value of core/v1 HostPathType ("" skips the check).
HOST_PATH_TYPES = frozenset(
    {
        "",
        "DirectoryOrCreate",
        "Directory",
        "FileOrCreate",
        "File",
        "Socket",
        "CharDevice",
        "BlockDevice",
    }
)


class Origin(StrEnum):
    DOCKER_VOLUMES = "volumes"  # docker `volumes` entry: a missing directory is created
    DOCKER_MOUNT = "mount"  # docker `mount` block of type bind: the source must exist
    STORAGE = "storage"  # host volume, CSI or docker volume: the settings' hostpath_type


# Sockets that carry no `.sock` suffix.
_SOCKETS = frozenset(
    {
        "/var/run/dbus/system_bus_socket",
        "/run/dbus/system_bus_socket",
        "/var/run/libvirt/libvirt-sock",
        "/run/libvirt/libvirt-sock",
        "/dev/log",
    }
)
_SOCKET_SUFFIXES = (".sock", ".socket")
# Directories under /dev; any other /dev path is a device node.
_DEVICE_DIRECTORIES = frozenset(
    {
        "/dev",
        "/dev/block",
        "/dev/bus",
        "/dev/bus/usb",
        "/dev/char",
        "/dev/cpu",
        "/dev/disk",
        "/dev/disk/by-id",
        "/dev/disk/by-label",
        "/dev/disk/by-path",
        "/dev/disk/by-uuid",
        "/dev/dri",
        "/dev/dri/by-path",
        "/dev/dvb",
        "/dev/hugepages",
        "/dev/input",
        "/dev/input/by-id",
        "/dev/input/by-path",
        "/dev/mapper",
        "/dev/mqueue",
        "/dev/net",
        "/dev/nvidia-caps",
        "/dev/pts",
        "/dev/serial",
        "/dev/serial/by-id",
        "/dev/serial/by-path",
        "/dev/shm",
        "/dev/snd",
        "/dev/usb",
        "/dev/v4l",
        "/dev/v4l/by-id",
        "/dev/v4l/by-path",
        "/dev/vfio",
    }
)
# USB bus directories (/dev/bus/usb/001); the devices inside them are character devices.
_DEVICE_DIRECTORY = re.compile(r"/dev/bus/usb/\d+")
# File systems under /dev whose entries may be files or directories.
_DEVICE_FILE_SYSTEMS = ("/dev/shm", "/dev/mqueue", "/dev/hugepages")
# Block devices by name: disks, partitions, device-mapper, loop, RAM and RBD devices.
_BLOCK_DEVICE = re.compile(
    r"/dev/((sd|vd|xvd|hd)[a-z]+\d*|nvme\d+n\d+(p\d+)?|mmcblk\d+(p\d+)?|loop\d+|dm-\d+|md\d+"
    r"|nbd\d+|zram\d+|rbd\d+|sr\d+|mapper/(?!control$).+|disk/by-[a-z]+/.+)"
)
# Well-known files that carry no extension.
_FILES = frozenset(
    {
        "/etc/group",
        "/etc/hostname",
        "/etc/hosts",
        "/etc/localtime",
        "/etc/machine-id",
        "/etc/os-release",
        "/etc/passwd",
        "/etc/resolv.conf",
        "/etc/shadow",
        "/etc/timezone",
        "/var/lib/dbus/machine-id",
    }
)
_FILE_NAMES = frozenset({".env", ".htpasswd", ".netrc", ".gitconfig", "htpasswd", "Caddyfile"})
# Extensions of files people bind-mount (configs, keys, certificates, databases, scripts).
_FILE_EXTENSIONS = frozenset(
    {
        "cer",
        "cf",
        "cfg",
        "cnf",
        "conf",
        "crt",
        "csr",
        "db",
        "env",
        "ini",
        "jks",
        "js",
        "json",
        "key",
        "list",
        "log",
        "lua",
        "p12",
        "pem",
        "pfx",
        "php",
        "properties",
        "py",
        "sh",
        "sqlite",
        "sqlite3",
        "toml",
        "txt",
        "xml",
        "yaml",
        "yml",
    }
)
_EXECUTABLE_DIRS = ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")
_SHARED_LIBRARY = re.compile(r".+\.so(\.\d+)*")
# Kernel file systems: a path inside may be a file or a directory; the kubelet checks nothing.
_KERNEL_FS = ("/proc", "/sys")


def kind_of_path(path: str) -> str | None:
    """The HostPathType the path itself tells (socket, device, file), or None for a directory.

    `""` (no check) for paths inside /proc, /sys and /dev/shm, which may be files or directories.
    """
    explicit_directory = path.endswith("/") and path != "/"
    normalized = posixpath.normpath(path) if path else path
    if explicit_directory:
        return None
    if normalized in _SOCKETS or normalized.endswith(_SOCKET_SUFFIXES):
        return "Socket"
    if any(normalized.startswith(root + "/") for root in _KERNEL_FS + _DEVICE_FILE_SYSTEMS):
        return ""
    if normalized in _DEVICE_DIRECTORIES or _DEVICE_DIRECTORY.fullmatch(normalized):
        return None
    if normalized.startswith("/dev/"):
        return "BlockDevice" if _BLOCK_DEVICE.fullmatch(normalized) else "CharDevice"
    if normalized in _FILES:
        return "File"
    name = posixpath.basename(normalized)
    directory = posixpath.dirname(normalized)
    if name in _FILE_NAMES or directory in _EXECUTABLE_DIRS or _SHARED_LIBRARY.fullmatch(name):
        return "File"
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.lower() in _FILE_EXTENSIONS:
        return "File"
    return None


def configured_type(path: str, configured: dict[str, str]) -> str | None:
    """The settings' `hostpath_types` entry for `path`: an exact path first, then a glob."""
    normalized = posixpath.normpath(path) if path else path
    for key in (path, normalized):
        if key in configured:
            return configured[key]
    for pattern, value in configured.items():
        if fnmatch.fnmatchcase(normalized, posixpath.normpath(pattern)):
            return value
    return None


def host_path_type(path: str, origin: Origin, default: str, configured: dict[str, str]) -> str:
    """The settings' entry for the path, else the path's own kind, else the origin's type."""
    chosen = configured_type(path, configured)
    if chosen is not None:
        return chosen
    kind = kind_of_path(path)
    if kind is not None:
        return kind
    if origin is Origin.DOCKER_VOLUMES:
        return "DirectoryOrCreate"
    if origin is Origin.DOCKER_MOUNT:
        return "Directory"
    return default
