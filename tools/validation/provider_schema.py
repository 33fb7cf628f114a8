"""Provider schemas in `terraform providers schema -json` shape, as typed read-only views.

A schema document holds one or more providers; each has a provider block,
resource schemas and data source schemas. `load_schema_document` reads and
caches a document; `ProviderSchema.resource(...)` gives the `BlockSchema` of a
resource type, the tree the pure-Python check walks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

CtyType = Any  # "string" | "number" | "bool" | "dynamic" | [kind, element] (cty JSON type)

NESTING_SINGLE = "single"
NESTING_LIST = "list"
NESTING_SET = "set"
NESTING_MAP = "map"
NESTING_GROUP = "group"


@dataclass(frozen=True)
class AttributeSchema:
    name: str
    type: CtyType
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    deprecated: bool = False
    write_only: bool = False

    @property
    def computed_only(self) -> bool:
        return self.computed and not self.optional and not self.required


@dataclass(frozen=True)
class NestedBlockSchema:
    name: str
    nesting: str
    block: BlockSchema
    min_items: int = 0
    max_items: int = 0  # 0: unlimited

    @property
    def effective_max(self) -> int:
        if self.nesting in (NESTING_SINGLE, NESTING_GROUP):
            return 1
        return self.max_items


@dataclass(frozen=True)
class BlockSchema:
    attributes: dict[str, AttributeSchema] = field(default_factory=dict)
    blocks: dict[str, NestedBlockSchema] = field(default_factory=dict)
    deprecated: bool = False

    def names(self) -> list[str]:
        return sorted([*self.attributes, *self.blocks])


@dataclass(frozen=True)
class ProviderSchema:
    source: str  # "registry.terraform.io/hashicorp/kubernetes"
    raw: dict[str, Any]
    _views: dict[tuple[str, str], BlockSchema] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def short_source(self) -> str:
        return "/".join(self.source.split("/")[-2:])

    @property
    def provider_block(self) -> BlockSchema:
        return self._view("provider", "", self.raw.get("provider", {}).get("block", {}))

    def resource_types(self) -> list[str]:
        return sorted(self.raw.get("resource_schemas", {}))

    def data_source_types(self) -> list[str]:
        return sorted(self.raw.get("data_source_schemas", {}))

    def resource(self, type_name: str) -> BlockSchema | None:
        return self._entry("resource_schemas", type_name)

    def data_source(self, type_name: str) -> BlockSchema | None:
        return self._entry("data_source_schemas", type_name)

    def _entry(self, section: str, type_name: str) -> BlockSchema | None:
        entry = self.raw.get(section, {}).get(type_name)
        if entry is None:
            return None
        return self._view(section, type_name, entry.get("block", {}))

    def _view(self, section: str, type_name: str, raw: dict[str, Any]) -> BlockSchema:
        view = self._views.get((section, type_name))
        if view is None:
            view = block_from_json(raw)
            self._views[(section, type_name)] = view
        return view


@dataclass(frozen=True)
class SchemaDocument:
    path: Path
    providers: dict[str, ProviderSchema]

    def provider(self, short_source: str) -> ProviderSchema | None:
        for provider in self.providers.values():
            if provider.short_source == short_source:
                return provider
        return None


def parse_schema_document(data: dict[str, Any], path: Path) -> SchemaDocument:
    providers = data.get("provider_schemas")
    if not isinstance(providers, dict) or not providers:
        raise ValueError(f"{path}: no provider_schemas")
    return SchemaDocument(
        path=path,
        providers={source: ProviderSchema(source, raw) for source, raw in providers.items()},
    )


def load_schema_document(path: Path) -> SchemaDocument:
    path = path.resolve()
    return _load_cached(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _load_cached(path: Path, _mtime: int) -> SchemaDocument:
    return parse_schema_document(json.loads(path.read_text(encoding="utf-8")), path)


def block_from_json(raw: dict[str, Any]) -> BlockSchema:
    attributes = {
        name: AttributeSchema(
            name=name,
            type=spec.get("type", "dynamic"),
            required=bool(spec.get("required")),
            optional=bool(spec.get("optional")),
            computed=bool(spec.get("computed")),
            sensitive=bool(spec.get("sensitive")),
            deprecated=bool(spec.get("deprecated")),
            write_only=bool(spec.get("write_only")),
        )
        for name, spec in raw.get("attributes", {}).items()
    }
    blocks = {
        name: NestedBlockSchema(
            name=name,
            nesting=spec.get("nesting_mode", NESTING_LIST),
            block=block_from_json(spec.get("block", {})),
            min_items=int(spec.get("min_items", 0)),
            max_items=int(spec.get("max_items", 0)),
        )
        for name, spec in raw.get("block_types", {}).items()
    }
    return BlockSchema(attributes=attributes, blocks=blocks, deprecated=bool(raw.get("deprecated")))
