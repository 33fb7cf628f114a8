"""The provider schemas of the resources a generated module holds, as data.

`data/provider-schema.json` is the part of hashicorp/kubernetes 2.35.1 and
alekc/kubectl 2.1.3 (the lower bound of the range modules pin) that the templates
write, plus the CRD schemas of the manifests `kubectl_manifest` resources carry.
It is rebuilt from `../shared/schemas` by `python -m tools.provider_schema_subset`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "provider-schema.json"


@dataclass(frozen=True)
class Attribute:
    name: str
    type: Any  # Terraform's type JSON: "string", ["list", "string"], ["map", "string"], …
    required: bool
    optional: bool
    computed: bool

    @property
    def settable(self) -> bool:
        return self.required or self.optional


@dataclass(frozen=True)
class NestedBlock:
    name: str
    nesting: str  # list | set | single
    min_items: int
    max_items: int  # 0: unbounded
    block: Block

    @property
    def repeated(self) -> bool:
        return self.nesting in ("list", "set") and self.max_items != 1


@dataclass(frozen=True)
class Block:
    attributes: Mapping[str, Attribute]
    blocks: Mapping[str, NestedBlock]

    def names(self) -> list[str]:
        settable = [name for name, attribute in self.attributes.items() if attribute.settable]
        return sorted([*settable, *self.blocks])


@cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DATA_FILE.read_text())
    return document


def _block(data: dict[str, Any]) -> Block:
    attributes = {
        name: Attribute(name, type_, "r" in flags, "o" in flags, "c" in flags)
        for name, (type_, flags) in data["attributes"].items()
    }
    blocks = {
        name: NestedBlock(name, nesting, min_items, max_items, _block(nested))
        for name, (nesting, min_items, max_items, nested) in data["blocks"].items()
    }
    return Block(attributes, blocks)


@cache
def resource_block(resource_type: str) -> Block | None:
    data = _document()["resources"].get(resource_type)
    return None if data is None else _block(data)


def resource_types() -> tuple[str, ...]:
    return tuple(sorted(_document()["resources"]))


def manifest_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    """The JSON Schema of a custom resource's manifest (descriptions left out), if shipped."""
    schema: dict[str, Any] | None = _document()["manifests"].get(f"{api_version}/{kind}")
    return schema


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`" (did you mean `x`?)"` for the closest candidate, or `""`."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
