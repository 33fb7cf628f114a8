"""A task's `artifact` blocks → init containers that fetch them into its task dir.

Nomad fetches artifacts with go-getter before the task starts. An init container
does the same for the sources a plain image can fetch: http(s) files and archives
(busybox wget, tar, unzip) and git repositories (git clone). Anything else is
reported.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

from generator.k8s_plan import Container, VolumeMountSpec
from generator.model import Artifact, Task
from generator.translate.context import Context
from generator.translate.interpolation import DIR_PREFIXES
from generator.translate.names import k8s_name
from generator.translate.volumes import PodVolumes, task_dir_of

# go-getter unpacks these unless `archive = false`: suffix → busybox command reading $ARCHIVE.
_ARCHIVES = {
    ".tar.gz": "tar -xzf {file} -C {dir}",
    ".tgz": "tar -xzf {file} -C {dir}",
    ".tar.bz2": "tar -xjf {file} -C {dir}",
    ".tbz2": "tar -xjf {file} -C {dir}",
    ".tar.xz": "tar -xJf {file} -C {dir}",
    ".txz": "tar -xJf {file} -C {dir}",
    ".tar": "tar -xf {file} -C {dir}",
    ".zip": "unzip -o {file} -d {dir}",
}
_GIT_HOSTS = ("github.com/", "gitlab.com/", "bitbucket.org/")
_CHECKSUMS = {"md5", "sha1", "sha256", "sha512"}
# Options each kind of fetch honours; any other is reported.
_HTTP_OPTIONS = {"archive", "checksum", "filename"}
_GIT_OPTIONS = {"ref", "depth"}
_DOWNLOAD = "/tmp/artifact"


class Fetch(NamedTuple):
    kind: str  # http | git
    script: str
    ignored: list[str]  # options it could not honour


def artifact_init_containers(
    task: Task, volumes: PodVolumes, ctx: Context, fill=lambda text: text
) -> list[Container]:
    """`fill` puts the values Nomad interpolates (meta, job facts) into sources and paths."""
    containers = []
    for index, artifact in enumerate(task.artifacts):
        where = f"task[{task.name}].artifact[{index}]"
        source = fill(artifact.source)
        destination = fill(artifact.destination or "local/")
        if destination.startswith(tuple(DIR_PREFIXES.values())):  # ${NOMAD_TASK_DIR}/x
            destination = destination.lstrip("/")
        if "${" in source or "${" in destination:
            ctx.unsupported(
                f"artifact {artifact.source!r} -> {artifact.destination!r} is known only at"
                " run time",
                artifact.line,
                where,
            )
            continue
        target = _target(destination)
        fetch = (
            None
            if target is None
            else (
                _git_fetch(source, artifact, target[1]) or _http_fetch(source, artifact, target[1])
            )
        )
        if target is None or fetch is None:
            reason = (
                f"destination {artifact.destination!r} is outside the task dir"
                if target is None
                else "only http(s) files and archives and git repositories are fetched by an"
                " init container; bake it into the image"
            )
            ctx.unsupported(f"artifact {artifact.source!r}: {reason}", artifact.line, where)
            continue
        if fetch.ignored:
            ctx.unsupported(
                f"artifact options {', '.join(fetch.ignored)} are not honoured by the init"
                " container",
                artifact.line,
                where,
            )
        volume = volumes.task_dir(task, target[0])
        image = ctx.settings.artifact_images
        containers.append(
            Container(
                name=k8s_name(f"artifact-{index + 1}-{task.name}"),
                image=image.git if fetch.kind == "git" else image.http,
                command=["sh", "-c", fetch.script],
                volume_mounts=[VolumeMountSpec(volume, DIR_PREFIXES[target[0]])],
            )
        )
    return containers


def _target(destination: str) -> tuple[str, str] | None:
    """(task dir, absolute path in the container) of an artifact's destination."""
    inside = task_dir_of(destination)
    if inside is None:
        return None
    which, rest = inside
    return which, posixpath.join(DIR_PREFIXES[which], rest) if rest else DIR_PREFIXES[which]


