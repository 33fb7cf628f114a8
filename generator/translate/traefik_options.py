"""Traefik label options in the file provider's canonical spelling and types.

Traefik reads labels (`stripprefix.prefixes=/a,/b`) leniently: names match
case-insensitively, a comma-separated string stands for a list, `"true"` for a
boolean. Its file provider's documentation spells the same options `stripPrefix`,
`prefixes: [/a, /b]`, `forceSlash: true`, and Traefik notes the lenient reading
will become an error. Every name and type here is read from Traefik v3's
file-provider JSON Schema (SchemaStore, `generator/data/`), never listed by hand.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILE = "traefik-v3-file-provider.json"
# Middlewares that rewrite the request path (Traefik docs, "HTTP Middlewares").
PATH_REWRITING = frozenset(
    {"addPrefix", "replacePath", "replacePathRegex", "stripPrefix", "stripPrefixRegex"}
)
_INDEXED = re.compile(r"^(.+)\[(\d+)\]$")
# strconv.ParseBool, which Traefik's label decoder uses.
_BOOLEANS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}
_ABSENT = object()


class OptionError(ValueError):
    pass


@dataclass
class Converted:
    config: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("generator").joinpath("data", SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)


def _resolve(node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = schema()["definitions"][node["$ref"].rsplit("/", 1)[1]]
    return node


@cache
def _middleware_schema() -> dict[str, Any]:
    """`httpMiddleware` (a oneOf of single-key objects) as one object of every type."""
    properties: dict[str, Any] = {}
    for option in schema()["definitions"]["httpMiddleware"]["oneOf"]:
        properties.update(option["properties"])
    return {"type": "object", "properties": properties, "additionalProperties": False}


def router_schema() -> Mapping[str, Any]:
    return schema()["definitions"]["httpRouter"]


def middleware_types() -> list[str]:
    return list(_middleware_schema()["properties"])


def convert_middleware(options: Mapping[str, str]) -> Converted:
    """`{"stripprefix.prefixes": "/a,/b"}` → `{"stripPrefix": {"prefixes": ["/a", "/b"]}}`."""
    converted = convert(options, _middleware_schema())
    for kind, config in list(converted.config.items()):
        missing = constraint_problems(config, _child(_middleware_schema(), kind)[1], kind)
        if missing:
            converted.problems.extend(missing)
            del converted.config[kind]
    if len(converted.config) > 1:
        converted.problems.append(
            f"it defines several middleware types ({', '.join(converted.config)}); Traefik"
            " refuses such a middleware"
        )
    return converted


def convert(options: Mapping[str, str], node_schema: Mapping[str, Any]) -> Converted:
    """Dotted label paths and their values placed in a tree the schema describes."""
    converted = Converted()
    for path, value in options.items():
        trial = copy.deepcopy(converted.config)  # a refused option leaves no empty section
        try:
            _place(trial, node_schema, path.split("."), value)
        except OptionError as error:
            converted.problems.append(f"option {path!r}: {error}")
        else:
            converted.config = trial
    return converted


def constraint_problems(value: Any, node_schema: Mapping[str, Any], path: str) -> list[str]:
    """What the schema asks beyond names and types: required options, non-empty lists."""
    node_schema = _resolve(node_schema)
    problems: list[str] = []
    if isinstance(value, dict):
        for required in node_schema.get("required", []):
            if required not in value:
                problems.append(f"{path}: option {required!r} is required")
        properties = node_schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                problems.extend(constraint_problems(item, properties[key], f"{path}.{key}"))
    elif isinstance(value, list) and len(value) < node_schema.get("minItems", 0):
        problems.append(f"{path}: at least {node_schema['minItems']} entry is required")
    elif (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < node_schema.get("minimum", value)
    ):
        problems.append(f"{path}: {value} is below the minimum {node_schema['minimum']}")
    return problems


def _child(node_schema: Mapping[str, Any], name: str) -> tuple[str, Mapping[str, Any]]:
    properties = node_schema.get("properties", {})
    for candidate, child in properties.items():
        if candidate.lower() == name.lower():
            return candidate, _resolve(child)
    extra = node_schema.get("additionalProperties")
    if isinstance(extra, Mapping):  # a map: the key is data, kept as written
        return name, _resolve(extra)
    if not properties and extra is not False and _is_section(node_schema):
        return name, {}  # free-form (a plugin's own options)
    known = f" (known: {', '.join(properties)})" if 0 < len(properties) <= 12 else ""
    raise OptionError(f"{name!r} is not a Traefik v3 option here{known}")


def _place(
    target: dict[str, Any], node_schema: Mapping[str, Any], parts: list[str], raw: str
) -> None:
    head, rest = parts[0], parts[1:]
    indexed = _INDEXED.match(head)
    name, index = (indexed.group(1), int(indexed.group(2))) if indexed else (head, None)
    key, child_schema = _child(node_schema, name)
    if index is not None:
        items = _resolve(child_schema.get("items", {}))
        if child_schema.get("type") != "array" or not rest:
            raise OptionError(f"{name!r} takes no indexed entries")
        entries = target.setdefault(key, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise OptionError(f"{name!r} is given twice")
        entries.extend({} for _ in range(index + 1 - len(entries)))
        _place(entries[index], items, rest, raw)
        return
    if rest:
        if not _is_section(child_schema):
            raise OptionError(f"{key!r} has no sub-options")
        child = target.setdefault(key, {})
        if not isinstance(child, dict):
            raise OptionError(f"{key!r} is given twice")
        _place(child, child_schema, rest, raw)
        return
    value = typed(raw, child_schema)
    if value is _ABSENT:
        return
    if key in target and target[key] != value:
        if isinstance(value, dict) and isinstance(target[key], dict) and not value:
            return  # `tls=true` beside `tls.certresolver=…`
        raise OptionError(f"{key!r} is given twice")
    target[key] = value


def _is_section(node_schema: Mapping[str, Any]) -> bool:
    """An object, or a free-form value (`{}`) that may hold anything."""
    if "oneOf" in node_schema or "anyOf" in node_schema:
        return False
    return node_schema.get("type") in ("object", None)


def typed(raw: str, node_schema: Mapping[str, Any]) -> Any:
    """A label value as the type the schema asks for."""
    alternatives = node_schema.get("oneOf") or node_schema.get("anyOf")
    if alternatives:
        numbers_first = sorted(
            (_resolve(a) for a in alternatives),
            key=lambda a: a.get("type") not in ("integer", "number"),
        )
        for alternative in numbers_first:
            try:
                return typed(raw, alternative)
            except OptionError:
                continue
        raise OptionError(f"{raw!r} fits none of its types")
    kind = node_schema.get("type")
    text = raw.strip()
    if kind == "array":
        items = _resolve(node_schema.get("items", {}))
        if items.get("type") == "object":
            raise OptionError("a list of objects needs indexed entries (`name[0].key=…`)")
        return [typed(item.strip(), items) for item in raw.split(",") if item.strip()]
    if kind == "boolean":
        if text.lower() not in _BOOLEANS:
            raise OptionError(f"{raw!r} is not a boolean")
        return _BOOLEANS[text.lower()]
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise OptionError(f"{raw!r} is not an integer")
        return int(text)
    if kind == "number":
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            raise OptionError(f"{raw!r} is not a number") from None
        if not math.isfinite(number):
            raise OptionError(f"{raw!r} is not a number")
        return number
    if kind == "object" or "properties" in node_schema:
        # A label naming a section alone switches it on (`tls=true`, `compress=true`).
        if text.lower() in ("true", ""):
            return {}
        if text.lower() == "false":
            return _ABSENT
        raise OptionError("it is a section: give its options (`name.option=value`)")
    return raw
