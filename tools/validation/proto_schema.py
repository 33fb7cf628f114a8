"""Schema JSON → serialized tfplugin6 `GetProviderSchema.Response` bytes.

The plugin process serves these bytes as they are, so it needs neither the
schema JSON nor protobuf at run time. Descriptions are dropped (validation does
not need them). `write_only` (field 11 of `Schema.Attribute`, protocol 6.8) is
newer than the stubs shipped in PyPI `tf`; it is appended as a raw field.
"""

from __future__ import annotations

import json
from typing import Any

from tools.validation.provider_schema import ProviderSchema

_WRITE_ONLY_FIELD = bytes([11 << 3 | 0, 1])  # field 11, varint, true

_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


_CACHE: dict[int, tuple[dict[str, Any], bytes]] = {}


def provider_schema_response(provider: ProviderSchema) -> bytes:
    """The serialized response, computed once per loaded schema document."""
    cached = _CACHE.get(id(provider.raw))
    if cached is not None and cached[0] is provider.raw:
        return cached[1]
    answer = _build_response(provider)
    _CACHE[id(provider.raw)] = (provider.raw, answer)
    return answer


def _build_response(provider: ProviderSchema) -> bytes:
    from tf.gen import tfplugin_pb2 as pb  # deferred: only the terraform check needs it

    response = pb.GetProviderSchema.Response()
    # Lets Terraform core reuse the schema from its in-process cache on later runs.
    response.server_capabilities.get_provider_schema_optional = True
    _fill_schema(pb, response.provider, provider.raw.get("provider", {}))
    for name, entry in sorted(provider.raw.get("resource_schemas", {}).items()):
        _fill_schema(pb, response.resource_schemas[name], entry)
    for name, entry in sorted(provider.raw.get("data_source_schemas", {}).items()):
        _fill_schema(pb, response.data_source_schemas[name], entry)
    return response.SerializeToString()


def _fill_schema(pb: Any, schema: Any, entry: dict[str, Any]) -> None:
    schema.version = int(entry.get("version", 0))
    _fill_block(pb, schema.block, entry.get("block", {}))


def _fill_block(pb: Any, block: Any, raw: dict[str, Any]) -> None:
    block.deprecated = bool(raw.get("deprecated"))
    for name, spec in sorted(raw.get("attributes", {}).items()):
        if "nested_type" in spec:
            raise ValueError(f"attribute {name!r}: nested_type attributes are not supported")
        attribute = pb.Schema.Attribute(
            name=name,
            type=json.dumps(spec["type"], separators=(",", ":")).encode(),
            required=bool(spec.get("required")),
            optional=bool(spec.get("optional")),
            computed=bool(spec.get("computed")),
            sensitive=bool(spec.get("sensitive")),
            deprecated=bool(spec.get("deprecated")),
        )
        if spec.get("write_only"):
            attribute.MergeFromString(_WRITE_ONLY_FIELD)
        block.attributes.append(attribute)
    for name, spec in sorted(raw.get("block_types", {}).items()):
        nested = block.block_types.add(
            type_name=name,
            nesting=_NESTING[spec.get("nesting_mode", "list")],
            min_items=int(spec.get("min_items", 0)),
            max_items=int(spec.get("max_items", 0)),
        )
        _fill_block(pb, nested.block, spec.get("block", {}))
