"""The normalized HCL tree: blocks and attributes, each with its source line.

Values are plain Python (str, int, float, bool, None, list, dict) with HCL
quoting and escapes already decoded, or an `Expr` for an expression that is not
a literal (`var.x`, `upper("a")`, `1 + 2`), kept as its source text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Expr:
    """An HCL expression python-hcl2 could not reduce to a literal."""

    text: str

    def __str__(self) -> str:
        return "${" + self.text + "}"


Value = Any  # str | int | float | bool | None | list[Value] | dict[str, Value] | Expr


@dataclass
class Attribute:
    name: str
    value: Value
    line: int
    is_heredoc: bool = False


@dataclass
class Block:
    kind: str
    labels: tuple[str, ...]
    line: int
    file: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else ""

    def children(self, kind: str) -> list[Block]:
        return [block for block in self.blocks if block.kind == kind]

    def child(self, kind: str) -> Block | None:
        found = self.children(kind)
        return found[0] if found else None

    def get(self, name: str, default: Value = None) -> Value:
        attribute = self.attributes.get(name)
        return default if attribute is None else attribute.value

    def line_of(self, name: str) -> int:
        attribute = self.attributes.get(name)
        if attribute is not None:
            return attribute.line
        block = self.child(name)
        return block.line if block is not None else self.line

    def walk(self) -> Iterator[Block]:
        yield self
        for block in self.blocks:
            yield from block.walk()
