"""The `overrides:` that would express a hand edit of a generated file, where one can.

`make regen` refuses to overwrite a generated file edited by hand; this tells the user
what to put in the spec instead. A suggestion is offered only when applying it to the
generated text gives the edited file back (same blocks, attributes and values).
"""

from __future__ import annotations

from typing import Any

import yaml

from generator import provider_schema
from generator.document import (
    Attribute,
    Block,
    Body,
    CallValue,
    DocumentError,
    ObjectValue,
    Scalar,
    TupleValue,
    Value,
    parse_document,
)
from generator.errors import InputError
from generator.overrides import values
from generator.overrides.engine import apply_overrides
from generator.overrides.keys import MERGE_KEYS
from generator.overrides.meta import with_meta_arguments
from generator.overrides.source import from_data

_DELETE = {"$delete": True}


class _Cannot(Exception):
    """The edit has no override that expresses it (a new resource, a computed key, …)."""


def suggest_override(file_name: str, edited_text: str, generated_text: str) -> str | None:
    """`overrides:` YAML that turns `generated_text` into `edited_text`, or None."""
    try:
        edited = parse_document(edited_text)
        generated = parse_document(generated_text)
        if file_name == "variables.tf":
            tree = _variables(edited.body, generated.body)
        else:
            tree = _resources(edited.body, generated.body)
    except (DocumentError, _Cannot):
        return None
    if not tree:
        return None
    if not _reproduces(file_name, tree, edited_text, generated_text):
        return None
    return yaml.safe_dump({"overrides": tree}, sort_keys=False, allow_unicode=True, width=100)


def _reproduces(file_name: str, tree: dict[str, Any], edited: str, generated: str) -> bool:
    source = from_data(file_name, tree)
    if source is None:
        return False
    try:
        result = apply_overrides({file_name: generated}, source).files[file_name]
    except InputError:
        return False
    return _shape(parse_document(result).body) == _shape(parse_document(edited).body)


def _shape(body: Body) -> Any:
    """A body's content without layout: attributes by name, blocks in order per type."""
    attributes = {
        item.name: _comparable(item.value) for item in body.items if isinstance(item, Attribute)
    }
    blocks: dict[str, list[Any]] = {}
    for block in body.all_blocks():
        blocks.setdefault(" ".join([block.type, *block.labels]), []).append(_shape(block.body))
    return attributes, blocks


def _comparable(value: Value) -> Any:
    known, python = values.python_value(value)
    if known:
        return repr(python)
    if isinstance(value, CallValue):
        return value.function, _comparable(value.argument)
    return " ".join(value.emit().split())


# ---- resources ----


def _address(block: Block) -> str:
    return f"{block.labels[0]}.{block.labels[1]}"


def _resources(edited: Body, generated: Body) -> dict[str, Any]:
    edited_resources = {_address(b): b for b in edited.blocks("resource") if len(b.labels) == 2}
    tree: dict[str, Any] = {}
    if _shape_without_resources(edited) != _shape_without_resources(generated):
        raise _Cannot
    seen = set()
    for block in generated.blocks("resource"):
        if len(block.labels) != 2:
            continue
        address = _address(block)
        seen.add(address)
        other = edited_resources.get(address)
        if other is None:
            tree[address] = dict(_DELETE)
            continue
        if block.labels[0] == "kubectl_manifest":
            change = _manifest(other.body, block.body)
        else:
            schema = provider_schema.resource_block(block.labels[0])
            if schema is None:
                raise _Cannot
            change = _block(other.body, block.body, with_meta_arguments(schema))
        if change:
            tree[address] = change
    if set(edited_resources) - seen:
        raise _Cannot  # a new resource: a hand-written addition, not an override
    return tree


def _shape_without_resources(body: Body) -> Any:
    attributes, blocks = _shape(body)
    return attributes, {k: v for k, v in blocks.items() if not k.startswith("resource ")}


def _block(edited: Body, generated: Body, schema: provider_schema.Block) -> dict[str, Any]:
    change: dict[str, Any] = {}
    for name in schema.attributes:
        new, old = edited.attribute(name), generated.attribute(name)
        if new is None and old is None:
            continue
        if new is None:
            change[name] = None
        elif old is None:
            change[name] = _value(new.value)
        elif new.value.emit() != old.value.emit():
            attribute_type = schema.attributes[name].type
            if (
                isinstance(attribute_type, list)
                and attribute_type[0] == "map"
                and isinstance(new.value, ObjectValue)
                and isinstance(old.value, ObjectValue)
            ):
                change[name] = _object(new.value, old.value, keyed=False)
            else:
                change[name] = _value(new.value)
    for name, nested in schema.blocks.items():
        new_blocks, old_blocks = edited.blocks(name), generated.blocks(name)
        if edited.blocks("dynamic", name) or generated.blocks("dynamic", name):
            if _shapes(edited.blocks("dynamic", name)) != _shapes(
                generated.blocks("dynamic", name)
            ):
                raise _Cannot
            continue
        if _shapes(new_blocks) == _shapes(old_blocks):
            continue
        if not nested.repeated:
            if not new_blocks:
                change[name] = dict(_DELETE)
            elif not old_blocks:
                change[name] = _whole(new_blocks[0].body, nested.block)
            else:
                change[name] = _block(new_blocks[0].body, old_blocks[0].body, nested.block)
        elif name in MERGE_KEYS:
            change[name] = _keyed(name, MERGE_KEYS[name], new_blocks, old_blocks, nested.block)
        elif not new_blocks:
            change[name] = dict(_DELETE)
        else:
            change[name] = [_whole(b.body, nested.block) for b in new_blocks]
    return change


def _shapes(blocks: list[Block]) -> list[Any]:
    return [_shape(block.body) for block in blocks]


