"""House conventions: one YAML file, validated, every key with a default."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from generator.diagnostics import InputError
from generator.translate.host_path_types import HOST_PATH_TYPES

DEFAULT_SETTINGS_PATH = Path("specs/settings.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretStore(_Strict):
    name: str = "vault-backend"
    kind: str = "ClusterSecretStore"


class ExternalTraefik(_Strict):
    service: str = "to-k8s-traefik"
    entrypoints: list[str] = Field(default_factory=lambda: ["websecure"])
    router_prefix: str = "k8s-"

    @field_validator("router_prefix")
    @classmethod
    def _name_part(cls, value: str) -> str:
        # It starts every router and middleware name of the snippet (see traefik.name_problem).
        if not re.fullmatch(r"[A-Za-z0-9_-]*", value):
            raise ValueError("may hold only letters, digits, '-' and '_'")
        return value


class Toleration(_Strict):
    key: str
    operator: str = "Exists"
    value: str | None = None
    effect: str | None = None


class GpuPlacement(_Strict):
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    runtime_class_name: str | None = None


class ServiceMapping(_Strict):
    name: str
    namespace: str | None = None
    port: int | None = None


class SecretPathRule(_Strict):
    match: str
    replace: str

    @model_validator(mode="after")
    def _valid_regex(self) -> SecretPathRule:
        try:
            pattern = re.compile(self.match)
        except re.error as error:
            raise ValueError(f"match {self.match!r} is not a valid regex: {error}") from None
        try:
            pattern.sub(self.replace, "")
        except re.error as error:
            raise ValueError(f"replace {self.replace!r} does not fit match: {error}") from None
        return self


class ConfigVariable(_Strict):
    """A setting of an env-expanding config file lifted into a module variable."""

    name: str
    description: str

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", value):
            raise ValueError("must be a Terraform variable name (lower case, digits and '_')")
        return value


class ArtifactImages(_Strict):
    """Images of the init containers that fetch a task's artifacts."""

    http: str = "busybox:1.36"  # wget, tar, unzip and the *sum tools
    git: str = "alpine/git:2.45.2"


class WorkloadAddition(_Strict):
    """A file rendered beside every workload from a jinja2 template (see generator/additions.py).

    `template` is relative to the settings file; the file is `<name>-<workload>.tf`.
    """

    name: str
    template: str

    @field_validator("name")
    @classmethod
    def _file_name_part(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", value):
            raise ValueError("must be lower case letters, digits, '-' and '_' (a file name part)")
        return value


class Settings(_Strict):
    namespace: str = "default"
    labels: dict[str, str] = Field(
        default_factory=lambda: {"managed-by": "terraform", "environment": "prod"}
    )
    tls_secret_name: str | None = None
    # Traefik's consulcatalog defaultRule, e.g. "Host(`{{ normalize .Name }}.example.org`)".
    traefik_default_rule: str | None = None
    ingress_class: str = "traefik"
    ingress_annotations: dict[str, str] = Field(
        default_factory=lambda: {
            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
            "traefik.ingress.kubernetes.io/router.tls": "true",
        }
    )
    # `module`: a jobspec variable with a default becomes a module variable with that
    # default wherever Terraform can use it (image, env, args, template data);
    # `literal`: its value is written in. Variables without a value are inputs either way.
    jobspec_variables: Literal["literal", "module"] = "module"
    storage_root: str = "/storage/v"
    # host_path.type of host volumes, CSI volumes and docker volumes under storage_root.
    hostpath_type: str = "Directory"
    # host_path.type per host path (exact path or glob), over what the path and mount imply.
    hostpath_types: dict[str, str] = Field(default_factory=dict)
    # The node that holds the data under a host path prefix: pods using it are pinned there.
    data_nodes: dict[str, str] = Field(default_factory=dict)
    # Host path prefixes present with the same data on every node (a shared mount).
    shared_host_paths: list[str] = Field(default_factory=list)
    secret_store: SecretStore = Field(default_factory=SecretStore)
    refresh_interval: str = "1h"
    external_traefik: ExternalTraefik = Field(default_factory=ExternalTraefik)
    arch_affinity: list[str] | None = Field(default_factory=lambda: ["amd64", "arm64"])
    cpu_limit: bool = False
    # A liveness probe from every check, not only from those with check_restart.
    liveness_always: bool = False
    host_volumes: dict[str, str] = Field(default_factory=dict)
    gpu: GpuPlacement = Field(default_factory=GpuPlacement)
    services: dict[str, ServiceMapping] = Field(default_factory=dict)
    secret_paths: list[SecretPathRule] = Field(default_factory=list)
    accept: list[str] = Field(default_factory=list)
    env_expanding_images: list[str] = Field(default_factory=lambda: ["litestream"])
    artifact_images: ArtifactImages = Field(default_factory=ArtifactImages)
    config_variables: dict[str, dict[str, ConfigVariable]] = Field(
        default_factory=lambda: {
            "litestream": {
                "endpoint": ConfigVariable(
                    name="minio_endpoint", description="S3 endpoint litestream replicates to."
                ),
                "bucket": ConfigVariable(
                    name="litestream_bucket", description="S3 bucket litestream replicates to."
                ),
            }
        }
    )

    # House-wide additions: one file per workload from a template (README: "Additions").
    workload_additions: list[WorkloadAddition] = Field(default_factory=list)

    @field_validator("workload_additions")
    @classmethod
    def _unique_additions(cls, value: list[WorkloadAddition]) -> list[WorkloadAddition]:
        names = [addition.name for addition in value]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"two additions are named {', '.join(twice)}")
        return value

    @field_validator("storage_root")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must be an absolute path")
        return value.rstrip("/") or "/"

    @field_validator("hostpath_type")
    @classmethod
    def _host_path_type(cls, value: str) -> str:
        return _known_host_path_type(value)

    @field_validator("hostpath_types")
    @classmethod
    def _host_path_types(cls, value: dict[str, str]) -> dict[str, str]:
        for path, kind in value.items():
            _absolute_path(path)
            _known_host_path_type(kind)
        return value

    @field_validator("data_nodes")
    @classmethod
    def _data_nodes(cls, value: dict[str, str]) -> dict[str, str]:
        return {_absolute_path(path): node.lower() for path, node in value.items()}

    @field_validator("shared_host_paths")
    @classmethod
    def _shared_host_paths(cls, value: list[str]) -> list[str]:
        return [_absolute_path(path) for path in value]


