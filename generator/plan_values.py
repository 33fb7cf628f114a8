"""Values the plan holds that only Terraform resolves: references, templates, names, calls.

They are data; `generator.render.hcl_values` alone writes them as HCL. A `Ref` is a
reference path checked on construction, so no jobspec text can become one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.hcl import unknowns

# `var.namespace`, `local.app_name`, `kubernetes_service.web.metadata[0].name`.
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[[0-9]+\])*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Ref:
    """A Terraform reference: `var.namespace`, `local.labels`."""

    path: str

    def __post_init__(self) -> None:
        if not _REFERENCE.fullmatch(self.path):
            raise ValueError(f"not a Terraform reference: {self.path!r}")


def var(name: str) -> Ref:
    """`var.<name>`: a module input."""
    return Ref(f"var.{name}")


def resource_name_of(resource_type: str, tf_name: str) -> Ref:
    """`<type>.<tf_name>.metadata[0].name`: the name Kubernetes gave a resource."""
    return Ref(f"{resource_type}.{tf_name}.metadata[0].name")


NAMESPACE = var("namespace")
LOCAL_APP_NAME = Ref("local.app_name")
LOCAL_LABELS = Ref("local.labels")


@dataclass(frozen=True)
class StringTemplate:
    """A string of literal text and references: `"db.${var.namespace}.svc"`."""

    parts: tuple[str | Ref, ...]

    def literal_text(self, placeholder: str = "") -> str:
        """The text with `placeholder` standing for each reference."""
        return "".join(placeholder if isinstance(part, Ref) else part for part in self.parts)


def interpolate(parts: Sequence[str | Ref]) -> str | StringTemplate:
    """Adjacent literals merged, empty ones dropped; plain text stays a plain `str`."""
    merged: list[str | Ref] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if all(isinstance(part, str) for part in merged):
        return "".join(str(part) for part in merged)
    return StringTemplate(tuple(merged))


@dataclass(frozen=True)
class Call:
    """A Terraform function call (`merge`, `toset`) of plan values."""

    function: str
    arguments: tuple[object, ...]

    def __post_init__(self) -> None:
        if not _IDENTIFIER.fullmatch(self.function):
            raise ValueError(f"not a function name: {self.function!r}")


@dataclass(frozen=True)
class Inline:
    """A value written as one expression on one line (a host over module inputs)."""

    value: object


@dataclass(frozen=True)
class ResourceName:
    """A Kubernetes name in a module: the app name (`local.app_name`) followed by `suffix`."""

    suffix: str = ""

    def with_suffix(self, extra: str) -> ResourceName:
        return ResourceName(self.suffix + extra)

    def resolved(self, app_name: str) -> str | None:
        """The literal name, or None when part of it is a module input."""
        if unknowns.NONCE in self.suffix:
            return None
        return app_name + self.suffix

    def as_template(self) -> Ref | StringTemplate:
        return StringTemplate((LOCAL_APP_NAME, self.suffix)) if self.suffix else LOCAL_APP_NAME
