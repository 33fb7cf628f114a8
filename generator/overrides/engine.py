"""Apply a spec's `overrides:` to the rendered documents of a module.

Keys are resource addresses (`kubernetes_deployment.app`) and `variable.NAME`; below a
resource, the block path in the provider's names (for `kubectl_manifest`, the manifest
object inside `yaml_body`). Merge rules are those of `kubectl patch --type strategic`:
maps merge, scalars and lists of scalars replace, repeated blocks with a merge key
(`keys.MERGE_KEYS`) merge item by item and other repeated blocks are replaced whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeGuard

import yaml

from generator import provider_schema
from generator.diagnostics import Diagnostic, Severity
from generator.document import (
    Attribute,
    Block,
    Body,
    CallValue,
    Document,
    Entry,
    ObjectValue,
    Opaque,
    Scalar,
    TupleItem,
    TupleValue,
    Value,
    parse_document,
)
from generator.overrides import values
from generator.overrides.keys import MERGE_KEYS
from generator.overrides.meta import with_meta_arguments
from generator.overrides.source import OverrideSource, data, entries, get, is_null, line_of
from generator.render.hcl_format import format_hcl
from generator.render.hcl_values import hcl_identifier, hcl_reference, hcl_value
from generator.wiring import ModuleInput

# The files overrides edit, in the order resources are looked up.
DOCUMENT_FILES = ("main.tf", "secrets.tf", "variables.tf", "outputs.tf")
_ITEM_DIRECTIVES = ("$delete", "$rename", "$after")
_VAR_FIELDS = frozenset({"$var", "default", "description", "type"})
_VARIABLE_FIELDS = frozenset({"default", "description", "type", "$rename"})
_NOT_GIVEN = object()


@dataclass(frozen=True)
class Overridden:
    """One applied override: `old`/`new` are HCL text (None: absent before / removed)."""

    address: str
    path: str
    old: str | None
    new: str | None

    def one_line(self) -> str:
        where = f"{self.address}.{self.path}" if self.path else self.address
        return f"{where}: {self.old or '(none)'} → {self.new or '(removed)'}"


@dataclass
class Applied:
    files: dict[str, str]
    overridden: list[Overridden] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    inputs: list[ModuleInput] | None = None  # the final variables.tf's, when it changed
    deleted: frozenset[str] = frozenset()  # resource addresses `$delete` removed


@dataclass
class _Variable:
    name: str
    default: Any  # _NOT_GIVEN: refers to a variable the generator wrote
    line: int | None
    type: str = "any"
    description: str = ""
    generated: bool = False
    required: bool = False  # declared by `variable.NAME` without a default


class _Engine:
    def __init__(
        self,
        source: OverrideSource,
        documents: dict[str, Document],
        other_addresses: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.documents = documents
        self.other_addresses = other_addresses  # declared by the module's addition files
        self.applied: list[Overridden] = []
        self.diagnostics: list[Diagnostic] = []
        self.variables: dict[str, _Variable] = {}
        self.deleted: dict[str, yaml.Node] = {}  # address → the spec node that deleted it
        self.renamed: dict[str, str] = {}  # variable.NAME: {$rename: NEW}
        self.address = ""
        variables = documents.get("variables.tf")
        for block in variables.body.blocks("variable") if variables else []:
            if block.labels:
                default = block.body.attribute("default")
                known, value = values.python_value(default.value) if default else (True, None)
                self.variables[block.labels[0]] = _Variable(
                    block.labels[0], value if known else _NOT_GIVEN, None, generated=True
                )

    # ---- reporting ----

    def record(self, path: list[str], old: Value | None, new: Value | None) -> None:
        self.applied.append(
            Overridden(self.address, ".".join(path), values.shown(old), values.shown(new))
        )

    def info(
        self, node: yaml.Node, path: list[str], message: str, code: str = "override-not-applied"
    ) -> None:
        where = ".".join([self.address, *path]) if path else self.address
        self.diagnostics.append(
            Diagnostic(
                severity=Severity.INFO,
                code=code,
                message=message,
                file=self.source.file,
                line=line_of(node),
                path=where,
            )
        )

    def error(self, node: yaml.Node | None, reason: str) -> Exception:
        return self.source.error(node, reason)

    # ---- top level ----

    def run(self) -> None:
        later = []
        for key, key_node, node in entries(self.source.node):
            if key.startswith("variable."):
                later.append((key, key_node, node))
            elif key.startswith("locals."):
                self.local(key.removeprefix("locals."), key_node, node)
            else:
                self.resource(key, key_node, node)
        for key, key_node, node in later:
            self.variable_default(key.removeprefix("variable."), key_node, node)
        self.write_variables()
        self.drop_dangling()

    def drop_dependencies(self, block: Block, reference: re.Pattern[str]) -> None:
        """A deleted resource leaves the `depends_on` of the others (the generator writes some)."""
        attribute = block.body.attribute("depends_on")
        if attribute is None:
            return
        text = attribute.value.emit().strip()
        if not (text.startswith("[") and text.endswith("]")):
            return
        items = [item.strip() for item in text[1:-1].split(",") if item.strip()]
        kept = [item for item in items if not reference.fullmatch(item)]
        if kept == items:
            return
        self.address = ".".join(block.labels)
        gone = [item for item in items if item not in kept]
        self.info(
            self.deleted[gone[0]],
            ["depends_on"],
            f"{', '.join(gone)} removed from depends_on: the spec deletes it",
            code="override-cascade",
        )
        if kept:
            attribute.value = Opaque("[" + ", ".join(kept) + "]")
        else:
            block.body.remove(attribute)

    def drop_dangling(self) -> None:
        """After `$delete` of resources: drop outputs reading them; refuse other references."""
        if not self.deleted:
            return
        names = "|".join(re.escape(address) for address in self.deleted)
        reference = re.compile(rf"(?<![\w.])({names})(?![\w-])")
        outputs = self.documents.get("outputs.tf")
        for block in list(outputs.body.blocks("output")) if outputs else []:
            found = reference.search(block.body.emit())
            if found and outputs is not None:
                outputs.body.remove(block)
                self.address = f"output.{block.labels[0]}"
                self.info(
                    self.deleted[found.group(1)],
                    [],
                    f"removed from outputs.tf: it reads {found.group(1)}, which the spec deletes",
                    code="override-cascade",
                )
        for name, document in self.documents.items():
            if name == "outputs.tf":
                continue
            for block in document.body.all_blocks():
                self.drop_dependencies(block, reference)
                found = reference.search(block.body.emit())
                if found:
                    where = ".".join(block.labels) if block.type == "resource" else block.type
                    raise self.error(
                        self.deleted[found.group(1)],
                        f"`{found.group(1)}` is deleted but {where} ({name}) still refers to it;"
                        " delete or override that reference too",
                    )

    def local(self, name: str, key_node: yaml.Node, node: yaml.Node) -> None:
        """`locals.NAME: value`: a map merges into the generated local, anything else replaces it."""
        self.address = f"locals.{name}"
        found = [
            (block, attribute)
            for document in self.documents.values()
            for block in document.body.blocks("locals")
            if (attribute := block.body.attribute(name)) is not None
        ]
        if not found:
            names = [
                item.name
                for document in self.documents.values()
                for block in document.body.blocks("locals")
                for item in block.body.items
                if isinstance(item, Attribute)
            ]
            hint = provider_schema.did_you_mean(name, names)
            raise self.error(
                key_node, f"the module has no local `{name}`{hint}; it has: {', '.join(names)}"
            )
        block, attribute = found[0]
        if is_null(node):
            raise self.error(node, f"`local.{name}` is read by the module: give it a value")
        if self.is_plain_mapping(node):
            merged = self.merge_map(attribute.value, node, None, [])
            if merged is not None:
                block.body.set_attribute(name, merged)
            return
        new = self.new_value(node, None, attribute.value, [])
        self.replace([], node, attribute.value, new, partial(block.body.set_attribute, name))

    def resource(self, address: str, key_node: yaml.Node, node: yaml.Node) -> None:
        self.address = address
        type_, dot, name = address.partition(".")
        if not dot or not name:
            raise self.error(key_node, f"`{address}` is not a resource address (TYPE.NAME)")
        provider_block = provider_schema.resource_block(type_)
        if provider_block is None:
            hint = provider_schema.did_you_mean(type_, provider_schema.resource_types())
            raise self.error(key_node, f"unknown resource type `{type_}`{hint}")
        schema = with_meta_arguments(provider_block)
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"`{address}` takes a mapping of its blocks and attributes")
        found = self.find_resource(address)
        delete = self.flag(node, "$delete")
        if found is None:
            if delete:
                self.info(key_node, [], "the module has no such resource (already deleted)")
                return
            addresses = [
                f"{b.labels[0]}.{b.labels[1]}"
                for d in self.documents.values()
                for b in d.resources()
            ]
            hint = provider_schema.did_you_mean(address, addresses)
            raise self.error(
                key_node,
                f"the module has no resource `{address}`{hint}; it has: {', '.join(addresses)}",
            )
        document, block = found
        if delete:
            if len(node.value) > 1:
                raise self.error(node, "`$delete: true` takes no other keys")
            document.body.remove(block)
            self.deleted[address] = key_node
            self.record([], Opaque(f"resource {address}"), None)
            return
        if type_ == "kubectl_manifest":
            manifest = block.body.attribute("yaml_body")
            if manifest is None or not isinstance(manifest.value, CallValue):
                raise self.error(key_node, f"`{address}`: yaml_body is not an object this can edit")
            self.manifest(manifest.value.argument, node, [], schema=self.crd(manifest.value))
        else:
            self.block(block.body, node, schema, [])

    def crd(self, manifest: CallValue) -> dict[str, Any] | None:
        fields = {key: manifest.argument.get(key) for key in ("apiVersion", "kind")}
        found = [e.value.value for e in fields.values() if e and isinstance(e.value, Scalar)]
        if len(found) != 2:
            return None
        return provider_schema.manifest_schema(str(found[0]), str(found[1]))

    def find_resource(self, address: str) -> tuple[Document, Block] | None:
        for document in self.documents.values():
            block = document.resource(address)
            if block is not None:
                return document, block
        return None

    def directives(self, node: yaml.MappingNode, allowed: tuple[str, ...]) -> None:
        for key, key_node, _value in entries(node):
            if key.startswith("$") and key not in allowed:
                if key in (*_ITEM_DIRECTIVES, "$var", "$expr"):
                    raise self.error(key_node, f"`{key}` is not allowed here")
                hint = provider_schema.did_you_mean(key, (*_ITEM_DIRECTIVES, "$var", "$expr"))
                raise self.error(key_node, f"unknown directive `{key}`{hint}")

    def flag(self, node: yaml.MappingNode, directive: str) -> bool:
        value = get(node, directive)
        if value is None:
            return False
        if data(value) is not True:
            raise self.error(value, f"`{directive}` takes `true`")
        return True

    # ---- provider blocks ----

    def block(
        self,
        body: Body,
        node: yaml.MappingNode,
        schema: provider_schema.Block,
        path: list[str],
        item_key: str = "",
    ) -> None:
        self.directives(node, _ITEM_DIRECTIVES if item_key else ("$delete",))
        for key, key_node, value in entries(node):
            if key.startswith("$") or key == item_key:
                continue  # directives and the key of this item, read by the caller
            if key in schema.attributes:
                self.attribute(body, key, key_node, value, schema.attributes[key], path)
            elif key in schema.blocks:
                nested = schema.blocks[key]
                dynamics = body.blocks("dynamic", key)
                if dynamics:
                    self.dynamic_blocks(dynamics, body, key, key_node, value, nested.block, path)
                    continue
                if self.is_delete(value) and nested.repeated:
                    self.delete_blocks(body, key, key_node, value, path)
                elif not nested.repeated:
                    self.single_block(body, key, key_node, value, nested.block, path)
                elif key in MERGE_KEYS:
                    self.keyed_blocks(body, key, value, nested.block, path)
                else:
                    self.replaced_blocks(body, key, value, nested.block, path)
            else:
                hint = provider_schema.did_you_mean(key, schema.names())
                where = ".".join([self.address, *path])
                raise self.error(key_node, f"`{key}` is not an attribute or block of {where}{hint}")

    def dynamic_blocks(
        self,
        dynamics: list[Block],
        body: Body,
        name: str,
        key_node: yaml.Node,
        node: yaml.Node,
        schema: provider_schema.Block,
        path: list[str],
    ) -> None:
        """A block the module writes as `dynamic "name"`: one mapping applies to its `content`
        (every block it makes); `{$delete: true}` removes it. The items come from its input."""
        here = [*path, name]
        if self.is_delete(node):
            if len(node.value) > 1:
                raise self.error(node, "`$delete: true` takes no other keys")
            for block in dynamics:
                body.remove(block)
            self.record(here, Opaque(f'dynamic "{name}" {{…}}'), None)
            return
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        key_field = MERGE_KEYS.get(name, "")
        source = dynamics[0].body.attribute("for_each")
        over = source.value.emit() if source else "its for_each"
        if (
            len(items) != 1
            or not isinstance(items[0], yaml.MappingNode)
            or (key_field and get(items[0], key_field) is not None)
            or get(items[0], "$rename") is not None
            or get(items[0], "$after") is not None
        ):
            raise self.error(
                node,
                f"`{name}` is written by a `dynamic` block over {over}: give one mapping"
                f" (without {key_field or 'a key'}), which applies to every `{name}` it makes;"
                " the items themselves come from that input",
            )
        for block in dynamics:
            content = block.body.blocks("content")
            if not content:
                raise self.error(key_node, f'`dynamic "{name}"` has no content block')
            self.block(content[0].body, items[0], schema, [*here, "content"])

    def is_delete(self, node: yaml.Node) -> TypeGuard[yaml.MappingNode]:
        return isinstance(node, yaml.MappingNode) and self.flag(node, "$delete")

    def delete_blocks(
        self, body: Body, name: str, key_node: yaml.Node, node: yaml.MappingNode, path: list[str]
    ) -> None:
        """`{$delete: true}` on a repeated block: every item of it."""
        if len(node.value) > 1:
            raise self.error(node, "`$delete: true` takes no other keys")
        existing = body.blocks(name)
        if not existing:
            self.info(key_node, [*path, name], "no such block to delete")
        for block in existing:
            body.remove(block)
        if existing:
            self.record([*path, name], Opaque(f"{len(existing)} x {name} {{…}}"), None)

    def single_block(
        self,
        body: Body,
        name: str,
        key_node: yaml.Node,
        node: yaml.Node,
        schema: provider_schema.Block,
        path: list[str],
    ) -> None:
        here = [*path, name]
        if is_null(node):
            raise self.error(node, f"`{name}` is a block: remove it with `{{$delete: true}}`")
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"`{name}` is a block: give a mapping")
        existing = body.blocks(name)
        if self.flag(node, "$delete"):
            if not existing:
                self.info(key_node, here, "no such block to delete")
            for block in existing:
                body.remove(block)
                self.record(here, Opaque(f"{name} {{…}}"), None)
            return
        if existing:
            target = existing[0]
        else:
            target = Block(name, [])
            body.add_block(target)
            self.record(here, None, Opaque(f"{name} {{…}}"))
        self.block(target.body, node, schema, here)

    def keyed_blocks(
        self, body: Body, name: str, node: yaml.Node, schema: provider_schema.Block, path: list[str]
    ) -> None:
        key_field = MERGE_KEYS[name]
        items = [node] if isinstance(node, yaml.MappingNode) else self.sequence(node, name)
        for item in items:
            if not isinstance(item, yaml.MappingNode):
                raise self.error(item, f"each `{name}` item is a mapping with its `{key_field}`")
            key_node = get(item, key_field)
            if key_node is None or is_null(key_node):
                raise self.error(item, f"each `{name}` item needs its `{key_field}`")
            key, key_expression = self.item_key(key_node, name, key_field)

            def find(wanted: str) -> Block | None:
                for block in body.blocks(name):
                    attribute = block.body.attribute(key_field)
                    if attribute and _key_forms(wanted) & self.key_values(attribute.value):
                        return block
                return None

            here = [*path, f"{name}[{key}]"]
            found = find(key)
            if self.flag(item, "$delete"):
                if len(item.value) > 2:
                    raise self.error(item, "`$delete: true` takes only the item's key")
                if found is None:
                    self.info(item, here, f"no `{name}` with {key_field} {key!r} to delete")
                else:
                    body.remove(found)
                    self.record(here, Opaque(f"{name} {{…}}"), None)
                continue
            rename = get(item, "$rename")
            renamed, renamed_expression = (
                self.item_key(rename, name, key_field) if rename is not None else ("", None)
            )
            if rename is not None and found is None:
                found = find(renamed)
                if found is None:
                    self.info(rename, here, f"no `{name}` with {key_field} {key!r} to rename")
                    continue
                self.info(rename, here, f"already renamed to {renamed!r}")
                rename, here = None, [*path, f"{name}[{renamed}]"]
            after = get(item, "$after")
            anchor: Block | None = None
            anchor_key = str(data(after)) if after is not None else ""
            if after is not None:
                anchor = find(anchor_key)
                if anchor is None:
                    self.info(after, here, f"no `{name}` {data(after)!r} to place this after")
            if found is None:
                if key_expression is None:
                    self.check_new_key(key_node, key, name, key_field, body)
                found = Block(name, [])
                found.body.set_attribute(key_field, key_expression or Scalar.of(key))
                body.add_block(found, after=anchor)
                self.record(here, None, Opaque(f"{name} {{…}}"))
            elif anchor is not None and anchor is not found:
                body.remove(found)
                body.add_block(found, after=anchor)
                self.record([*here, "$after"], None, Opaque(anchor_key))
            if rename is not None:
                self.rename(found, name, key_field, key, rename, renamed_expression, find, here)
                here = [*path, f"{name}[{renamed}]"]  # what the rest reports names
            self.block(found.body, item, schema, here, key_field)

    def item_key(self, node: yaml.Node, name: str, key_field: str) -> tuple[str, Value | None]:
        """An item's key as text, and the expression when written `{$expr: ...}`."""
        if isinstance(node, yaml.MappingNode) and get(node, "$expr") is not None:
            expression = self.expr(node)
            return expression.emit(), expression
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"each `{name}` item needs its `{key_field}`")
        return str(data(node)), None

    def check_new_key(
        self, node: yaml.Node, key: str, name: str, key_field: str, body: Body
    ) -> None:
        """Refuse a new item whose literal key reads as an expression: it meant one."""
        reference = re.fullmatch(r"(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)", key)
        names_one = reference is not None and (
            reference.group(2) in self.variables if reference.group(1) == "var" else True
        )
        if "${" not in key and not names_one:
            return
        existing = [
            attribute.value.emit()
            for block in body.blocks(name)
            if (attribute := block.body.attribute(key_field)) is not None
        ]
        raise self.error(
            node,
            f"no `{name}` has {key_field} {key!r}, and a new one would take it as literal"
            f" text; the module's are: {', '.join(existing) or '(none)'}. To add an item"
            f" keyed by an expression, write `{key_field}: {{$expr: ...}}`",
        )

    def key_values(self, value: Value) -> set[str]:
        """What an item's key matches: its value; for `var.x`, also the variable's default."""
        if isinstance(value, Scalar):
            return {str(value.value)}
        text = value.emit()
        keys = _key_forms(text)
        match = re.fullmatch(r"var\.([A-Za-z_][A-Za-z0-9_-]*)", text)
        variable = self.variables.get(match.group(1)) if match else None
        if variable is not None and isinstance(variable.default, str | int):
            keys.add(str(variable.default))
        return keys

    def rename(
        self,
        found: Block,
        name: str,
        key_field: str,
        key: str,
        rename_node: yaml.Node,
        expression: Value | None,
        find: Callable[[str], Block | None],
        here: list[str],
    ) -> None:
        """`$rename: NEW` (or `$rename: {$expr: var.x}`: the key becomes that expression)."""
        new = expression.emit() if expression is not None else data(rename_node)
        if not isinstance(new, str | int) or isinstance(new, bool):
            raise self.error(rename_node, "`$rename` takes the item's new key")
        if str(new) == key:
            self.info(rename_node, here, "already has this name")
            return
        if find(str(new)) is not None:
            raise self.error(rename_node, f"a `{name}` {str(new)!r} exists already")
        if expression is None:
            self.check_new_key(rename_node, str(new), name, key_field, Body())
        attribute = found.body.attribute(key_field)
        old = attribute.value if attribute else None
        value = expression or Scalar.of(str(new))
        found.body.set_attribute(key_field, value)
        self.record([*here, key_field], old, value)

    def replaced_blocks(
        self, body: Body, name: str, node: yaml.Node, schema: provider_schema.Block, path: list[str]
    ) -> None:
        items = self.sequence(node, name)
        existing = body.blocks(name)
        index = body.items.index(existing[0]) if existing else len(body.items)
        for block in existing:
            body.remove(block)
        new_blocks = []
        for position, item in enumerate(items):
            if not isinstance(item, yaml.MappingNode):
                raise self.error(item, f"each `{name}` item is a mapping")
            block = Block(name, [])
            body.insert(index + position, block)
            self.block(block.body, item, schema, [*path, f"{name}[{position}]"])
            new_blocks.append(block)
        old = " ".join(" ".join(b.emit().split()) for b in existing) or None
        new = " ".join(" ".join(b.emit().split()) for b in new_blocks) or None
        if old == new:
            self.info(node, [*path, name], "already as given")
            return
        self.record([*path, name], Opaque(old) if old else None, Opaque(new) if new else None)

    def sequence(self, node: yaml.Node, name: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"`{name}` is a repeated block: give a list of its items")
        return list(node.value)

    # ---- attributes ----

    def attribute(
        self,
        body: Body,
        name: str,
        key_node: yaml.Node,
        node: yaml.Node,
        schema: provider_schema.Attribute,
        path: list[str],
    ) -> None:
        here = [*path, name]
        if not schema.settable:
            raise self.error(key_node, f"`{name}` is set by the provider, not by the module")
        existing = body.attribute(name)
        if is_null(node):
            if existing is None:
                self.info(node, here, "no such attribute to remove")
            else:
                body.remove(existing)
                self.record(here, existing.value, None)
            return
        tf_type = schema.type
        old = existing.value if existing else None
        if name == "depends_on" and not path:
            self.check_depends_on(node)
        if isinstance(tf_type, list) and tf_type[0] == "map" and self.is_plain_mapping(node):
            merged = self.merge_map(old, node, tf_type[1], here)
            if merged is not None:
                body.set_attribute(name, merged)
            return
        if (
            isinstance(node, yaml.SequenceNode)
            and any(self.is_directive(item) for item in node.value)
            and isinstance(tf_type, list)
            and tf_type[0] in ("list", "set")
        ):
            new = self.tuple_of(node, here, tf_type[1])  # `[{$expr: var.x}, "literal"]`
        else:
            new = self.new_value(node, tf_type, old, here)
        self.replace(here, node, old, new, partial(body.set_attribute, name))

    def addresses(self) -> list[str]:
        """Every resource, data source and module address the module will hold."""
        found = {
            ".".join(b.labels) if b.type == "resource" else ".".join([b.type, *b.labels])
            for d in self.documents.values()
            for b in d.body.all_blocks()
            if (b.type in ("resource", "data") and len(b.labels) == 2)
            or (b.type == "module" and len(b.labels) == 1)
        }
        return sorted(found | self.other_addresses)

    def check_depends_on(self, node: yaml.Node) -> None:
        """`depends_on` names resources (or data sources, modules) the module holds."""
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        known = self.addresses()
        for item in items:
            text = data(item) if isinstance(item, yaml.ScalarNode) else None
            if isinstance(text, str) and text in known:
                continue
            hint = provider_schema.did_you_mean(str(text), known)
            raise self.error(
                item,
                f"depends_on: {text!r} is not a resource of the module{hint};"
                f" it has: {', '.join(known)}",
            )

    def replace(
        self,
        here: list[str],
        node: yaml.Node,
        old: Value | None,
        new: Value | None,
        setter: Callable[[Value], object],
    ) -> None:
        if new is None:
            return
        if old is not None and values.shown(old) == values.shown(new):
            self.info(node, here, "already has this value")
            return
        if old is not None:
            known_old, old_value = values.python_value(old)
            known_new, new_value = values.python_value(new)
            if (
                known_old
                and known_new
                and old_value == new_value
                and type(old_value) is type(new_value)
            ):
                self.info(node, here, "already has this value")
                return
        setter(new)
        self.record(here, old, new)

    def is_plain_mapping(self, node: yaml.Node) -> TypeGuard[yaml.MappingNode]:
        return isinstance(node, yaml.MappingNode) and not self.is_directive(node)

    def is_directive(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.MappingNode) and any(
            data(k) in ("$var", "$expr") for k, _ in node.value
        )

    def merge_map(
        self, old: Value | None, node: yaml.MappingNode, element: Any, here: list[str]
    ) -> Value | None:
        """Key-by-key merge into an object literal; onto an expression, `merge(expr, {...})`."""
        if old is not None and not isinstance(old, ObjectValue):
            merged = ObjectValue()
            for key, _key_node, value in entries(node):
                if is_null(value):
                    raise self.error(value, f"cannot remove `{key}` from {values.shown(old)}")
                converted = self.new_value(value, element, None, [*here, key])
                assert converted is not None
                merged.set(key, converted)
            call = Opaque(f"merge({old.emit()}, {merged.emit()})")
            self.record(here, old, call)
            return call
        target = old if isinstance(old, ObjectValue) else ObjectValue()
        for key, key_node, value in entries(node):
            entry = target.get(key)
            if is_null(value):
                if entry is None:
                    self.info(key_node, [*here, key], "no such key to remove")
                else:
                    target.remove(key)
                    self.record([*here, key], entry.value, None)
                continue
            previous = entry.value if entry else None
            new = self.new_value(value, element, previous, [*here, key])
            self.replace([*here, key], value, previous, new, partial(target.set, key))
        return target if old is None else None

    def new_value(self, node: yaml.Node, tf_type: Any, old: Value | None, here: list[str]) -> Value:
        if isinstance(node, yaml.MappingNode) and get(node, "$var") is not None:
            return self.var(node, tf_type, old, here)
        if isinstance(node, yaml.MappingNode) and get(node, "$expr") is not None:
            return self.expr(node)
        self.no_directives(node)
        try:
            value = values.checked(data(node), tf_type)
        except values.WrongType as error:
            raise self.error(node, f"{'.'.join(here)}: {error}") from None
        return values.literal(value)

    def no_directives(self, node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value in ("$expr", "$var"):
                    raise self.error(
                        key,
                        f"`{key.value}` is not allowed inside this value: write the whole value"
                        ' as one expression, e.g. `{$expr: "[var.x, \\"y\\"]"}`',
                    )
                if str(key.value).startswith("$"):
                    raise self.error(key, f"`{key.value}` is not allowed here")
                self.no_directives(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.no_directives(item)

    def expr(self, node: yaml.MappingNode) -> Value:
        if len(node.value) != 1:
            raise self.error(node, "`$expr` takes no other keys")
        text_node = get(node, "$expr")
        assert text_node is not None
        text = data(text_node)
        parsed = values.expression(text) if isinstance(text, str) else None
        if parsed is None:
            raise self.error(text_node, "`$expr` takes one Terraform expression, as text")
        return parsed

    def var(
        self, node: yaml.MappingNode, tf_type: Any, old: Value | None, here: list[str]
    ) -> Value:
        fields = {key: value for key, _k, value in entries(node)}
        unknown = set(fields) - _VAR_FIELDS
        if unknown:
            raise self.error(
                node, f"`$var` takes default, description and type, not {sorted(unknown)}"
            )
        name = data(fields["$var"])
        try:
            hcl_identifier(name if isinstance(name, str) else "")
        except ValueError:
            raise self.error(fields["$var"], f"{name!r} is not a variable name") from None
        if "default" in fields:
            try:
                default = values.checked(data(fields["default"]), tf_type)
            except values.WrongType as error:
                raise self.error(fields["default"], f"default: {error}") from None
            explicit = True
        else:
            known, default = values.python_value(old) if old is not None else (True, None)
            explicit = False
        reference = Opaque(hcl_reference(f"var.{name}"))
        existing = self.variables.get(name)
        if existing is not None:
            if explicit and existing.default is not _NOT_GIVEN and existing.default != default:
                where = f" (line {existing.line})" if existing.line else " (a generated variable)"
                raise self.error(
                    fields["default"],
                    f"variable `{name}` already has the default {existing.default!r}{where}",
                )
            return reference
        type_text = values.type_name(tf_type) if tf_type is not None else "any"
        if "type" in fields:
            type_text = str(data(fields["type"]))
            if not values.type_constraint(type_text):
                raise self.error(fields["type"], f"{type_text!r} is not a Terraform type")
        elif tf_type is None and default is not None:
            type_text = values.type_of_value(default)
        description = (
            str(data(fields["description"]))
            if "description" in fields
            else (f"{'.'.join(here)} of {self.address} (an override in the service spec).")
        )
        value: Value = reference
        if not explicit and old is not None and not known:
            # The generated value is an expression a default cannot hold: it stays the fallback.
            default = None
            value = Opaque(f"coalesce({reference.text}, {old.emit()})")
        self.variables[name] = _Variable(name, default, line_of(node), type_text, description)
        return value

    # ---- kubectl_manifest objects ----

    def manifest(
        self,
        target: ObjectValue,
        node: yaml.MappingNode,
        path: list[str],
        item_key: str = "",
        schema: dict[str, Any] | None = None,
    ) -> None:
        """Merge into a manifest object; `schema` is its CRD JSON Schema where shipped."""
        self.directives(node, _ITEM_DIRECTIVES if item_key else ("$delete",) if not path else ())
        for key, key_node, value in entries(node):
            if key.startswith("$") or key == item_key:
                continue
            here = [*path, key]
            child = self.manifest_field(schema, key, key_node, value, here)
            entry = target.get(key)
            previous = entry.value if entry else None
            if is_null(value):
                if entry is None:
                    self.info(key_node, here, "no such field to remove")
                else:
                    target.remove(key)
                    self.record(here, previous, None)
                continue
            if self.is_plain_mapping(value):
                if isinstance(previous, ObjectValue):
                    self.manifest(previous, value, here, schema=child)
                    continue
                if previous is None:
                    created = ObjectValue()
                    target.set(key, created)
                    self.record(here, None, Opaque("{…}"))
                    self.manifest(created, value, here, schema=child)
                    continue
            if (
                isinstance(value, yaml.SequenceNode)
                and key in MERGE_KEYS
                and isinstance(previous, TupleValue)
                and all(self.is_plain_mapping(item) for item in value.value)
            ):
                items_schema = child.get("items") if child else None
                self.manifest_items(previous, MERGE_KEYS[key], value, here, items_schema)
                continue
            new = (
                self.new_value(value, None, previous, here)
                if not isinstance(value, yaml.SequenceNode)
                or not any(self.is_directive(i) for i in value.value)
                else self.tuple_of(value, here)
            )
            self.replace(here, value, previous, new, partial(target.set, key))

    def tuple_of(self, node: yaml.SequenceNode, here: list[str], element: Any = None) -> Value:
        items = []
        for index, item in enumerate(node.value):
            value = self.new_value(item, element, None, [*here, str(index)])
            assert value is not None
            items.append(TupleItem(value))
        return TupleValue(items)

    def manifest_field(
        self,
        schema: dict[str, Any] | None,
        key: str,
        key_node: yaml.Node,
        value: yaml.Node,
        here: list[str],
    ) -> dict[str, Any] | None:
        """The schema of field `key`; refuses a field or a scalar type the CRD does not take."""
        if not schema or "properties" not in schema:
            return None
        properties: dict[str, Any] = schema["properties"]
        if key not in properties:
            if schema.get("additionalProperties") is False:
                hint = provider_schema.did_you_mean(key, properties)
                where = ".".join([self.address, *here[:-1]])
                raise self.error(key_node, f"`{key}` is not a field of {where}{hint}")
            return None
        child: dict[str, Any] = properties[key]
        expected = child.get("type")
        scalar_types = ("string", "integer", "number", "boolean")
        collection = isinstance(value, yaml.SequenceNode | yaml.MappingNode)
        if expected in scalar_types and collection and not self.is_directive(value):
            raise self.error(value, f"{'.'.join(here)}: expected {expected}, got a collection")
        if isinstance(value, yaml.ScalarNode) and not is_null(value):
            python = data(value)
            wrong = (
                (expected == "string" and not isinstance(python, str | int | float))
                or (
                    expected == "integer"
                    and (isinstance(python, bool) or not isinstance(python, int))
                )
                or (expected == "boolean" and not isinstance(python, bool))
                or expected in ("object", "array")
            )
            if wrong:
                raise self.error(value, f"{'.'.join(here)}: expected {expected}, got {python!r}")
        return child

    def manifest_items(
        self,
        target: TupleValue,
        key_field: str,
        node: yaml.SequenceNode,
        path: list[str],
        schema: dict[str, Any] | None = None,
    ) -> None:
        def find(wanted: str) -> TupleItem | None:
            for item in target.items:
                if isinstance(item.value, ObjectValue):
                    entry = item.value.get(key_field)
                    if (
                        entry
                        and isinstance(entry.value, Scalar)
                        and str(entry.value.value) == wanted
                    ):
                        return item
            return None

        for item in node.value:
            assert isinstance(item, yaml.MappingNode)
            key_node = get(item, key_field)
            if key_node is None or not isinstance(key_node, yaml.ScalarNode) or is_null(key_node):
                raise self.error(item, f"each item needs its `{key_field}`")
            key = str(data(key_node))
            here = [*path[:-1], f"{path[-1]}[{key}]"]
            found = find(key)
            if self.flag(item, "$delete"):
                if found is None:
                    self.info(item, here, f"no item with {key_field} {key!r} to delete")
                else:
                    target.items.remove(found)
                    self.record(here, found.value, None)
                continue
            rename = get(item, "$rename")
            if rename is not None and found is None:
                renamed = str(data(rename))
                found = find(renamed)
                if found is None:
                    self.info(rename, here, f"no item with {key_field} {key!r} to rename")
                    continue
                self.info(rename, here, f"already renamed to {renamed!r}")
                rename, here = None, [*path[:-1], f"{path[-1]}[{renamed}]"]
            after = get(item, "$after")
            anchor = find(str(data(after))) if after is not None else None
            if after is not None and anchor is None:
                self.info(after, here, f"no item {data(after)!r} to place this after")
            if found is None:
                found = TupleItem(
                    ObjectValue([Entry(key_field, Scalar.of(key), f"{key_field} = ")])
                )
                index = target.items.index(anchor) + 1 if anchor else len(target.items)
                target.insert(index, found.value)
                found = target.items[index]
                self.record(here, None, Opaque("{…}"))
            elif anchor is not None and anchor is not found:
                target.items.remove(found)
                target.insert(target.items.index(anchor) + 1, found.value)
                found = target.items[target.items.index(anchor) + 1]
            assert isinstance(found.value, ObjectValue)
            if rename is not None:
                new = str(data(rename))
                if find(new) is not None and new != key:
                    raise self.error(rename, f"an item {new!r} exists already")
                old = found.value.get(key_field)
                found.value.set(key_field, Scalar.of(new))
                self.record([*here, key_field], old.value if old else None, Scalar.of(new))
                here = [*path[:-1], f"{path[-1]}[{new}]"]
            self.manifest(found.value, item, here, key_field, schema)

    # ---- variables ----

    def variable_default(self, name: str, key_node: yaml.Node, node: yaml.Node) -> None:
        """`variable.NAME`: change a variable's default or description, rename it, or declare it."""
        self.address = f"variable.{name}"
        document = self.documents.get("variables.tf")
        blocks = document.body.blocks("variable", name) if document else []
        pending = self.variables.get(name)
        given = {k for k, _n, _v in entries(node)} if isinstance(node, yaml.MappingNode) else None
        if given is None or given - _VARIABLE_FIELDS:
            raise self.error(
                node, f"`variable.{name}` takes `default`, `description`, `type` or `$rename`"
            )
        assert isinstance(node, yaml.MappingNode)
        if not blocks and (pending is None or pending.generated):
            self.declare(name, key_node, node)
            return
        rename = get(node, "$rename")
        type_node = get(node, "type")
        if type_node is not None:
            raise self.error(type_node, f"`variable.{name}` exists: its type stays as generated")
        for key, _key_node, value in entries(node):
            if key == "$rename":
                continue
            self.no_directives(value)
            new = data(value)
            if pending is not None and not pending.generated:
                setattr(pending, key, new)
                continue
            attribute = blocks[0].body.attribute(key)
            old = attribute.value if attribute else None
            self.replace(
                [key],
                value,
                old,
                values.literal(new),
                partial(blocks[0].body.set_attribute, key),
            )
        if rename is not None:
            if not blocks:
                raise self.error(rename, "`$rename` renames a variable the generator writes")
            self.rename_variable(blocks[0], name, rename)

    def declare(self, name: str, key_node: yaml.Node, node: yaml.MappingNode) -> None:
        """A variable the generator does not write, for `$expr` and the additions to read."""
        if get(node, "$rename") is not None:
            hint = provider_schema.did_you_mean(name, self.variables)
            raise self.error(key_node, f"the module has no variable `{name}` to rename{hint}")
        try:
            hcl_identifier(name)
        except ValueError:
            raise self.error(key_node, f"{name!r} is not a variable name") from None
        fields = {key: value for key, _k, value in entries(node)}
        for value in fields.values():
            self.no_directives(value)
        type_text = "any"
        if "type" in fields:
            type_text = str(data(fields["type"]))
            if not values.type_constraint(type_text):
                raise self.error(fields["type"], f"{type_text!r} is not a Terraform type")
        default = data(fields["default"]) if "default" in fields else None
        if "type" not in fields and default is not None:
            type_text = values.type_of_value(default)
        description = (
            str(data(fields["description"]))
            if "description" in fields
            else "An input declared by the service spec's overrides."
        )
        self.variables[name] = _Variable(
            name,
            default,
            line_of(key_node),
            type_text,
            description,
            required="default" not in fields,
        )

    def rename_variable(self, block: Block, name: str, rename: yaml.Node) -> None:
        new = data(rename)
        try:
            hcl_identifier(new if isinstance(new, str) else "")
        except ValueError:
            raise self.error(rename, f"`$rename` takes a variable name, not {new!r}") from None
        assert isinstance(new, str)
        if new == name:
            self.info(rename, [], "already has this name")
            return
        if new in self.variables:
            raise self.error(rename, f"the module has a variable `{new}` already")
        block.labels[0] = new
        block.head = Block("variable", [new]).head
        self.variables[new] = self.variables.pop(name)
        self.variables[new].name = new
        self.renamed[name] = new
        self.record([], Opaque(f"var.{name}"), Opaque(f"var.{new}"))

    def write_variables(self) -> None:
        added = [v for v in self.variables.values() if not v.generated]
        if not added:
            return
        document = self.documents.setdefault("variables.tf", parse_document(""))
        for variable in added:
            block = Block("variable", [variable.name])
            block.body.set_attribute("description", values.literal(variable.description))
            block.body.set_attribute("type", Opaque(variable.type))
            if not variable.required:
                block.body.set_attribute("default", values.literal(variable.default))
            block.lead = "\n\n" if document.body.items else ""
            document.body.items.append(block)
            if "\n" not in document.body.tail:
                document.body.tail = "\n"
            self.address = f"variable.{variable.name}"
            shown = (
                "(required)" if variable.required else f"default = {hcl_value(variable.default)}"
            )
            self.record([], None, Opaque(shown))


_DECLARED = re.compile(r'^\s*(resource|data)\s+"([^"]+)"\s+"([^"]+)"|^\s*module\s+"([^"]+)"', re.M)


def declared_addresses(texts: list[str]) -> frozenset[str]:
    """The addresses `resource`, `data` and `module` blocks of `texts` declare."""
    found = set()
    for text in texts:
        for match in _DECLARED.finditer(text):
            kind, type_, name, module = match.groups()
            if module:
                found.add(f"module.{module}")
            else:
                found.add(f"{type_}.{name}" if kind == "resource" else f"data.{type_}.{name}")
    return frozenset(found)


def apply_overrides(
    files: dict[str, str], source: OverrideSource, additions: list[str] | None = None
) -> Applied:
    """`files` with the overrides applied (main.tf, secrets.tf, variables.tf, outputs.tf).

    `additions`: the texts of the module's addition files, whose resources `depends_on`
    may name.
    """
    documents = {name: parse_document(files[name]) for name in DOCUMENT_FILES if name in files}
    engine = _Engine(source, documents, declared_addresses(additions or []))
    engine.run()
    out = dict(files)
    for name, document in documents.items():
        text = renamed_references(document.emit(), engine.renamed)
        if text != files.get(name):
            out[name] = format_hcl(text)
    inputs = None
    if out.get("variables.tf") != files.get("variables.tf"):
        inputs = module_inputs(documents["variables.tf"])
    return Applied(out, engine.applied, engine.diagnostics, inputs, frozenset(engine.deleted))


def _key_forms(text: str) -> set[str]:
    """A key and the expression it interpolates: `${var.x}` and `"${var.x}"` are `var.x`."""
    forms = {text}
    match = re.fullmatch(r'"?\$\{\s*([^{}"]+?)\s*\}"?', text)
    if match:
        forms.add(match.group(1))
    return forms


def renamed_references(text: str, renamed: dict[str, str]) -> str:
    """`var.OLD` → `var.NEW` for each renamed variable (not in an escaped `$${...}`)."""
    for old, new in renamed.items():
        text = re.sub(rf"(?<![\w.])(?<!\$\$\{{)var\.{re.escape(old)}(?![\w-])", f"var.{new}", text)
    return text


def _referenced(name: str, texts: list[str]) -> bool:
    pattern = re.compile(rf"(?<![\w.])var\.{re.escape(name)}(?![\w-])")
    return any(pattern.search(text) for text in texts)


def _other_texts(files: dict[str, str], variables: Document, name: str) -> list[str]:
    """Every .tf text but `variable "name"` itself (a validation reads its own variable)."""
    texts = [
        text for file, text in files.items() if file.endswith(".tf") and file != "variables.tf"
    ]
    texts += [b.emit() for b in variables.body.blocks("variable") if b.labels != [name]]
    return texts


def drop_orphaned_variables(
    before: dict[str, str], applied: Applied, additions: list[str], source: OverrideSource
) -> None:
    """Remove generated variables the overrides left unreferenced (by any .tf of the module).

    `additions`: the texts of the addition files the module will hold; a variable one of
    them (or an override's `$expr`) reads is kept.
    """
    if "variables.tf" not in applied.files or "variables.tf" not in before:
        return
    old = parse_document(before["variables.tf"])
    new = parse_document(applied.files["variables.tf"])
    dropped = False
    for block in list(new.body.blocks("variable")):
        name = block.labels[0] if block.labels else ""
        if not old.body.blocks("variable", name):
            # Declared by the overrides: `variable.NAME` that nothing reads is likely a typo.
            if not _referenced(name, _other_texts(applied.files, new, name) + additions):
                known = [b.labels[0] for b in old.body.blocks("variable") if b.labels]
                hint = provider_schema.did_you_mean(name, known)
                applied.diagnostics.append(
                    _variable_finding(
                        Severity.WARNING,
                        "override-not-applied",
                        f"variable {name!r} is declared but nothing reads it{hint}",
                        source,
                        name,
                    )
                )
            continue
        if not _referenced(name, _other_texts(before, old, name)):
            continue  # unreferenced before the overrides too: not theirs to remove
        if _referenced(name, _other_texts(applied.files, new, name) + additions):
            continue
        new.body.remove(block)
        dropped = True
        applied.diagnostics.append(
            _variable_finding(
                Severity.INFO,
                "override-cascade",
                f"variable {name!r} removed: nothing reads it after the overrides",
                source,
                name,
            )
        )
    if dropped:
        applied.files["variables.tf"] = format_hcl(new.emit())
        applied.inputs = module_inputs(new)


def _variable_finding(
    severity: Severity, code: str, message: str, source: OverrideSource, name: str
) -> Diagnostic:
    return Diagnostic(
        severity=severity,
        code=code,
        message=message,
        file=source.file,
        line=None,
        path=f"variable.{name}",
    )


def _value_of(attribute: Attribute | None) -> Value | None:
    return attribute.value if attribute is not None else None


def module_inputs(variables: Document) -> list[ModuleInput]:
    """The module's inputs as variables.tf declares them (for the README)."""
    inputs = []
    for block in variables.body.blocks("variable"):
        type_, description, default = (
            _value_of(block.body.attribute(name)) for name in ("type", "description", "default")
        )
        described = values.python_value(description) if description else (False, None)
        known, value = values.python_value(default) if default else (False, None)
        inputs.append(
            ModuleInput(
                block.labels[0],
                type_.emit() if type_ else "any",
                str(described[1]) if described[0] else "",
                value if known else None,
                required=default is None,
            )
        )
    return inputs


def module_interface(files: dict[str, str]) -> tuple[list[ModuleInput], list[tuple[str, str]]]:
    """The inputs and outputs (name, description) every `.tf` file of a module declares."""
    inputs: list[ModuleInput] = []
    outputs: list[tuple[str, str]] = []
    for name in sorted(files, key=lambda n: (n != "variables.tf", n != "outputs.tf", n)):
        if not name.endswith(".tf"):
            continue
        document = parse_document(files[name])
        inputs.extend(module_inputs(document))
        for block in document.body.blocks("output"):
            description = _value_of(block.body.attribute("description"))
            known, text = values.python_value(description) if description else (False, None)
            outputs.append((block.labels[0], str(text) if known else ""))
    return inputs, outputs
