"""Runtime rules inside one pod: ports, probes, `$(VAR)`, hostPath types, container names,
volume mounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from generator.diagnostics import Severity
from generator.hcl import Block
from tools.validation import runtime_formats as formats
from tools.validation.runtime_model import Container, Pod
from tools.validation.runtime_values import Values

# (rule, line, message, severity); the caller adds file and address.
Problem = tuple[str, int, str, Severity]

_PROBES = ("liveness_probe", "readiness_probe", "startup_probe")
_HOOKS = ("post_start", "pre_stop")
_PORTED_HANDLERS = ("http_get", "tcp_socket")
# Only `$(NAME)` with an upper-case identifier is taken for a variable reference: in a shell
# script `$(date +%s)` or `$(hostname)` is a command substitution, which kubelet leaves alone
# (an unresolved reference stays literal) for the shell to run.
_VARIABLE_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# kubelet adds these for every Service of the namespace (enable_service_links, default on).
_SERVICE_LINK = re.compile(
    r"^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$"
)


def check_pod(pod: Pod, values: Values) -> Iterator[Problem]:
    yield from _names(pod, values)
    yield from _ports(pod)
    for container in pod.containers:
        yield from _probe_ports(container, values)
        yield from _env_references(container, values)
        yield from _volume_mounts(pod, container, values)
    yield from _host_paths(pod, values)


def _error(rule: str, line: int, message: str) -> Problem:
    return (rule, line, message, Severity.ERROR)


# ---- container and volume names (validateContainers, validateVolumes: DNS-1123 labels)


def _names(pod: Pod, values: Values) -> Iterator[Problem]:
    for container in pod.containers:
        if isinstance(container.name, str):
            problem = formats.dns1123_label(container.name)
            if problem:
                line = container.block.line_of("name")
                yield _error("object-name", line, f"{container.label()}: name {problem}")
    for volume in pod.spec.children("volume"):
        name = values.resolve(volume.get("name"))
        if isinstance(name, str):
            problem = formats.dns1123_label(name)
            if problem:
                yield _error(
                    "object-name", volume.line_of("name"), f'volume "{name}": name {problem}'
                )


# ---- ports (validateContainerPorts, FindPort, warnings.go)


def _ports(pod: Pod) -> Iterator[Problem]:
    owners: dict[str, Container] = {}
    for container in pod.containers:
        seen_names: set[str] = set()
        seen_numbers: dict[tuple[int, str], str] = {}
        for port in container.ports:
            line = port.block.line_of("name")
            if isinstance(port.name, str):
                problem = formats.port_name(port.name)
                if problem:
                    yield _error(
                        "port-name", line, f'{container.label()}: port name "{port.name}" {problem}'
                    )
                elif port.name in seen_names:
                    yield _error(
                        "port-name-unique",
                        line,
                        f'{container.label()}: port name "{port.name}" is declared twice',
                    )
                elif port.name in owners and owners[port.name] is not container:
                    other = owners[port.name].label()
                    yield _error(
                        "port-name-unique",
                        line,
                        f'{container.label()}: port name "{port.name}" is also declared by '
                        f"{other}: names must be unique in the pod (a named targetPort "
                        "resolves to the first)",
                    )
                seen_names.add(port.name)
                owners.setdefault(port.name, container)
            number = port.number
            if isinstance(number, int) and not isinstance(number, bool):
                number_line = port.block.line_of("container_port")
                if not 1 <= number <= 65535:
                    yield _error(
                        "port-name",
                        number_line,
                        f"{container.label()}: container_port {number} is not in 1-65535",
                    )
                key = (number, port.protocol)
                if key in seen_numbers:
                    yield (
                        "port-number-duplicate",
                        number_line,
                        f"{container.label()}: port {number}/{port.protocol} is declared twice "
                        f'(as "{seen_numbers[key]}" and "{port.name or ""}")',
                        Severity.WARNING,
                    )
                else:
                    seen_numbers[key] = port.name if isinstance(port.name, str) else ""


# ---- probe and lifecycle ports (kubelet prober findPortByName)


def _probe_ports(container: Container, values: Values) -> Iterator[Problem]:
    handlers: list[tuple[str, Block]] = []
    for probe_kind in _PROBES:
        for probe in container.block.children(probe_kind):
            handlers.extend((probe_kind, h) for h in probe.blocks if h.kind in _PORTED_HANDLERS)
    for lifecycle in container.block.children("lifecycle"):
        for hook_kind in _HOOKS:
            for hook in lifecycle.children(hook_kind):
                handlers.extend(
                    (f"lifecycle.{hook_kind}", h) for h in hook.blocks if h.kind in _PORTED_HANDLERS
                )
    names = container.port_names()
    for where, handler in handlers:
        port = values.resolve(handler.get("port"))
        if not isinstance(port, str) or not port or port.isdigit():
            continue  # a number (intstr.Parse), unset, or not known
        line = handler.line_of("port")
        problem = formats.port_name(port)
        if problem:
            yield _error(
                "probe-port",
                line,
                f'{container.label()}: {where}.{handler.kind}.port "{port}" is neither a number '
                f"nor a valid port name: {problem}",
            )
        elif port not in names:
            declared = ", ".join(sorted(names)) or "none"
            yield _error(
                "probe-port",
                line,
                f'{container.label()}: {where}.{handler.kind}.port "{port}" is not a port of this '
                f"container (its named ports: {declared}): kubelet fails the probe",
            )


# ---- $(VAR) (kubelet MakeEnvironmentVariables, ExpandContainerCommandAndArgs)


def _env_references(container: Container, values: Values) -> Iterator[Problem]:
    block = container.block
    if block.children("env_from"):
        return  # variables from a ConfigMap/Secret: their names are not in the module
    envs = block.children("env")
    names = [values.resolve(env.get("name")) for env in envs]
    if any(not isinstance(name, str) for name in names):
        return
    all_names = {name: env.line for name, env in zip(names, envs, strict=True)}
    defined: set[str] = set()
    for name, env in zip(names, envs, strict=True):
        if "value" in env.attributes:
            value = values.resolve(env.get("value"))
            if isinstance(value, str):
                for reference in formats.variable_references(value):
                    if reference in defined or not _undefined_candidate(reference):
                        continue
                    later = all_names.get(reference)
                    why = (
                        f"defined later (line {later}); kubelet expands only variables defined "
                        "before"
                        if later is not None and reference != name
                        else "not defined before it in this container"
                    )
                    yield _error(
                        "env-reference",
                        env.line_of("value"),
                        f'{container.label()}: env "{name}" refers to $({reference}), {why}: '
                        "it stays the literal text",
                    )
        defined.add(name)
    for attribute in ("command", "args"):
        items = values.resolve(block.get(attribute))
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, str):
                continue
            for reference in formats.variable_references(item):
                if reference in all_names or not _undefined_candidate(reference):
                    continue
                yield _error(
                    "env-reference",
                    block.line_of(attribute),
                    f"{container.label()}: {attribute} refers to $({reference}), which no env "
                    "of this container defines: it stays the literal text",
                )


def _undefined_candidate(reference: str) -> bool:
    return bool(_VARIABLE_NAME.match(reference)) and not _SERVICE_LINK.match(reference)


# ---- hostPath types (kubelet host_path.go checkType)

_SOCKET = re.compile(r"\.sock(et)?$")
_CHAR_DEVICE = re.compile(
    r"^/dev/(net/tun|null|zero|full|random|urandom|fuse|kvm|mem|kmsg|console|ptmx|"
    r"tty\d*|ttyS\d+|ttyUSB\d+|ttyACM\d+|ttyAMA\d+|rtc\d*|watchdog\d*|hidraw\d+|"
    r"gpiochip\d+|video\d+|i2c-\d+|spidev\d+\.\d+|dri/(card|renderD)\d+|"
    r"nvidia\d+|nvidiactl|nvidia-uvm|nvidia-uvm-tools|nvidia-modeset|vchiq|vcsm|cec\d+|"
    r"snd/(controlC\d+|pcmC\d+D\d+[cp]|timer|seq))$"
)
_BLOCK_DEVICE = re.compile(
    r"^/dev/(sd[a-z]+\d*|nvme\d+n\d+(p\d+)?|mmcblk\d+(p\d+)?|loop\d+|vd[a-z]+\d*)$"
)
_FILE_EXTENSION = re.compile(
    r"\.(ya?ml|json|toml|ini|conf|cfg|cnf|properties|xml|env|pem|crt|cert|key|pub|p12|pfx|"
    r"jks|txt|log|pid|lock|db|sqlite|sqlite3|sh|py|js|lua|html|csv)$",
    re.IGNORECASE,
)
_WELL_KNOWN_FILES = frozenset(
    {
        "/etc/machine-id",
        "/etc/localtime",
        "/etc/timezone",
        "/etc/hostname",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/passwd",
        "/etc/group",
        "/etc/shadow",
        "/etc/fstab",
        "/var/lib/dbus/machine-id",
    }
)
_WELL_KNOWN_DIRECTORIES = frozenset(
    {
        "/",
        "/dev",
        "/proc",
        "/sys",
        "/etc",
        "/tmp",
        "/run",
        "/var/run",
        "/var/log",
        "/var/lib/docker",
        "/var/lib/docker/containers",
        "/var/lib/kubelet",
        "/lib/modules",
        "/usr/share/zoneinfo",
        "/etc/ssl/certs",
        "/dev/dri",
        "/dev/snd",
        "/dev/bus/usb",
        "/dev/input",
        "/sys/fs/cgroup",
    }
)
_ALL_TYPES = (
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
    "CharDevice",
    "BlockDevice",
)
# what a path is -> the types that agree with it ("" and None: no check by kubelet)
_AGREEING = {
    "a socket": ("Socket",),
    "a character device": ("CharDevice",),
    "a block device": ("BlockDevice",),
    "a file": ("File", "FileOrCreate"),
    "a directory": ("Directory", "DirectoryOrCreate"),
}


def host_path_kind(path: str) -> str | None:
    """What `path` clearly is, or None when it could be anything."""
    if _SOCKET.search(path):
        return "a socket"
    if _CHAR_DEVICE.match(path):
        return "a character device"
    if _BLOCK_DEVICE.match(path):
        return "a block device"
    trimmed = path.rstrip("/") or "/"
    if trimmed in _WELL_KNOWN_DIRECTORIES or (path.endswith("/") and path != trimmed):
        return "a directory"
    if path in _WELL_KNOWN_FILES or _FILE_EXTENSION.search(path):
        return "a file"
    return None


def _host_paths(pod: Pod, values: Values) -> Iterator[Problem]:
    for volume in pod.spec.children("volume"):
        host_path = volume.child("host_path")
        if host_path is None or "type" not in host_path.attributes:
            continue
        path = values.resolve(host_path.get("path"))
        kind = values.resolve(host_path.get("type"))
        if not isinstance(path, str) or not isinstance(kind, str) or kind not in _ALL_TYPES:
            continue
        what = host_path_kind(path)
        if what is None or kind in _AGREEING[what]:
            continue
        name = values.resolve(volume.get("name"))
        shown = name if isinstance(name, str) else "?"
        wanted = " or ".join(_AGREEING[what])
        yield _error(
            "host-path-type",
            host_path.line_of("type"),
            f'volume "{shown}": host_path "{path}" is {what} but its type is "{kind}" '
            f"(expected {wanted}, or no type): kubelet's type check fails the pod"
            + (" or creates the wrong kind" if kind.endswith("OrCreate") else ""),
        )


# ---- volume mounts (ValidateVolumeMounts, validateLocalDescendingPath)


def _volume_mounts(pod: Pod, container: Container, values: Values) -> Iterator[Problem]:
    volumes = [values.resolve(v.get("name")) for v in pod.spec.children("volume")]
    known = all(isinstance(name, str) for name in volumes)
    paths: dict[str, int] = {}
    for mount in container.block.children("volume_mount"):
        name = values.resolve(mount.get("name"))
        path = values.resolve(mount.get("mount_path"))
        sub_path = values.resolve(mount.get("sub_path"))
        where = f'{container.label()}: volume_mount "{path if isinstance(path, str) else "?"}"'
        if known and isinstance(name, str) and name not in volumes:
            yield _error(
                "volume-mount", mount.line_of("name"), f'{where}: volume "{name}" not found'
            )
        if isinstance(path, str):
            if path in paths:
                yield _error(
                    "volume-mount",
                    mount.line_of("mount_path"),
                    f"{where}: mount_path must be unique (also on line {paths[path]})",
                )
            paths.setdefault(path, mount.line_of("mount_path"))
        if isinstance(sub_path, str) and (sub_path.startswith("/") or ".." in sub_path.split("/")):
            yield _error(
                "volume-mount",
                mount.line_of("sub_path"),
                f"{where}: sub_path \"{sub_path}\" must be a relative path without '..'",
            )