def _split_options(url: str, artifact: Artifact) -> tuple[str, dict[str, str]]:
    """The URL without go-getter's own query options, and those options merged with the
    artifact's `options` block (which wins). Other query parameters stay as written."""
    parts = urlsplit(url)
    kept, options = [], {}
    for pair in parts.query.split("&") if parts.query else []:
        key, _, value = pair.partition("=")
        if key in _HTTP_OPTIONS | _GIT_OPTIONS | {"sshkey"}:
            options[unquote(key)] = unquote(value)
        else:
            kept.append(pair)
    return urlunsplit(parts._replace(query="&".join(kept))), options | artifact.options


def _git_fetch(source: str, artifact: Artifact, path: str) -> Fetch | None:
    url = source.removeprefix("git::")
    if not (source.startswith("git::") or url.startswith(_GIT_HOSTS)):
        return None
    if "://" not in url:
        url = "https://" + url
    url, options = _split_options(url, artifact)
    parts = urlsplit(url)
    repository_path, _, subdir = parts.path.partition("//")
    if not subdir and parts.netloc in {h.rstrip("/") for h in _GIT_HOSTS}:
        segments = parts.path.strip("/").split("/")
        repository_path, subdir = "/" + "/".join(segments[:2]), "/".join(segments[2:])
    if not parts.netloc or repository_path.strip("/") == "":
        return None
    repository = urlunsplit(parts._replace(path=repository_path))
    ref = options.get("ref")
    source_dir = posixpath.join("/tmp/source", subdir) if subdir else "/tmp/source"
    # Any ref: a branch, a tag or a commit. Without one, a shallow clone of the default branch.
    clone = (
        f"git clone {shlex.quote(repository)} /tmp/source"
        f" && git -C /tmp/source checkout {shlex.quote(ref)}"
        if ref
        else f"git clone --depth 1 {shlex.quote(repository)} /tmp/source"
    )
    script = (
        f"{clone} && mkdir -p {shlex.quote(path)}"
        f" && cp -a {shlex.quote(source_dir)}/. {shlex.quote(path)}/"
    )
    return Fetch("git", script, sorted(set(options) - _GIT_OPTIONS))


def _http_fetch(source: str, artifact: Artifact, path: str) -> Fetch | None:
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    url, options = _split_options(source, artifact)
    ignored = sorted(set(options) - _HTTP_OPTIONS)
    name = options.get("filename") or posixpath.basename(parts.path) or "download"
    archive = options.get("archive", "")
    unpack = None
    if archive.lower() != "false":
        wanted = f".{archive.lower()}" if archive and archive.lower() != "true" else name
        unpack = next((c for s, c in _ARCHIVES.items() if wanted.endswith(s)), None)
    # mode = "file": `path` is the file itself, so only its folder is made.
    folder = posixpath.dirname(path) if artifact.mode == "file" else path
    steps = [f"mkdir -p {shlex.quote(folder)}", f"wget -qO {_DOWNLOAD} {shlex.quote(url)}"]
    checksum = options.get("checksum")
    if checksum:
        kind, _, digest = checksum.partition(":")
        if kind in _CHECKSUMS and re.fullmatch(r"[0-9a-fA-F]+", digest):
            steps.append(f"echo {shlex.quote(f'{digest}  {_DOWNLOAD}')} | {kind}sum -c -")
        else:
            ignored.append("checksum")
    if unpack is not None:
        steps.append(unpack.format(file=_DOWNLOAD, dir=shlex.quote(path)))
    else:
        file_path = path if artifact.mode == "file" else posixpath.join(path, name)
        steps.append(f"mkdir -p {shlex.quote(posixpath.dirname(file_path))}")
        steps.append(f"cp {_DOWNLOAD} {shlex.quote(file_path)}")
    return Fetch("http", " && ".join(steps), ignored)
