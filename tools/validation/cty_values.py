"""Does a literal HCL value fit a cty type? Mirrors Terraform's safe conversions.

Only literals are judged: an `Expr` (reference, function call, arithmetic) and
a string with `${`/`%{` template sequences are unknown until plan time and
always pass. Conversions Terraform performs silently pass too: a number or
bool where a string is expected, `"8080"` where a number is expected,
`"true"` where a bool is expected. `null` fits every type.
"""

from __future__ import annotations

from typing import Any

from generator.hcl import Expr

CtyType = Any


def type_errors(value: Any, cty_type: CtyType, where: str = "") -> list[str]:
    """Messages for each place `value` cannot be converted to `cty_type`; empty when it fits."""
    if value is None or _unknown(value) or cty_type == "dynamic":
        return []
    if isinstance(cty_type, str):
        return _primitive(value, cty_type, where)
    kind, element = cty_type[0], cty_type[1]
    if kind in ("list", "set"):
        if not isinstance(value, list):
            return [_mismatch(where, describe_type(cty_type), value)]
        return [
            e for i, item in enumerate(value) for e in type_errors(item, element, f"{where}[{i}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [_mismatch(where, describe_type(cty_type), value)]
        return [
            e for k, item in value.items() for e in type_errors(item, element, f'{where}["{k}"]')
        ]
    if kind == "object":
        return _object(value, element, cty_type, where)
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(element):
            return [_mismatch(where, describe_type(cty_type), value)]
        return [
            e
            for i, (item, t) in enumerate(zip(value, element, strict=True))
            for e in type_errors(item, t, f"{where}[{i}]")
        ]
    return []


def describe_type(cty_type: CtyType) -> str:
    if isinstance(cty_type, str):
        return cty_type
    kind, element = cty_type[0], cty_type[1]
    if kind in ("list", "set", "map"):
        return f"{kind}({describe_type(element)})"
    if kind == "object":
        fields = ", ".join(f"{k} = {describe_type(v)}" for k, v in element.items())
        return f"object({{{fields}}})"
    return f"tuple([{', '.join(describe_type(t) for t in element)}])"


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return f"bool {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _unknown(value: Any) -> bool:
    return isinstance(value, Expr) or (isinstance(value, str) and ("${" in value or "%{" in value))


def _primitive(value: Any, cty_type: str, where: str) -> list[str]:
    if cty_type == "string":
        ok = isinstance(value, str | int | float | bool)
    elif cty_type == "number":
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and _is_number(value)
        )
    elif cty_type == "bool":
        ok = isinstance(value, bool) or value in ("true", "false")
    else:
        ok = True
    return [] if ok else [_mismatch(where, cty_type, value)]


def _object(value: Any, fields: dict[str, CtyType], cty_type: CtyType, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [_mismatch(where, describe_type(cty_type), value)]
    prefix = f"{where}: " if where else ""
    errors = [f'{prefix}unexpected attribute "{key}"' for key in value if key not in fields]
    for key, field_type in fields.items():
        if key not in value:
            errors.append(f'{prefix}attribute "{key}" is required')
        else:
            errors.extend(type_errors(value[key], field_type, f"{where}.{key}"))
    return errors


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")


def _mismatch(where: str, expected: str, value: Any) -> str:
    prefix = f"{where}: " if where else ""
    return f"{prefix}{expected} required, got {describe_value(value)}"
