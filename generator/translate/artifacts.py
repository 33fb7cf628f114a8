"""A task's `artifact` blocks → init containers that fetch them into its task dir.

Nomad fetches artifacts with go-getter before the task starts. An init container
does the same for the sources a plain image can fetch: http(s) files and archives
(wget, tar, unzip from busybox) and git repositories (git clone). Anything else is
reported.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from urllib.parse import parse_qs, urlsplit, urlunsplit

from generator.k8s_plan import Container, VolumeMountSpec
from generator.model import Artifact, Task
from generator.translate.context import Context
from generator.translate.interpolation import DIR_PREFIXES
from generator.translate.names import k8s_name
from generator.translate.volumes import PodVolumes, task_dir_of

# go-getter unpacks these unless `options { archive = false }`: suffix → shell that reads stdin.
_ARCHIVES = {
    ".tar.gz": "tar -xzf - -C {dir}",
    ".tgz": "tar -xzf - -C {dir}",
    ".tar.bz2": "tar -xjf - -C {dir}",
    ".tar.xz": "tar -xJf - -C {dir}",
    ".tar": "tar -xf - -C {dir}",
}
_GIT_HOSTS = ("github.com/", "gitlab.com/", "bitbucket.org/")
_CHECKSUMS = {"md5", "sha1", "sha256", "sha512"}
_GETTER_OPTIONS = {"archive", "checksum", "filename"}


def artifact_init_containers(task: Task, volumes: PodVolumes, ctx: Context) -> list[Container]:
    containers = []
    for index, artifact in enumerate(task.artifacts):
        where = f"task[{task.name}].artifact[{index}]"
        target = _target(artifact)
        if target is None:
            ctx.unsupported(
                f"artifact destination {artifact.destination!r} is outside the task dir",
                artifact.line,
                where,
            )
            continue
        which, path = target
        script = _git_script(artifact, path) or _http_script(artifact, path, ctx, where)
        if script is None:
            ctx.unsupported(
                f"artifact {artifact.source!r}: only http(s) files and archives and git"
                " repositories are fetched by an init container; bake it into the image",
                artifact.line,
                where,
            )
            continue
        image = ctx.settings.artifact_images.git if script[0] == "git" else None
        volume = volumes.task_dir(task, which)
        containers.append(
            Container(
                name=k8s_name(f"{task.name}-artifact-{index + 1}"),
                image=image or ctx.settings.artifact_images.http,
                command=["sh", "-c", script[1]],
                volume_mounts=[VolumeMountSpec(volume, DIR_PREFIXES[which])],
            )
        )
        if artifact.has_headers:
            ctx.dropped("artifact headers are not sent", artifact.line, where)
    return containers


def _target(artifact: Artifact) -> tuple[str, str] | None:
    """(task dir, absolute path in the container) of the artifact's destination."""
    inside = task_dir_of(artifact.destination or "local/")
    if inside is None:
        return None
    which, rest = inside
    return which, posixpath.join(DIR_PREFIXES[which], rest) if rest else DIR_PREFIXES[which]


def _git_script(artifact: Artifact, path: str) -> tuple[str, str] | None:
    source = artifact.source.removeprefix("git::")
    is_git = artifact.source.startswith("git::") or source.startswith(_GIT_HOSTS)
    if not is_git:
        return None
    if "://" not in source:
        source = "https://" + source
    parts = urlsplit(source)
    ref = parse_qs(parts.query).get("ref", [None])[0]
    repository_path, _, subdir = parts.path.partition("//")
    if not subdir and parts.netloc in {h.rstrip("/") for h in _GIT_HOSTS}:
        segments = parts.path.strip("/").split("/")
        repository_path, subdir = "/" + "/".join(segments[:2]), "/".join(segments[2:])
    repository = f"{parts.scheme}://{parts.netloc}{repository_path}"
    branch = f" --branch {shlex.quote(ref)}" if ref else ""
    source_dir = posixpath.join("/tmp/source", subdir) if subdir else "/tmp/source"
    return (
        "git",
        f"git clone --depth 1{branch} {shlex.quote(repository)} /tmp/source"
        f" && mkdir -p {shlex.quote(path)}"
        f" && cp -a {shlex.quote(source_dir)}/. {shlex.quote(path)}/",
    )


def _http_script(artifact: Artifact, path: str, ctx: Context, where: str) -> tuple[str, str] | None:
    parts = urlsplit(artifact.source)
    if parts.scheme not in ("http", "https"):
        return None
    # go-getter reads its own options from the query string too.
    query = parse_qs(parts.query)
    options = {k: v[0] for k, v in query.items() if k in _GETTER_OPTIONS} | artifact.options
    kept = "&".join(f"{k}={v}" for k, vs in query.items() if k not in _GETTER_OPTIONS for v in vs)
    url = urlunsplit(parts._replace(query=kept))
    name = posixpath.basename(parts.path) or "download"
    unpack = options.get("archive", "true").lower() != "false"
    archive = next((s for s in _ARCHIVES if name.endswith(s)), None) if unpack else None
    if unpack and name.endswith(".zip"):
        return (
            "http",
            f"mkdir -p {shlex.quote(path)} && wget -qO /tmp/artifact.zip {shlex.quote(url)}"
            f" && unzip -o /tmp/artifact.zip -d {shlex.quote(path)}",
        )
    if archive is not None:
        unpack_command = _ARCHIVES[archive].format(dir=shlex.quote(path))
        return (
            "http",
            f"mkdir -p {shlex.quote(path)} && wget -qO- {shlex.quote(url)} | {unpack_command}",
        )
    file_path = path if artifact.mode == "file" else posixpath.join(path, name)
    script = (
        f"mkdir -p {shlex.quote(posixpath.dirname(file_path))}"
        f" && wget -qO {shlex.quote(file_path)} {shlex.quote(url)}"
    )
    checksum = options.get("checksum")
    if checksum:
        kind, _, digest = checksum.partition(":")
        if kind in _CHECKSUMS and re.fullmatch(r"[0-9a-fA-F]+", digest):
            script += f" && echo {shlex.quote(f'{digest}  {file_path}')} | {kind}sum -c -"
        else:
            ctx.needs_decision(
                f"artifact checksum {checksum!r} is not checked", artifact.line, where
            )
    return ("http", script)
