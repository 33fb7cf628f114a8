"""A rendered `.tf` file as a tree of blocks and attributes that can be edited and emitted.

`parse_document(text).emit() == text` for every file the generator writes; edited
nodes are written through `generator.render.hcl_values` (run `format_hcl` after).
"""

from generator.document.parse import DocumentError, parse_document, parse_value
from generator.document.tree import (
    Attribute,
    Block,
    Body,
    CallValue,
    Document,
    Entry,
    ObjectValue,
    Opaque,
    Scalar,
    ScalarValue,
    TupleItem,
    TupleValue,
    Value,
)

__all__ = [
    "Attribute",
    "Block",
    "Body",
    "CallValue",
    "Document",
    "DocumentError",
    "Entry",
    "ObjectValue",
    "Opaque",
    "Scalar",
    "ScalarValue",
    "TupleItem",
    "TupleValue",
    "Value",
    "parse_document",
    "parse_value",
]
