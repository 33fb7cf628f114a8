"""HCL2 values in Python: conversions, equality and type constraints, as cty does them.

Strings, numbers (int or float), bools, None (null), lists (HCL lists and tuples),
dicts (maps and objects) and `HclSet` (a tuple subclass, so sets stay apart from
lists until they are written back into the tree as lists).
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.hcl.syntax import (
    Call,
    HclSyntaxError,
    Literal,
    Node,
    ObjectCons,
    Traversal,
    TupleCons,
    parse_expression,
)
from generator.hcl.unknowns import NeedsValue, TfExpr, has_unknown, marker, variables_in

Value = Any

_NUMBER_TEXT = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


class EvalError(Exception):
    """An expression that cannot be evaluated; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HclSet(tuple):
    """A cty set: distinct elements, strings and numbers kept sorted."""

    __slots__ = ()


def make_set(items: list[Value] | tuple[Value, ...]) -> HclSet:
    distinct: list[Value] = []
    for item in items:
        if not any(equals(item, seen) for seen in distinct):
            distinct.append(item)
    if (distinct and all(isinstance(item, str) for item in distinct)) or (
        distinct and all(is_number(item) for item in distinct)
    ):
        distinct.sort()
    return HclSet(distinct)


def is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_sequence(value: Value) -> bool:
    return isinstance(value, list | tuple)


def type_name(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, HclSet):
        return "set"
    if is_sequence(value):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def normalize_number(value: float | int) -> int | float:
    """Whole numbers as int; ints beyond 64 bits as floats, as cty's big floats would be."""
    if isinstance(value, int) and abs(value) >= 2**63:
        try:
            value = float(value)
        except OverflowError:
            raise EvalError("number is too large") from None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("number is not finite")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    return value


def _known(value: Value, wanted: str) -> None:
    """A value only Terraform will know cannot be read here (its elements may be unknown)."""
    if isinstance(value, TfExpr | str) and has_unknown(value):
        raise NeedsValue(variables_in(value), wanted)


def to_number(value: Value) -> int | float:
    _known(value, "a number")
    if is_number(value):
        return value
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return normalize_number(float(value))
    raise EvalError(f"a number is required, not {_shown(value)}")


def to_bool(value: Value) -> bool:
    _known(value, "a condition")
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"a bool is required, not {_shown(value)}")


def to_string(value: Value) -> str:
    if isinstance(value, TfExpr):
        raise NeedsValue(value.variables, "a string")
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    raise EvalError(f"a string is required, not {_shown(value)}")


def format_number(value: int | float) -> str:
    """A number as cty converts it to a string: decimal notation, never an exponent."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def to_list(value: Value) -> list[Value]:
    _known(value, "a list")
    if is_sequence(value):
        return list(value)
    raise EvalError(f"a list is required, not {_shown(value)}")


def to_map(value: Value) -> dict[str, Value]:
    _known(value, "a map")
    if isinstance(value, dict):
        return value
    raise EvalError(f"a map is required, not {_shown(value)}")


def _shown(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {value[:40]!r}"
    return type_name(value)


def equals(left: Value, right: Value) -> bool:
    if is_number(left) and is_number(right):
        return bool(left == right)
    if type_name(left) != type_name(right):
        return False
    if is_sequence(left):
        return len(left) == len(right) and all(map(equals, left, right))
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(equals(left[k], right[k]) for k in left)
    return bool(left == right)


def to_tree(value: Value, _done: dict[int, Value] | None = None) -> Value:
    """An evaluated value as the loader would have produced it (sets become lists).

    A list or map with nothing to convert is returned itself, and one reached twice
    (`[local.x, local.x]`) is converted once: shared values stay shared, so the result
    takes no more memory than the value.
    """
    if isinstance(value, TfExpr):
        return marker(value)
    if not isinstance(value, list | tuple | dict):
        return value
    done = {} if _done is None else _done
    key = id(value)
    if key not in done:
        items: dict[Any, Value] | list[Value]
        if isinstance(value, dict):
            items = {name: to_tree(item, done) for name, item in value.items()}
            same = type(value) is dict and all(items[k] is value[k] for k in items)
        else:
            items = [to_tree(item, done) for item in value]
            same = type(value) is list and all(map(operator.is_, items, value))
        done[key] = value if same else items
    return done[key]


@dataclass(frozen=True)
class ObjectAttribute:
    type: HclType
    optional: bool = False
    default: Value = None


@dataclass(frozen=True)
class HclType:
    """An HCL type constraint: `string`, `list(number)`, `object({a = string})`..."""

    kind: str
    element: HclType | None = None
    attributes: dict[str, ObjectAttribute] = field(default_factory=dict, hash=False)
    elements: tuple[HclType, ...] = ()

    def __str__(self) -> str:
        if self.element is not None:
            return f"{self.kind}({self.element})"
        return self.kind


ANY = HclType("any")


def parse_type(source: Value) -> HclType:
    """The type constraint of a `variable` block's `type` attribute (loader value)."""
    text = source.text if hasattr(source, "text") else str(source)
    try:
        return _type_of(parse_expression(text))
    except HclSyntaxError as error:
        raise EvalError(f"invalid type {text!r}: {error}") from None


