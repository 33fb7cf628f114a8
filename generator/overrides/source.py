"""The `overrides:` mapping of a service spec as YAML nodes, so every error has a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from generator.errors import InputError

CODE = "invalid-override"


@dataclass(frozen=True)
class OverrideSource:
    """The spec file's display name and its `overrides:` mapping node."""

    file: str
    node: yaml.MappingNode

    def error(self, node: yaml.Node | None, reason: str) -> InputError:
        return InputError(self.file, line_of(node), CODE, reason)


def line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def from_text(file: str, text: str) -> OverrideSource | None:
    """The `overrides:` of a spec's YAML text; None when it has none (the spec validated)."""
    document = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(document, yaml.MappingNode):
        return None
    for key, value in document.value:
        if key.value == "overrides":
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
                return None
            if not isinstance(value, yaml.MappingNode):
                raise InputError(file, line_of(value), CODE, "`overrides` must be a mapping")
            source = OverrideSource(file, value)
            check_unique_keys(source, value)
            return source if value.value else None
    return None


def from_data(file: str, data: dict[str, Any]) -> OverrideSource | None:
    """Overrides given as data (a spec built in code): the same nodes, without real lines."""
    if not data:
        return None
    node = yaml.compose(yaml.safe_dump(data, sort_keys=False), Loader=yaml.SafeLoader)
    assert isinstance(node, yaml.MappingNode)
    _lineless(node)
    return OverrideSource(file, node)


def _lineless(node: yaml.Node) -> None:
    mark = yaml.Mark("", 0, -1, 0, None, None)  # type: ignore[arg-type]
    node.start_mark = mark
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key.start_mark = mark
            _lineless(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _lineless(item)


def check_unique_keys(source: OverrideSource, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise source.error(key, f"`{key.value}` is given twice")
            seen.add(key.value)
            check_unique_keys(source, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            check_unique_keys(source, item)


def data(node: yaml.Node) -> Any:
    """The Python value of a node."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def entries(node: yaml.MappingNode) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """(key text, key node, value node) of a mapping."""
    return [(str(data(key)), key, value) for key, value in node.value]


def get(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((value for k, value in node.value if str(data(k)) == key), None)