def _absolute_path(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not an absolute path")
    return path.rstrip("/") or "/"


def _known_host_path_type(kind: str) -> str:
    if kind not in HOST_PATH_TYPES:
        known = ", ".join(sorted(repr(k) for k in HOST_PATH_TYPES))
        raise ValueError(f"{kind!r} is not a hostPath type ({known})")
    return kind


def load_settings(path: Path | None) -> Settings:
    """Settings from `path`; defaults when no path is given and the default file is absent."""
    if path is None:
        if not DEFAULT_SETTINGS_PATH.exists():
            return Settings()
        path = DEFAULT_SETTINGS_PATH
    text, data = read_yaml(path)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise validation_error(path, text, "invalid-settings", error) from None
    if not settings.workload_additions:
        return settings
    # Templates are named relative to the settings file: from here on, as the tool opens them.
    resolved = [
        a.model_copy(update={"template": str(path.parent / a.template)})
        for a in settings.workload_additions
    ]
    return settings.model_copy(update={"workload_additions": resolved})


MAX_YAML_BYTES = 1 << 20


def read_text(path: Path) -> str:
    """A small text file: UTF-8 (a BOM is allowed) or UTF-16 with its BOM; read bounded."""
    display = str(path)
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise InputError(display, None, "unreadable", "file not found") from None
    except IsADirectoryError:
        raise InputError(display, None, "unreadable", "a folder, not a file") from None
    except OSError as error:
        raise InputError(display, None, "unreadable", error.strerror or str(error)) from None
    if len(raw) > MAX_YAML_BYTES:
        raise InputError(display, None, "unreadable", f"larger than {MAX_YAML_BYTES} bytes")
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            raw, name = raw[len(bom) :], encoding
            break
    else:
        name = "utf-8-sig"
    try:
        return raw.decode(name)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1 if name == "utf-8-sig" else None
        raise InputError(
            display, line, "unreadable", f"not {name.removesuffix('-sig').upper()} text"
        ) from None


def read_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of a YAML file and the mapping it holds; every failure is an InputError."""
    text = read_text(path)
    display = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or error.context or "not YAML"
        raise InputError(display, line, "invalid-settings", f"invalid YAML: {reason}") from None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise InputError(
            display, line, "invalid-settings", f"invalid YAML: {error.reason} ({error.character!r})"
        ) from None
    except yaml.YAMLError as error:
        reason = " ".join(str(error).split())
        raise InputError(display, None, "invalid-settings", f"invalid YAML: {reason}") from None
    except RecursionError:
        raise InputError(display, None, "too-deep", "YAML nested too deeply") from None
    if data is None:
        return text, {}
    if not isinstance(data, dict):
        raise InputError(display, 1, "invalid-settings", "expected a mapping of keys")
    return text, data


def validation_error(path: Path, text: str, code: str, error: ValidationError) -> InputError:
    first = error.errors()[0]
    return InputError(str(path), _line_of(text, first["loc"]), code, _first_error(error))


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line of the YAML node at `loc` (a pydantic error location), as near as it goes."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == str(part)]
            if not found:
                break
            key, node = found[0]
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    extra = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    message = " ".join(str(first["msg"]).split())
    return f"{where}: {message}{extra}"