_PRIMITIVES = ("string", "number", "bool", "any")


def _type_of(node: Node) -> HclType:
    if isinstance(node, Traversal) and not node.steps and node.root in _PRIMITIVES:
        return HclType(node.root)
    if isinstance(node, Call) and node.name in ("list", "set", "map") and len(node.args) == 1:
        return HclType(node.name, element=_type_of(node.args[0]))
    if isinstance(node, Call) and node.name == "tuple" and len(node.args) == 1:
        items = node.args[0]
        if isinstance(items, TupleCons):
            return HclType("tuple", elements=tuple(_type_of(item) for item in items.items))
    if isinstance(node, Call) and node.name == "object" and len(node.args) == 1:
        fields = node.args[0]
        if isinstance(fields, ObjectCons):
            return HclType("object", attributes=_object_attributes(fields))
    raise EvalError("unsupported type constraint")


def _object_attributes(fields: ObjectCons) -> dict[str, ObjectAttribute]:
    attributes: dict[str, ObjectAttribute] = {}
    for key, value in fields.items:
        name = _attribute_name(key)
        if isinstance(value, Call) and value.name == "optional" and 1 <= len(value.args) <= 2:
            default = value.args[1] if len(value.args) == 2 else None
            default_value = default.value if isinstance(default, Literal) else None
            attributes[name] = ObjectAttribute(_type_of(value.args[0]), True, default_value)
        else:
            attributes[name] = ObjectAttribute(_type_of(value))
    return attributes


def _attribute_name(key: Node) -> str:
    if isinstance(key, Literal) and isinstance(key.value, str):
        return key.value
    if isinstance(key, Traversal) and not key.steps:
        return key.root
    raise EvalError("invalid object type attribute name")


def infer_type(value: Value) -> HclType:
    """The type Nomad gives a variable declared with a default and no `type`."""
    if isinstance(value, bool):
        return HclType("bool")
    if is_number(value):
        return HclType("number")
    if isinstance(value, str):
        return HclType("string")
    if value is None:
        return ANY
    return HclType("tuple" if is_sequence(value) else "object")


def convert(value: Value, target: HclType) -> Value:
    if value is None or target.kind == "any" or has_unknown(value):
        return value
    converter = _CONVERTERS.get(target.kind)
    if converter is None:
        return value
    return converter(value, target)


def _convert_list(value: Value, target: HclType) -> Value:
    element = target.element or ANY
    return [convert(item, element) for item in to_list(value)]


def _convert_set(value: Value, target: HclType) -> Value:
    return make_set(_convert_list(value, target))


def _convert_map(value: Value, target: HclType) -> Value:
    element = target.element or ANY
    return {key: convert(item, element) for key, item in to_map(value).items()}


def _convert_tuple(value: Value, target: HclType) -> Value:
    items = to_list(value)
    if target.elements and len(items) != len(target.elements):
        raise EvalError(f"a tuple of {len(target.elements)} elements is required")
    if not target.elements:
        return items
    return [convert(item, kind) for item, kind in zip(items, target.elements, strict=True)]


def _convert_object(value: Value, target: HclType) -> Value:
    source = to_map(value)
    if not target.attributes:
        return source
    result: dict[str, Value] = {}
    for name, attribute in target.attributes.items():
        if name in source and source[name] is not None:
            result[name] = convert(source[name], attribute.type)
        elif attribute.optional:
            result[name] = convert(attribute.default, attribute.type)
        else:
            raise EvalError(f'attribute "{name}" is required')
    return result


_CONVERTERS = {
    "string": lambda value, _: to_string(value),
    "number": lambda value, _: to_number(value),
    "bool": lambda value, _: to_bool(value),
    "list": _convert_list,
    "set": _convert_set,
    "map": _convert_map,
    "tuple": _convert_tuple,
    "object": _convert_object,
}
