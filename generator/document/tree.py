"""The document tree: blocks and attributes, values that keep their original text.

Every node emits the exact text it was parsed from; a node built or changed by code
emits text written by `generator.render.hcl_values`. Layout (indentation, `=`
alignment) of new text is left to `format_hcl`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.render.hcl_values import hcl_key, hcl_string, hcl_value

ScalarValue = str | int | float | bool | None
# `name   = ` as aligned by `terraform fmt`: after an edit, `format_hcl` aligns the run again.
_ALIGNED_HEAD = re.compile(r"([^\s=]+)[ \t]*=[ \t]*")


def _unaligned(head: str) -> str:
    match = _ALIGNED_HEAD.fullmatch(head)
    return f"{match.group(1)} = " if match else head


class Value:
    def emit(self) -> str:
        raise NotImplementedError


@dataclass(eq=False)
class Scalar(Value):
    """A string without interpolation, a number, a bool or null, with its Python value."""

    value: ScalarValue
    text: str

    @classmethod
    def of(cls, value: ScalarValue) -> Scalar:
        return cls(value, hcl_value(value))

    def emit(self) -> str:
        return self.text


@dataclass(eq=False)
class Opaque(Value):
    """Any other expression (references, templates, heredocs, calls), as written."""

    text: str

    def emit(self) -> str:
        return self.text


@dataclass(eq=False)
class Entry:
    """`key = value` in an object literal; `key` is None for a computed key `(expr)`."""

    key: str | None
    value: Value
    head: str  # the key, the `=` or `:` and the space after it, as written
    lead: str = "\n"
    sep: str = ""  # a trailing comma, with the space before it

    def emit(self) -> str:
        return self.lead + self.head + self.value.emit() + self.sep


@dataclass(eq=False)
class ObjectValue(Value):
    entries: list[Entry] = field(default_factory=list)
    tail: str = "\n"

    def get(self, key: str) -> Entry | None:
        return next((e for e in self.entries if e.key == key), None)

    def set(self, key: str, value: Value) -> Entry:
        self._unalign()
        entry = self.get(key)
        if entry is not None:
            entry.value = value
            return entry
        self._open_lines()
        entry = Entry(key, value, f"{hcl_key(key)} = ")
        self.entries.append(entry)
        return entry

    def remove(self, key: str) -> bool:
        entry = self.get(key)
        if entry is None:
            return False
        self.entries.remove(entry)
        self._unalign()
        return True

    def _unalign(self) -> None:
        for entry in self.entries:
            entry.head = _unaligned(entry.head)

    def _open_lines(self) -> None:
        """An object written on one line gets one entry a line before it grows."""
        if "\n" in self.tail:
            return
        for entry in self.entries:
            entry.lead, entry.sep = "\n", ""
        self.tail = "\n"

    def emit(self) -> str:
        return "{" + "".join(e.emit() for e in self.entries) + self.tail + "}"


@dataclass(eq=False)
class TupleItem:
    value: Value
    lead: str = "\n"
    sep: str = ","

    def emit(self) -> str:
        return self.lead + self.value.emit() + self.sep


@dataclass(eq=False)
class TupleValue(Value):
    items: list[TupleItem] = field(default_factory=list)
    tail: str = "\n"

    def insert(self, index: int, value: Value) -> None:
        if "\n" not in self.tail:
            for item in self.items:
                item.lead, item.sep = "\n", ","
            self.tail = "\n"
        for item in self.items:
            if not item.sep.strip():
                item.sep = ","
        self.items.insert(index, TupleItem(value))

    def emit(self) -> str:
        return "[" + "".join(i.emit() for i in self.items) + self.tail + "]"


@dataclass(eq=False)
class CallValue(Value):
    """`function({...})`: a call wrapping one object literal, such as `yamlencode`."""

    function: str
    argument: ObjectValue
    head: str  # `yamlencode(` and any space before the object
    tail: str = ")"

    def emit(self) -> str:
        return self.head + self.argument.emit() + self.tail


@dataclass(eq=False)
class Attribute:
    name: str
    value: Value
    head: str = ""  # `name = ` as written
    lead: str = "\n"

    def __post_init__(self) -> None:
        if not self.head:
            self.head = f"{self.name} = "

    def emit(self) -> str:
        return self.lead + self.head + self.value.emit()


@dataclass(eq=False)
class Body:
    items: list[Attribute | Block] = field(default_factory=list)
    tail: str = "\n"

    def attribute(self, name: str) -> Attribute | None:
        return next((i for i in self.items if isinstance(i, Attribute) and i.name == name), None)

    def blocks(self, type_: str, *labels: str) -> list[Block]:
        return [
            item
            for item in self.items
            if isinstance(item, Block)
            and item.type == type_
            and tuple(item.labels[: len(labels)]) == labels
        ]

    def all_blocks(self) -> Iterator[Block]:
        return (item for item in self.items if isinstance(item, Block))

    def remove(self, item: Attribute | Block) -> None:
        self.items.remove(item)
        self._unalign()

    def _unalign(self) -> None:
        for item in self.items:
            if isinstance(item, Attribute):
                item.head = _unaligned(item.head)

    def set_attribute(self, name: str, value: Value) -> Attribute:
        """Change `name`'s value, or add it after the body's last attribute."""
        self._unalign()
        existing = self.attribute(name)
        if existing is not None:
            existing.value = value
            return existing
        attribute = Attribute(name, value)
        last = max(
            (index for index, item in enumerate(self.items) if isinstance(item, Attribute)),
            default=-1,
        )
        self.insert(last + 1, attribute)
        return attribute

    def add_block(self, block: Block, after: Attribute | Block | None = None) -> None:
        """Insert `block` after `after`, else after the last block of its type, else last."""
        if after is None:
            same = self.blocks(block.type)
            after = same[-1] if same else None
        index = self.items.index(after) + 1 if after is not None else len(self.items)
        self.insert(index, block)

    def insert(self, index: int, item: Attribute | Block) -> None:
        if "\n" not in self.tail:
            self.tail = "\n"
        following_something = index > 0
        item.lead = "\n\n" if isinstance(item, Block) and following_something else "\n"
        self.items.insert(index, item)

    def emit(self) -> str:
        return "".join(item.emit() for item in self.items) + self.tail


@dataclass(eq=False)
class Block:
    type: str
    labels: list[str]
    body: Body = field(default_factory=Body)
    head: str = ""  # `type "label" {` as written
    lead: str = "\n"

    def __post_init__(self) -> None:
        if not self.head:
            self.head = " ".join([self.type, *(hcl_string(label) for label in self.labels), "{"])

    def emit(self) -> str:
        return self.lead + self.head + self.body.emit() + "}"


@dataclass(eq=False)
class Document:
    body: Body

    def emit(self) -> str:
        return self.body.emit()

    def resources(self) -> Iterator[Block]:
        return (b for b in self.body.all_blocks() if b.type == "resource" and len(b.labels) == 2)

    def resource(self, address: str) -> Block | None:
        type_, _, name = address.partition(".")
        found = self.body.blocks("resource", type_, name)
        return found[0] if found else None
