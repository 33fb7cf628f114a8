"""Names Kubernetes and Terraform accept, derived from Nomad names."""

from __future__ import annotations

import re

from generator.diagnostics import InputError


def k8s_name(name: str, file: str = "", line: int | None = None) -> str:
    """A DNS-1123 label: lower case, digits and '-', at most 63 characters."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:63].rstrip("-")
    if not cleaned:
        raise InputError(file, line, "invalid-name", f"{name!r} cannot be made a Kubernetes name")
    return cleaned


def tf_identifier(name: str) -> str:
    """A Terraform identifier for resource and variable names."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    if not cleaned:
        return "x"
    return cleaned if not cleaned[0].isdigit() else f"n_{cleaned}"


def unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        candidate = (
            f"{name}_{counter}" if "_" in name or name.isidentifier() else f"{name}-{counter}"
        )
        counter += 1
    taken.add(candidate)
    return candidate