def _key_of(block: Block, key_field: str) -> str:
    attribute = block.body.attribute(key_field)
    if attribute is None or not isinstance(attribute.value, Scalar):
        raise _Cannot
    return str(attribute.value.value)


def _keyed(
    name: str,
    key_field: str,
    new_blocks: list[Block],
    old_blocks: list[Block],
    schema: provider_schema.Block,
) -> list[dict[str, Any]]:
    old = {_key_of(b, key_field): b for b in old_blocks}
    new = {_key_of(b, key_field): b for b in new_blocks}
    items: list[dict[str, Any]] = []
    for key in old:
        if key not in new:
            items.append({key_field: key, **_DELETE})
    kept = [key for key in new if key in old]
    if kept != [key for key in old if key in new]:
        raise _Cannot  # reordered items
    previous: str | None = None
    for key, block in new.items():
        if key in old:
            change = _block(block.body, old[key].body, schema)
            if change:
                items.append({key_field: key, **change})
        else:
            item = _whole(block.body, schema)
            item.pop(key_field, None)
            placed: dict[str, Any] = {key_field: key}
            if previous is not None and key != list(new)[-1]:
                placed["$after"] = previous
            items.append({**placed, **item})
        previous = key
    return items


def _whole(body: Body, schema: provider_schema.Block) -> dict[str, Any]:
    """A block written out in full, as an override that creates it."""
    return _block(body, Body(), schema)


# ---- values ----


def _value(value: Value) -> Any:
    known, python = values.python_value(value)
    if known:
        return python
    if isinstance(value, CallValue | TupleValue | ObjectValue) or "\n" in value.emit():
        raise _Cannot
    return {"$expr": value.emit()}


def _object(new: ObjectValue, old: ObjectValue, keyed: bool) -> dict[str, Any]:
    change: dict[str, Any] = {}
    for entry in old.entries:
        if entry.key is None:
            raise _Cannot
        if new.get(entry.key) is None:
            change[entry.key] = None
    for entry in new.entries:
        if entry.key is None:
            raise _Cannot
        previous = old.get(entry.key)
        if previous is None:
            change[entry.key] = _manifest_value(entry.value)
        elif previous.value.emit() != entry.value.emit():
            change[entry.key] = _manifest_change(entry.key, entry.value, previous.value, keyed)
    return change


# ---- kubectl_manifest ----


def _manifest(edited: Body, generated: Body) -> dict[str, Any]:
    new, old = edited.attribute("yaml_body"), generated.attribute("yaml_body")
    if _shape(_without(edited, "yaml_body")) != _shape(_without(generated, "yaml_body")):
        raise _Cannot
    if new is None or old is None:
        raise _Cannot
    if not isinstance(new.value, CallValue) or not isinstance(old.value, CallValue):
        raise _Cannot
    return _object(new.value.argument, old.value.argument, keyed=True)


def _without(body: Body, name: str) -> Body:
    return Body([i for i in body.items if not (isinstance(i, Attribute) and i.name == name)])


def _manifest_value(value: Value) -> Any:
    if isinstance(value, ObjectValue):
        return {e.key: _manifest_value(e.value) for e in value.entries if e.key is not None}
    if isinstance(value, TupleValue):
        return [_manifest_value(item.value) for item in value.items]
    return _value(value)


def _manifest_change(key: str, new: Value, old: Value, keyed: bool) -> Any:
    if isinstance(new, ObjectValue) and isinstance(old, ObjectValue):
        return _object(new, old, keyed)
    if keyed and key in MERGE_KEYS and isinstance(new, TupleValue) and isinstance(old, TupleValue):
        return _manifest_items(MERGE_KEYS[key], new, old)
    return _manifest_value(new)


def _manifest_items(key_field: str, new: TupleValue, old: TupleValue) -> list[dict[str, Any]]:
    def keyed(tuple_value: TupleValue) -> dict[str, ObjectValue]:
        out = {}
        for item in tuple_value.items:
            entry = item.value.get(key_field) if isinstance(item.value, ObjectValue) else None
            if entry is None or not isinstance(entry.value, Scalar):
                raise _Cannot
            assert isinstance(item.value, ObjectValue)
            out[str(entry.value.value)] = item.value
        return out

    before, after = keyed(old), keyed(new)
    items: list[dict[str, Any]] = [
        {key_field: key, **_DELETE} for key in before if key not in after
    ]
    previous: str | None = None
    for key, value in after.items():
        if key in before:
            change = _object(value, before[key], keyed=True)
            if change:
                items.append({key_field: key, **change})
        else:
            item = _manifest_value(value)
            item.pop(key_field, None)
            placed: dict[str, Any] = {key_field: key}
            if previous is not None and key != list(after)[-1]:
                placed["$after"] = previous
            items.append({**placed, **item})
        previous = key
    return items


# ---- variables.tf ----


def _variables(edited: Body, generated: Body) -> dict[str, Any]:
    old = {b.labels[0]: b for b in generated.blocks("variable") if b.labels}
    new = {b.labels[0]: b for b in edited.blocks("variable") if b.labels}
    if set(old) != set(new):
        raise _Cannot
    tree: dict[str, Any] = {}
    for name, block in new.items():
        before, after = _shape(old[name].body), _shape(block.body)
        if before == after:
            continue
        attributes_before, attributes_after = dict(before[0]), dict(after[0])
        attributes_before.pop("default", None)
        attributes_after.pop("default", None)
        if attributes_before != attributes_after or before[1] != after[1]:
            raise _Cannot
        default = block.body.attribute("default")
        if default is None:
            raise _Cannot
        known, value = values.python_value(default.value)
        if not known:
            raise _Cannot
        tree[f"variable.{name}"] = {"default": value}
    return tree
