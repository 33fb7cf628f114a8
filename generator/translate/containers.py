"""One Nomad task → one Kubernetes container."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from generator.credentials import CREDENTIAL_NAME
from generator.diagnostics import Severity
from generator.hcl.unknowns import has_unknown
from generator.k8s_plan import (
    Container,
    ContainerPort,
    EnvVar,
    Probe,
    SecurityContext,
    VolumeMountSpec,
)
from generator.model import Check, Task
from generator.plan_values import StringTemplate
from generator.translate.connect_loopback import (
    listen_address,
    listen_arguments,
    report_other_loopback,
)
from generator.translate.context import Context
from generator.translate.images import image_with_tag_variable, split_image
from generator.translate.interpolation import INTERPOLATION, PodFacts, literal_value, rewrite
from generator.translate.names import tf_identifier

CHECK_PROBES = {
    "http": "http_get",
    "https": "http_get",
    "tcp": "tcp_socket",
    "script": "exec",
    "grpc": "grpc",
}
DOCKER_LIKE_DRIVERS = {"docker", "podman"}


# `repo:v${TAG}`: only the tag is interpolated, so the tag can be a module variable.
_RUNTIME_TAG = re.compile(
    r"([a-z0-9][a-z0-9._/-]*(?::\d+/[a-z0-9._/-]+)?):([\w.-]*)\$\{([\w.]+)\}([\w.-]*)"
)


@dataclass
class ImageVariables:
    """One `*_image_tag` variable per image repository; the first is `image_tag`."""

    by_repository: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    without_default: set[str] = field(default_factory=set)  # tags known only at run time

    def variable_for(self, repository: str, tag: str | None) -> str:
        if repository not in self.by_repository:
            base = repository.rsplit("/", 1)[-1]
            name = "image_tag" if not self.by_repository else f"{tf_identifier(base)}_image_tag"
            taken = {n for n, _ in self.by_repository.values()}
            while name in taken:
                name = (
                    "x" + name
                    if name.startswith("_")
                    else f"{name.removesuffix('_image_tag')}_2_image_tag"
                )
            self.by_repository[repository] = (name, tag)
        return self.by_repository[repository][0]


def container_image(
    task: Task, images: ImageVariables, ctx: Context, facts: PodFacts | None = None
) -> str | StringTemplate:
    image = task.config.image
    where = f"task[{task.name}].config.image"
    if not isinstance(image, str) or not image:
        ctx.needs_decision(f"task {task.name!r} has no literal image", task.config.line, where)
        return "REPLACE_ME"
    if facts is not None:
        image = fill_fixed_values(image, task, facts)
    if has_unknown(image):  # a jobspec variable, now a module input, sets (part of) it
        return image
    runtime_tag = _RUNTIME_TAG.fullmatch(image)
    if runtime_tag is not None:
        repository, before, name, after = runtime_tag.groups()
        # Its own variable: a literal tag of the same repository keeps its default.
        variable = images.variable_for(f"{repository} (tag set at run time)", None)
        images.without_default.add(variable)
        ctx.needs_decision(
            f"the tag of {image!r} is known only at run time (${{{name}}}): it becomes the"
            f" module variable {variable}, which has no default",
            task.config.line,
            where,
        )
        return image_with_tag_variable(repository, variable, before, after)
    if "${" in image:
        ctx.needs_decision(
            f"image {image!r} is interpolated at run time; set it by hand", task.config.line, where
        )
        return image
    ref = split_image(image)
    variable = images.variable_for(ref.repository, ref.tag)
    suffix = f"@{ref.digest}" if ref.digest else ""
    return image_with_tag_variable(ref.repository, variable, after=suffix)


def fill_fixed_values(text: str, task: Task, facts: PodFacts) -> str:
    """`${NOMAD_META_x}`, `${NOMAD_JOB_NAME}` or a literal env var of the task, filled in."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        env = task.env.get(name)
        if isinstance(env, str) and "${" not in env:
            return env
        return literal_value(name, facts) or match.group(0)

    return INTERPOLATION.sub(value, text)


def _strings(values: tuple, facts: PodFacts, ctx: Context, line: int, path: str, env: list[EnvVar]):
    out: list[str | StringTemplate] = []
    for value in values:
        rewritten = rewrite(str(value), facts, ctx, line, path)
        env.extend(rewritten.downward_env)
        out.append(rewritten.value)
    return out


def command_and_args(task: Task, facts: PodFacts, ctx: Context, env: list[EnvVar]):
    """Docker's entrypoint → `command`; Nomad's `command` + `args` → `args`."""
    line = task.config.line
    path = f"task[{task.name}].config"
    command = _strings(task.config.entrypoint, facts, ctx, line, path + ".entrypoint", env)
    args_in = ((task.config.command,) if task.config.command else ()) + task.config.args
    args = _strings(args_in, facts, ctx, line, path + ".args", env)
    if facts.connect_sidecar:
        command = listen_arguments(command, ctx, line, path + ".entrypoint")
        args = listen_arguments(args, ctx, line, path + ".args")
    return command or None, args or None


