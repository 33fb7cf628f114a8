"""Nomad `template` blocks → ConfigMap files, env vars, or ExternalSecret entries."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.docker_binds import Bind
from generator.hcl.functions import allowed_roots, read_allowed
from generator.hcl.limits import LimitError
from generator.hcl.values import EvalError
from generator.k8s_plan import EnvVar
from generator.model import Task, Template
from generator.plan_values import StringTemplate
from generator.translate.context import Context
from generator.translate.interpolation import cluster_dns
from generator.translate.names import config_map_key
from generator.translate.volumes import task_dir_of

_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


@dataclass
class FileTarget:
    """Where one rendered file appears in the container."""

    mount_path: str


@dataclass
class ConfigFile:
    template: Template
    key: str
    content: str | StringTemplate
    targets: list[FileTarget]
    mode: str | None = None


@dataclass
class TaskTemplates:
    files: list[ConfigFile] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)


def template_text(
    template: Template, jobspec_dir: Path | None, ctx: Context, path: str
) -> str | None:
    if template.data is not None:
        return template.data
    if template.source:
        reason = "is not readable next to the jobspec"
        if jobspec_dir is not None:
            try:
                data = read_allowed(
                    jobspec_dir / template.source, template.source, allowed_roots(jobspec_dir)
                )
                return data.decode("utf-8")
            except LimitError as error:
                reason = f"is not read: {error.reason}"
            except UnicodeDecodeError:
                reason = "is not UTF-8 text"
            except EvalError:
                pass
        ctx.needs_decision(f"template source {template.source!r} {reason}", template.line, path)
        return None
    ctx.needs_decision("template has neither data nor source", template.line, path)
    return None


def config_key(destination: str, taken: set[str]) -> str:
    return config_map_key(posixpath.basename(destination), taken)


def file_targets(destination: str, binds: list[Bind]) -> list[FileTarget]:
    """Bind targets that expose the file, else its place in /local, /alloc or /secrets."""
    normalized = posixpath.normpath(destination)
    targets = []
    for bind in binds:
        source = posixpath.normpath(bind.source) if bind.source else ""
        if normalized == source:
            targets.append(FileTarget(bind.target))
        elif source and normalized.startswith(source + "/"):
            targets.append(FileTarget(posixpath.join(bind.target, normalized[len(source) + 1 :])))
    if targets:
        return targets
    inside = task_dir_of(destination)
    if inside is not None:
        which, rest = inside
        return [FileTarget(posixpath.join("/" + which, rest))]
    if destination.startswith("/"):
        return [FileTarget(normalized)]
    return []


def env_file_lines(text: str) -> list[tuple[int, str, str]] | None:
    """`KEY=value` lines of an env template (1-based line offsets), or None if not that shape."""
    lines = []
    for offset, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _ENV_LINE.match(raw)
        if match is None:
            return None
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        lines.append((offset, match.group(1), value))
    return lines


def mode_of(template: Template) -> str | None:
    if template.perms is None:
        return None
    perms = template.perms.strip()
    return perms if perms.startswith("0") else "0" + perms


def is_static(template: Template, text: str) -> bool:
    return template.left_delimiter not in text


def translate_static_templates(
    task: Task,
    binds: list[Bind],
    jobspec_dir: Path | None,
    ctx: Context,
    upstreams: Mapping[str, int] | None = None,
) -> tuple[TaskTemplates, list[tuple[Template, str]]]:
    """Static templates become files or env vars; the rest is returned for the secrets pass."""
    result = TaskTemplates()
    dynamic: list[tuple[Template, str]] = []
    taken: set[str] = set()
    for index, template in enumerate(task.templates):
        path = f"task[{task.name}].template[{index}]"
        text = template_text(template, jobspec_dir, ctx, path)
        if text is None:
            continue
        if not is_static(template, text):
            dynamic.append((template, text))
            continue
        report_template_options(template, ctx, path)
        if template.env:
            lines = env_file_lines(text)
            if lines is None:
                ctx.needs_decision("env template is not KEY=value lines", template.line, path)
                continue
            result.env.extend(
                EnvVar(
                    name=name,
                    value=cluster_dns(value, ctx, template.line, f"{path}.{name}", upstreams),
                )
                for _, name, value in lines
            )
            continue
        targets = file_targets(template.destination, binds)
        if not targets:
            ctx.needs_decision(
                f"template destination {template.destination!r} is not visible in the container",
                template.line,
                path,
            )
            continue
        key = config_key(template.destination, taken)
        content = cluster_dns(text, ctx, template.line, path, upstreams)
        result.files.append(ConfigFile(template, key, content, targets, mode_of(template)))
    return result, dynamic


def report_template_options(template: Template, ctx: Context, path: str) -> None:
    if template.change_mode in {"signal", "script"}:
        signal = f" {template.change_signal}" if template.change_signal else ""
        ctx.dropped(
            f"change_mode {template.change_mode}{signal}: Kubernetes does not signal the task when"
            " the file changes; restart the pod (or use a reloader) after editing it",
            template.line,
            f"{path}.change_mode",
        )
    if template.uid is not None or template.gid is not None:
        ctx.dropped(
            "template uid/gid: files mounted from a ConfigMap or Secret belong to root;"
            " set the pod's fs_group if the task needs to own them",
            template.line,
            f"{path}.uid",
        )
