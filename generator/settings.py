"""House conventions: one YAML file, validated, every key with a default."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from generator.diagnostics import InputError

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


class ConfigVariable(_Strict):
    """A setting of an env-expanding config file lifted into a module variable."""

    name: str
    description: str


class ArtifactImages(_Strict):
    """Images of the init containers that fetch a task's artifacts."""

    http: str = "busybox:1.36"  # wget, tar, unzip and the *sum tools
    git: str = "alpine/git:2.45.2"


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
    hostpath_type: str = "Directory"
    secret_store: SecretStore = Field(default_factory=SecretStore)
    refresh_interval: str = "1h"
    external_traefik: ExternalTraefik = Field(default_factory=ExternalTraefik)
    arch_affinity: list[str] | None = Field(default_factory=lambda: ["amd64", "arm64"])
    cpu_limit: bool = False
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

    @field_validator("storage_root")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must be an absolute path")
        return value.rstrip("/") or "/"


def load_settings(path: Path | None) -> Settings:
    """Settings from `path`; defaults when no path is given and the default file is absent."""
    if path is None:
        if not DEFAULT_SETTINGS_PATH.exists():
            return Settings()
        path = DEFAULT_SETTINGS_PATH
    data = read_yaml_mapping(path)
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise InputError(str(path), None, "invalid-settings", _first_error(error)) from None


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(path), None, "unreadable", "file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(str(path), line, "invalid-settings", f"invalid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(str(path), 1, "invalid-settings", "expected a mapping of keys")
    return data


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    extra = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{extra}"
