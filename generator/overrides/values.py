"""YAML values → document values, checked against the provider's attribute type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.document import (
    Attribute,
    DocumentError,
    Entry,
    ObjectValue,
    Opaque,
    Scalar,
    TupleItem,
    TupleValue,
    Value,
    parse_document,
    parse_value,
)
from generator.document.scan import COMMENT, STRING, ScanError, tokenize
from generator.overrides.meta import REFERENCES
from generator.render.hcl_format import format_hcl
from generator.render.hcl_values import hcl_key, hcl_reference, hcl_string, hcl_value

# A module variable's `type`: a Terraform type constraint (`string`, `map(string)`, `object({...})`).
_TYPE = re.compile(r"[A-Za-z0-9_(){}\[\]=,:\s\"]+")


class WrongType(ValueError):
    pass


def type_name(tf_type: Any) -> str:
    """A cty JSON type as Terraform writes the constraint: `["map","string"]` → `map(string)`."""
    if isinstance(tf_type, str):
        return "any" if tf_type == "dynamic" else tf_type
    if isinstance(tf_type, list) and len(tf_type) == 2 and tf_type[0] in ("list", "set", "map"):
        return f"{tf_type[0]}({type_name(tf_type[1])})"
    return "any"


def type_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "any"


@dataclass(frozen=True)
class References:
    """Bare references (`spec[0].replicas`), or Terraform's `all` for ignore_changes."""

    items: tuple[str, ...] | None  # None: `all`


def checked(value: Any, tf_type: Any) -> Any:
    """`value` as the attribute type takes it; `WrongType` says what was expected."""
    if tf_type is None or tf_type == "dynamic":
        return value
    if tf_type == REFERENCES:
        if value == "all":
            return References(None)
        items = value if isinstance(value, list) else [value]
        for item in items:
            try:
                hcl_reference(item if isinstance(item, str) else "")
            except ValueError:
                raise WrongType(
                    f"expected references such as spec[0].replicas, got {item!r}"
                ) from None
        return References(tuple(items))
    if tf_type == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise WrongType(f"expected a string, got {_kind(value)}")
        return value if isinstance(value, str) else str(value)
    if tf_type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise WrongType(f"expected a number, got {_kind(value)}")
        return value
    if tf_type == "bool":
        if not isinstance(value, bool):
            raise WrongType(f"expected true or false, got {_kind(value)}")
        return value
    if isinstance(tf_type, list) and tf_type[0] in ("list", "set"):
        if not isinstance(value, list):
            raise WrongType(f"expected a list, got {_kind(value)}")
        return [checked(item, tf_type[1]) for item in value]
    if isinstance(tf_type, list) and tf_type[0] == "map":
        if not isinstance(value, dict):
            raise WrongType(f"expected a map, got {_kind(value)}")
        return {str(k): checked(v, tf_type[1]) for k, v in value.items()}
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a bool ({str(value).lower()}; quote it for a string)"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a map"
    return type(value).__name__


def literal(value: Any, in_list: bool = False) -> Value:
    """A new value written by `hcl_values` (strings in a list stay quoted: no heredocs)."""
    if isinstance(value, References):
        if value.items is None:
            return Opaque("all")
        return Opaque("[" + ", ".join(hcl_reference(item) for item in value.items) + "]")
    if isinstance(value, dict):
        return ObjectValue(
            [Entry(str(k), literal(v), f"{hcl_key(str(k))} = ") for k, v in value.items()]
        )
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return Opaque(hcl_value(value))
        return TupleValue([TupleItem(literal(item, in_list=True)) for item in value])
    if in_list and isinstance(value, str):
        return Scalar(value, hcl_string(value))
    return Scalar.of(value)


def python_value(value: Value) -> tuple[bool, Any]:
    """(True, the Python value) of a literal value; (False, None) for an expression."""
    if isinstance(value, Scalar):
        return True, value.value
    if isinstance(value, ObjectValue):
        out: dict[str, Any] = {}
        for entry in value.entries:
            known, item = python_value(entry.value)
            if not known or entry.key is None:
                return False, None
            out[entry.key] = item
        return True, out
    if isinstance(value, TupleValue):
        items = []
        for tuple_item in value.items:
            known, item = python_value(tuple_item.value)
            if not known:
                return False, None
            items.append(item)
        return True, items
    if isinstance(value, Opaque):
        parsed = parse_value(value.text)
        if parsed is not None and not isinstance(parsed, Opaque):
            return python_value(parsed)
    return False, None


def expression(text: str) -> Value | None:
    """`$expr` text: one expression, or a template (`https://${var.host}/`) written quoted.

    None when it is neither: text that is not exactly one expression could add an
    attribute or a block.
    """
    text = text.strip()
    try:
        tokens = tokenize(text)
    except ScanError:
        tokens = []
    if (
        tokens
        and all(t.kind != COMMENT and t.text not in ("$", "%") for t in tokens)
        and parse_value(text) is not None
        and _one_attribute(text)
    ):
        return Opaque(text)
    quoted = '"' + text + '"'
    try:
        whole = [t.kind for t in tokenize(quoted)] == [STRING]
    except ScanError:
        whole = False
    return Opaque(quoted) if text and whole and _one_attribute(quoted) else None


def _one_attribute(text: str) -> bool:
    """Whether `x = <text>` in a file reads back as that one attribute, leaving the next
    line alone (a heredoc opened inside an interpolation would swallow what follows)."""
    try:  # as the module file holds it: laid out by format_hcl
        document = parse_document(format_hcl(f"x = {text}\ny = {{\n}}\n"))
    except DocumentError:
        return False
    items = [item for item in document.body.items if isinstance(item, Attribute)]
    return [item.name for item in items] == ["x", "y"] and not list(document.body.all_blocks())


_TYPE_WORDS = frozenset(
    {"string", "number", "bool", "any", "list", "set", "map", "tuple", "object", "optional"}
)
# A name in a type constraint that is not an object attribute's (`{name = string}`).
_TYPE_WORD = re.compile(r'(?<!")\b([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*[=:"])')


def type_constraint(text: str) -> bool:
    """A Terraform type constraint: `string`, `list(string)`, `object({a = number})`, …"""
    if not _TYPE.fullmatch(text) or parse_value(text) is None:
        return False
    return all(word in _TYPE_WORDS for word in _TYPE_WORD.findall(text))


def shown(value: Value | None) -> str | None:
    """A value as one short line for the report."""
    if value is None:
        return None
    text = " ".join(value.emit().split())
    return text if len(text) <= 120 else text[:117] + "..."
