"""Terraform's own resource arguments (`lifecycle`, `depends_on`), beside the provider's.

They are not in a provider schema, so overrides see them through this extension:
`ignore_changes`, `replace_triggered_by` and `depends_on` take references
(`spec[0].replicas`, `kubernetes_service.app`), written bare; `ignore_changes: all`.
"""

from __future__ import annotations

from generator.provider_schema import Attribute, Block, NestedBlock

REFERENCES = ["list", "reference"]  # not a cty type: a list of bare references


def _optional(name: str, type_: object) -> Attribute:
    return Attribute(name, type_, required=False, optional=True, computed=False)


LIFECYCLE = Block(
    attributes={
        "create_before_destroy": _optional("create_before_destroy", "bool"),
        "prevent_destroy": _optional("prevent_destroy", "bool"),
        "ignore_changes": _optional("ignore_changes", REFERENCES),
        "replace_triggered_by": _optional("replace_triggered_by", REFERENCES),
    },
    blocks={},
)


def with_meta_arguments(schema: Block) -> Block:
    return Block(
        attributes={**schema.attributes, "depends_on": _optional("depends_on", REFERENCES)},
        blocks={**schema.blocks, "lifecycle": NestedBlock("lifecycle", "single", 0, 1, LIFECYCLE)},
    )