def env_vars(task: Task, facts: PodFacts, ctx: Context) -> tuple[list[EnvVar], list[EnvVar]]:
    """Plain env vars, and the downward-API vars they need (defined first)."""
    plain: list[EnvVar] = []
    downward: list[EnvVar] = []
    earlier: list[str] = []
    for name, value in task.env.items():
        line = task.env_lines.get(name, task.line)
        path = f"task[{task.name}].env.{name}"
        text = "true" if value is True else "false" if value is False else str(value)
        # An env value can only read the env vars defined before it.
        defined_before = replace(facts, env_names=frozenset(earlier))
        earlier.append(name)
        rewritten = rewrite(text, defined_before, ctx, line, path)
        downward.extend(rewritten.downward_env)
        value = rewritten.value
        if facts.connect_sidecar and isinstance(value, str):
            value = listen_address(name, value, ctx, line, path)
            report_other_loopback(value, ctx, line, path)
        plain.append(EnvVar(name=name, value=value))
        if CREDENTIAL_NAME.search(name) and text and "${" not in text and not has_unknown(text):
            ctx.report(
                Severity.WARNING,
                "literal-credential",
                f"env {name} looks like a credential written in the jobspec; it stays a literal"
                " in main.tf: move it to the secret store",
                line,
                path,
            )
    return plain, downward


def dedupe_env(env: list[EnvVar]) -> list[EnvVar]:
    seen: set[str] = set()
    result = []
    for item in env:
        if item.name not in seen:
            seen.add(item.name)
            result.append(item)
    return result


# Nomad's structs.DefaultResources, applied field by field to a task that leaves them unset
# (api Resources.Canonicalize): 100 MHz of CPU unless `cores` is set, 300 MB of memory, which is
# also the hard limit without `memory_max`. MHz become millicores one for one.
NOMAD_DEFAULT_CPU_MHZ = 100
NOMAD_DEFAULT_MEMORY_MB = 300


def task_cpu_memory(task: Task) -> tuple[int | None, int]:
    """The task's CPU (MHz, None under `cores`) and memory (MB), Nomad's defaults filled in."""
    res = task.resources
    cpu = res.cpu if res and res.cpu else None
    if cpu is None and not (res and res.cores):
        cpu = NOMAD_DEFAULT_CPU_MHZ
    return cpu, (res.memory if res and res.memory else NOMAD_DEFAULT_MEMORY_MB)


def resources(task: Task, ctx: Context) -> tuple[dict[str, str], dict[str, str | int]]:
    requests: dict[str, str] = {}
    limits: dict[str, str | int] = {}
    res = task.resources
    cpu, memory = task_cpu_memory(task)
    if res is not None and res.cores:
        requests["cpu"] = f"{res.cores * 1000}m"
    elif cpu:
        requests["cpu"] = f"{cpu}m"
    requests["memory"] = f"{memory}Mi"
    limits["memory"] = f"{res.memory_max if res and res.memory_max else memory}Mi"
    if ctx.settings.cpu_limit and "cpu" in requests:
        limits["cpu"] = requests["cpu"]
    defaulted = [
        (name, amount)
        for unset, name, amount in (
            (not (res and (res.cpu or res.cores)), "cpu", f"{NOMAD_DEFAULT_CPU_MHZ} MHz"),
            (not (res and res.memory), "memory", f"{NOMAD_DEFAULT_MEMORY_MB} MB"),
        )
        if unset
    ]
    if defaulted:
        ctx.report(
            Severity.INFO,
            "nomad-default",
            f"task {task.name!r} sets no {' and no '.join(n for n, _ in defaulted)}: Nomad"
            f" gives it {' and '.join(a for _, a in defaulted)}; carried as requests"
            f" {', '.join(f'{k} {v}' for k, v in requests.items())} and limit memory"
            f" {limits['memory']}",
            res.line if res else task.line,
            f"task[{task.name}].resources",
        )
    for device in res.devices if res else ():
        if not device.name.startswith(("nvidia/gpu", "nvidia", "gpu")):
            ctx.unsupported(
                f"device {device.name!r} has no Kubernetes mapping",
                device.line,
                f"task[{task.name}].resources.device",
            )
    gpus = task.gpu_count
    if gpus:
        limits["nvidia.com/gpu"] = gpus
    return requests, limits


