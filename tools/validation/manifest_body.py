"""A `kubectl_manifest.yaml_body` as the Python document it will encode to.

The generator writes `yaml_body = yamlencode({ apiVersion = ..., spec = {...} })`:
the object expression is read back with `generator.hcl.parse_hcl` and every
Terraform expression in it (`var.namespace`, `local.app_name`, a function call)
becomes a placeholder string. A heredoc or quoted YAML string is loaded with
PyYAML after its `${...}` interpolations are replaced the same way. Any other
expression (`file(...)`, `local.manifest`) cannot be read: `ManifestBody.document`
is then None and `reason` says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from generator.diagnostics import InputError
from generator.hcl import Expr, parse_hcl

PLACEHOLDER = "<terraform:"
_ENCODERS = ("yamlencode(", "jsonencode(")
_INTERPOLATION = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class ManifestBody:
    document: Any
    reason: str = ""


def is_placeholder(value: Any) -> bool:
    """True for a value that stands for something only known at plan time."""
    return isinstance(value, str) and (PLACEHOLDER in value or "${" in value or "%{" in value)


def read_yaml_body(value: Any, file_name: str) -> ManifestBody:
    if isinstance(value, Expr):
        return _from_expression(value.text, file_name)
    if isinstance(value, str):
        return _from_yaml(value)
    return ManifestBody(None, f"yaml_body is {type(value).__name__}, not a string")


def _from_expression(text: str, file_name: str) -> ManifestBody:
    stripped = text.strip()
    encoder = next((e for e in _ENCODERS if stripped.startswith(e)), None)
    if encoder is None or not stripped.endswith(")"):
        return ManifestBody(None, f"yaml_body is an expression ({_short(stripped)})")
    inner = stripped[len(encoder) : -1]
    try:
        parsed = parse_hcl(f"value = {inner}\n", file_name)
    except InputError as error:
        return ManifestBody(None, f"cannot read the {encoder[:-1]}() argument: {error.message}")
    value = parsed.get("value")
    if isinstance(value, Expr):
        return ManifestBody(None, f"{encoder[:-1]}() of an expression ({_short(value.text)})")
    return ManifestBody(_with_placeholders(value))


def _from_yaml(text: str) -> ManifestBody:
    if "%{" in text:
        return ManifestBody(None, "yaml_body uses template directives (%{ ... })")
    substituted = _INTERPOLATION.sub(lambda m: f"{PLACEHOLDER}{m.group(0)[2:-1]}>", text)
    try:
        documents = [d for d in yaml.safe_load_all(substituted) if d is not None]
    except yaml.YAMLError as error:
        return ManifestBody(None, f"yaml_body is not valid YAML: {error}")
    if len(documents) != 1:
        return ManifestBody(None, f"yaml_body holds {len(documents)} YAML documents, not one")
    return ManifestBody(documents[0])


def _with_placeholders(value: Any) -> Any:
    if isinstance(value, Expr):
        return f"{PLACEHOLDER}{value.text}>"
    if isinstance(value, list):
        return [_with_placeholders(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_placeholders(item) for key, item in value.items()}
    return value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
