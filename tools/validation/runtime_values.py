"""What a value in a generated module is, as far as the module itself says.

`local.NAME` is its `locals` value, `var.NAME` its `default`, and a string
whose `${...}` interpolations are all such references is spliced. Anything
else (a resource attribute, a function call, a template directive) is
`UNKNOWN`, and the rules that need it stay silent.

python-hcl2's tree keeps `$${` (a literal `${`) as `${`: a string holding it
reads as an interpolation. Generated modules do not write `$${` in the values
these rules read (names, labels, ports, schedules, paths).
"""

from __future__ import annotations

import re
from typing import Any

from generator.diagnostics import InputError
from generator.hcl import Expr, parse_hcl
from tools.validation.module_files import ModuleSource


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
_REFERENCE = re.compile(r"^(local|var)\.([A-Za-z_][A-Za-z0-9_-]*)$")
_INTERPOLATION = re.compile(r"\$\{~?\s*([^{}]*?)\s*~?\}")
_MAX_DEPTH = 16


class Values:
    def __init__(self, module: ModuleSource) -> None:
        self._locals: dict[str, Any] = {}
        self._defaults: dict[str, Any] = {}
        for tree in module.trees.values():
            for block in tree.blocks:
                if block.kind == "locals":
                    for name, attribute in block.attributes.items():
                        self._locals[name] = attribute.value
                elif block.kind == "variable" and block.labels and "default" in block.attributes:
                    self._defaults[block.labels[0]] = block.attributes["default"].value

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """The literal value, with `UNKNOWN` wherever the module does not say."""
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(value, Expr):
            return self._reference(value.text.strip(), depth)
        if isinstance(value, str):
            return self._string(value, depth)
        if isinstance(value, list):
            return [self.resolve(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item, depth + 1) for key, item in value.items()}
        return value

    def text(self, value: Any) -> str | None:
        """The value as a string when it is a known string or number, else None."""
        resolved = self.resolve(value)
        if isinstance(resolved, bool) or resolved is None or resolved is UNKNOWN:
            return None
        if isinstance(resolved, str | int | float):
            return str(resolved)
        return None

    def _reference(self, text: str, depth: int) -> Any:
        if text.startswith("merge(") and text.endswith(")"):
            return self._merge(text[len("merge(") : -1], depth)
        match = _REFERENCE.match(text)
        if match is None:
            return UNKNOWN
        kind, name = match.groups()
        table = self._locals if kind == "local" else self._defaults
        if name not in table:
            return UNKNOWN
        return self.resolve(table[name], depth + 1)

    def _merge(self, arguments: str, depth: int) -> Any:
        """`merge(local.labels, { component = "web" })`, as the generator writes labels."""
        merged: dict[str, Any] = {}
        for argument in _split_arguments(arguments):
            if argument.startswith("{"):
                try:
                    value = parse_hcl(f"value = {argument}\n", "<merge>").get("value")
                except InputError:
                    return UNKNOWN
                value = self.resolve(value, depth + 1)
            else:
                value = self._reference(argument, depth + 1)
            if not isinstance(value, dict):
                return UNKNOWN
            merged.update(value)
        return merged

    def _string(self, text: str, depth: int) -> Any:
        if "%{" in text:
            return UNKNOWN
        if "${" not in text:
            return text
        parts: list[str] = []
        position = 0
        for match in _INTERPOLATION.finditer(text):
            value = self._reference(match.group(1), depth + 1)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                return UNKNOWN
            parts.append(text[position : match.start()])
            parts.append(str(value))
            position = match.end()
        rest = text[position:]
        if "${" in rest:
            return UNKNOWN
        return "".join(parts) + rest


def _split_arguments(text: str) -> list[str]:
    """Top-level comma-separated arguments (braces, brackets and strings kept whole)."""
    parts: list[str] = []
    depth, start, quoted, escaped = 0, 0, False, False
    for index, char in enumerate(text):
        if quoted:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                quoted = False
            continue
        if char == '"':
            quoted = True
        elif char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def is_known(value: Any) -> bool:
    """True when nothing in `value` is UNKNOWN."""
    if value is UNKNOWN:
        return False
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    return True
