"""Where the schemas come from: `../shared`, or a rebuild when it is absent.

`../shared` is found relative to the repository root (`<repo>/../shared`) or
named by `NOMAD_K8S_GEN_SHARED`. With it, modules are checked against two
provider version sets (the `~> 2.35` range our modules pin, both ends):

- "2.35.1": hashicorp/kubernetes 2.35.1 + alekc/kubectl 2.1.3
- "2.38.0": hashicorp/kubernetes 2.38.0 + alekc/kubectl 2.4.1

Without it, kubernetes 2.38.0 is rebuilt from the CDKTF bindings
(`cdktf_schema`, downloaded on demand) and kubectl 2.1.3 comes from the
bundled `kubectl_fallback`; what cannot be checked is said in `notes`,
`no_version_sets` and `no_crd_dir`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import generator
from tools.validation import cdktf_schema, kubectl_fallback
from tools.validation.provider_schema import (
    SchemaDocument,
    load_schema_document,
    parse_schema_document,
)

SHARED_ENV = "NOMAD_K8S_GEN_SHARED"
OFFLINE_ENV = "NOMAD_K8S_GEN_OFFLINE"

_SHARED_SETS = (
    ("2.35.1", "hashicorp-kubernetes-2.35.1.json", "alekc-kubectl-2.1.3.json"),
    ("2.38.0", "hashicorp-kubernetes-2.38.0.json", "alekc-kubectl-2.4.1.json"),
)


@dataclass(frozen=True)
class VersionSet:
    label: str
    documents: tuple[SchemaDocument, ...]


@dataclass(frozen=True)
class SchemaPlan:
    version_sets: tuple[VersionSet, ...]
    crd_dir: Path | None
    notes: tuple[str, ...] = field(default=())  # partial coverage, e.g. a version set missing
    no_version_sets: str = ""  # why `version_sets` is empty
    no_crd_dir: str = ""  # why `crd_dir` is None

    @property
    def labels(self) -> list[str]:
        return [version_set.label for version_set in self.version_sets]


def repository_root() -> Path:
    return Path(generator.__file__).resolve().parents[1]


def find_shared(environ: Mapping[str, str] | None = None) -> tuple[Path | None, str]:
    """`(path, "")` when the shared directory has schemas, else `(None, why not)`."""
    environ = os.environ if environ is None else environ
    configured = environ.get(SHARED_ENV)
    candidate = Path(configured) if configured else repository_root().parent / "shared"
    schemas = candidate / "schemas"
    if (schemas / "terraform").is_dir():
        return candidate, ""
    origin = f"{SHARED_ENV}={configured}" if configured else "../shared/schemas"
    return None, f"{origin} not found: {schemas}"


def plan_schemas(
    environ: Mapping[str, str] | None = None, *, allow_download: bool | None = None
) -> SchemaPlan:
    environ = os.environ if environ is None else environ
    shared, reason = find_shared(environ)
    if shared is not None:
        return _plan_from_shared(shared / "schemas")
    if allow_download is None:
        allow_download = not environ.get(OFFLINE_ENV)
    return _plan_without_shared(reason, allow_download)


def _plan_from_shared(schemas: Path) -> SchemaPlan:
    notes: list[str] = []
    sets: list[VersionSet] = []
    for label, *names in _SHARED_SETS:
        paths = [schemas / "terraform" / name for name in names]
        missing = [path.name for path in paths if not path.is_file()]
        if missing:
            notes.append(f"{label} not checked: missing {', '.join(missing)}")
            continue
        sets.append(VersionSet(label, tuple(load_schema_document(path) for path in paths)))
    crd_dir = schemas / "crds"
    return SchemaPlan(
        tuple(sets),
        crd_dir if crd_dir.is_dir() else None,
        tuple(notes),
        no_version_sets="" if sets else f"no provider schema in {schemas / 'terraform'}",
        no_crd_dir="" if crd_dir.is_dir() else f"{crd_dir} not found",
    )


def _plan_without_shared(reason: str, allow_download: bool) -> SchemaPlan:
    kubectl = parse_schema_document(
        kubectl_fallback.KUBECTL_2_1_3, Path(f"builtin alekc-kubectl-{kubectl_fallback.VERSION}")
    )
    try:
        rebuilt = load_schema_document(cdktf_schema.rebuilt_schema_path(download=allow_download))
    except cdktf_schema.RebuildError as error:
        why = f"{reason}, and the cdktf schema rebuild failed: {error}"
        return SchemaPlan((), None, no_version_sets=why, no_crd_dir=reason)
    label = f"{cdktf_schema.PROVIDER_VERSION} (cdktf rebuild)"
    return SchemaPlan(
        (VersionSet(label, (rebuilt, kubectl)),),
        None,
        (f"hashicorp/kubernetes 2.35.1 not checked: {reason}",),
        no_crd_dir=reason,
    )