def probe_for(
    check: Check,
    port_names: dict[str, str],
    default_port: str | int | None,
    ctx: Context,
    path: str,
) -> Probe | None:
    kind = CHECK_PROBES.get(check.type)
    if kind is None:
        ctx.unsupported(f"check type {check.type!r} has no probe equivalent", check.line, path)
        return None
    port: str | int | None = default_port
    if check.port is not None:
        port = port_names.get(str(check.port), check.port)
    probe = Probe(
        kind=kind,
        period_seconds=check.interval_seconds,
        timeout_seconds=check.timeout_seconds,
        failure_threshold=check.restart_limit or None,
        initial_delay_seconds=check.restart_grace_seconds or None,
    )
    if kind == "exec":
        probe.command = [check.command or "", *check.args] if check.command else list(check.args)
        if not probe.command:
            ctx.needs_decision("script check has no command", check.line, path)
            return None
        return probe
    if port is None:
        ctx.needs_decision(f"{check.type} check has no port to probe", check.line, path)
        return None
    probe.port = port
    if kind == "http_get":
        probe.path = check.path or "/"
        probe.http_headers = {
            k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in check.headers.items()
        }
        if check.type == "https" or check.protocol == "https":
            probe.scheme = "HTTPS"
    if kind == "grpc":
        probe.grpc_service = check.grpc_service
        if isinstance(port, str) and not port.isdigit():
            number = next(
                (int(n) for n, name in port_names.items() if name == port and n.isdigit()), None
            )
            probe.port = number
    return probe


# docker `security_opt` entries with a container security_context field of the same effect.
SECURITY_OPTS: dict[str, tuple[str, object]] = {
    "no-new-privileges": ("allow_privilege_escalation", False),
    "no-new-privileges:true": ("allow_privilege_escalation", False),
    "no-new-privileges=true": ("allow_privilege_escalation", False),
    "seccomp=unconfined": ("seccomp_profile", "Unconfined"),
    "seccomp:unconfined": ("seccomp_profile", "Unconfined"),
}


def kubernetes_capability(name: str) -> str:
    """A Docker capability name as the container runtime reads it: `ALL`, `NET_ADMIN`.

    Nomad's Docker driver takes `net_admin`, `CAP_NET_ADMIN` or `all` (Moby normalizes
    them); containerd and CRI-O prefix `CAP_` to what the pod gives them, so
    `cap_net_admin` would fail the container's start, and admission policies match
    `ALL` as written.
    """
    if has_unknown(name):
        return name
    upper = name.strip().upper()
    return upper.removeprefix("CAP_")


def security_context(task: Task, ctx: Context) -> SecurityContext | None:
    config = task.config
    context = SecurityContext(
        privileged=config.privileged,
        add_capabilities=[kubernetes_capability(name) for name in config.cap_add],
        drop_capabilities=[kubernetes_capability(name) for name in config.cap_drop],
        read_only_root_filesystem=config.readonly_rootfs,
    )
    for option in config.security_opt:
        mapped = SECURITY_OPTS.get(option.replace(" ", "").lower())
        if mapped is None:
            ctx.unsupported(
                f"security_opt {option!r} has no security_context equivalent; set it by hand",
                config.line_of("security_opt"),
                f"task[{task.name}].config.security_opt",
            )
        else:
            setattr(context, *mapped)
    if task.user:
        user, _, group = task.user.partition(":")
        if user.isdigit() and (not group or group.isdigit()):
            context.run_as_user = int(user)
            context.run_as_group = int(group) if group else None
        else:
            ctx.needs_decision(
                f"user {task.user!r} is not numeric; Kubernetes needs a uid (run_as_user)",
                task.line,
                f"task[{task.name}].user",
            )
    if context == SecurityContext():
        return None
    return context


def _readiness(probe: Probe | None) -> Probe | None:
    """The check as a readiness probe: check_restart only shapes the liveness probe."""
    if probe is None:
        return None
    return replace(probe, failure_threshold=None, initial_delay_seconds=None)


def _liveness(probe: Probe | None, ctx: Context) -> Probe | None:
    """Nomad restarts a task for a failing check only under `check_restart` (a `limit` above
    0); otherwise a failing check just takes it out of Consul, which readiness does. A slow
    start (initdb, a migration) under a liveness probe Nomad never had gets killed in a loop."""
    if probe is None or not (probe.failure_threshold or ctx.settings.liveness_always):
        return None
    return probe


def build_container(
    task: Task,
    image: str | StringTemplate,
    facts: PodFacts,
    ports: list[ContainerPort],
    mounts: list[VolumeMountSpec],
    probe: Probe | None,
    extra_env: list[EnvVar],
    ctx: Context,
    restart_probe: Probe | None = None,
) -> Container:
    """`probe` (the first check) is the readiness probe; the liveness probe is `restart_probe`
    (the first check with check_restart), or `probe` when the settings ask for it always."""
    downward: list[EnvVar] = []
    command, args = command_and_args(task, facts, ctx, downward)
    plain, env_downward = env_vars(task, facts, ctx)
    requests, limits = resources(task, ctx)
    return Container(
        name=ctx.k8s(task.name, "task", task.line, f"task[{task.name}]"),
        image=image,
        image_pull_policy="Always" if task.config.force_pull else None,
        working_dir=task.config.work_dir,
        stdin=task.config.interactive,
        tty=task.config.tty,
        command=command,
        args=args,
        env=dedupe_env(downward + env_downward + plain + extra_env),
        ports=ports,
        requests=requests,
        limits=limits,
        liveness_probe=_liveness(restart_probe or probe, ctx),
        readiness_probe=_readiness(probe),
        volume_mounts=mounts,
        security_context=security_context(task, ctx),
    )
