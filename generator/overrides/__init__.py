"""Decisions kept in the spec: `overrides:` applied to the rendered module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.overrides.engine import (
    Applied,
    Overridden,
    apply_overrides,
    drop_orphaned_variables,
    module_interface,
)
from generator.overrides.source import OverrideSource, from_data, from_text

if TYPE_CHECKING:
    from generator.service_spec import ServiceSpec

__all__ = [
    "Applied",
    "Overridden",
    "OverrideSource",
    "apply_overrides",
    "drop_orphaned_variables",
    "from_data",
    "from_text",
    "module_interface",
    "spec_overrides",
]


def spec_overrides(spec: ServiceSpec) -> OverrideSource | None:
    """The spec's `overrides:` as YAML nodes with their lines; None when it has none."""
    if not spec.overrides:
        return None
    if spec._source is not None:
        return from_text(*spec._source)
    return from_data("service spec", spec.overrides)
