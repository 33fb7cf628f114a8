"""The pure-Python schema check of `kubernetes_*` and `kubectl_*` resource bodies.

Runs anywhere python-hcl2 runs (no Terraform core needed) and points at the
line: unknown arguments and blocks (with a did-you-mean, or where the name
belongs when it is valid at another depth), an attribute written as a block
and the reverse, missing required arguments and blocks, `min_items` /
`max_items`, literal values of the wrong type, computed-only attributes set.

Each resource is checked against every version set; a finding that only some
sets produce names them: `(with 2.35.1)`.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from generator.diagnostics import Severity
from generator.hcl import Block
from tools.validation.cty_values import type_errors
from tools.validation.locate import VersionSet
from tools.validation.module_files import ModuleSource, Resource
from tools.validation.provider_schema import BlockSchema, ProviderSchema
from tools.validation.report import Check, Finding

PROVIDER_PREFIXES = {"kubernetes": "hashicorp/kubernetes", "kubectl": "alekc/kubectl"}
META_ATTRIBUTES = frozenset({"count", "for_each", "provider", "depends_on"})
META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection"})


@dataclass(frozen=True)
class _Problem:
    file: str
    line: int
    message: str
    severity: Severity = Severity.ERROR


def checked_resources(module: ModuleSource) -> list[Resource]:
    return [r for r in module.resources() if r.type.split("_", 1)[0] in PROVIDER_PREFIXES]


def check_module(module: ModuleSource, version_sets: tuple[VersionSet, ...]) -> list[Finding]:
    findings: list[Finding] = []
    labels = [version_set.label for version_set in version_sets]
    for resource in checked_resources(module):
        seen: dict[_Problem, list[str]] = defaultdict(list)
        for version_set in version_sets:
            for problem in _check_resource(resource, version_set):
                if version_set.label not in seen[problem]:
                    seen[problem].append(version_set.label)
        for problem, found_in in seen.items():
            suffix = "" if found_in == labels else f" (with {', '.join(found_in)})"
            findings.append(
                Finding(
                    problem.file,
                    problem.line,
                    Check.SCHEMA,
                    problem.message + suffix,
                    problem.severity,
                )
            )
    return findings


def _check_resource(resource: Resource, version_set: VersionSet) -> Iterator[_Problem]:
    prefix = resource.type.split("_", 1)[0]
    provider = _provider(version_set, PROVIDER_PREFIXES[prefix])
    block = resource.block
    if provider is None:
        yield _Problem(block.file, block.line, f"{resource.address}: no schema for {prefix}")
        return
    lookup = provider.resource if resource.kind == "resource" else provider.data_source
    schema = lookup(resource.type)
    if schema is None:
        known = provider.resource_types() if resource.kind == "resource" else []
        known = known or provider.data_source_types()
        what = "resource type" if resource.kind == "resource" else "data source"
        hint = _did_you_mean(resource.type, known)
        yield _Problem(
            block.file, block.line, f'{resource.address}: unknown {what} "{resource.type}"{hint}'
        )
        return
    yield from _BodyWalker(resource.address, schema).walk(block, schema, (), top=True)


def _provider(version_set: VersionSet, short_source: str) -> ProviderSchema | None:
    for document in version_set.documents:
        provider = document.provider(short_source)
        if provider is not None:
            return provider
    return None


class _BodyWalker:
    def __init__(self, address: str, root: BlockSchema) -> None:
        self.address = address
        self.root = root
        self._index: dict[str, list[tuple[str, ...]]] | None = None

    def walk(
        self, body: Block, schema: BlockSchema, path: tuple[str, ...], *, top: bool = False
    ) -> Iterator[_Problem]:
        yield from self._attributes(body, schema, path, top)
        yield from self._blocks(body, schema, path, top)

    def _problem(
        self,
        body: Block,
        line: int,
        path: tuple[str, ...],
        message: str,
        severity: Severity = Severity.ERROR,
    ) -> _Problem:
        where = f"{self.address}: {'.'.join(path)}" if path else self.address
        return _Problem(body.file, line, f"{where}: {message}", severity)

    def _attributes(
        self, body: Block, schema: BlockSchema, path: tuple[str, ...], top: bool
    ) -> Iterator[_Problem]:
        for name, attribute in body.attributes.items():
            here = (*path, name)
            if top and name in META_ATTRIBUTES:
                continue
            spec = schema.attributes.get(name)
            if spec is None:
                if name in schema.blocks:
                    message = f'"{name}" is a block, not an argument: write `{name} {{ ... }}`'
                else:
                    message = f'unknown argument "{name}"{self._hint(name, schema, path)}'
                yield self._problem(body, attribute.line, here, message)
                continue
            if spec.computed_only:
                yield self._problem(
                    body,
                    attribute.line,
                    here,
                    f'"{name}" is computed by the provider: cannot be set',
                )
            if spec.deprecated:
                yield self._problem(
                    body, attribute.line, here, f'"{name}" is deprecated', Severity.WARNING
                )
            for error in type_errors(attribute.value, spec.type):
                yield self._problem(body, attribute.line, here, f"wrong type: {error}")
        for name, spec in sorted(schema.attributes.items()):
            if spec.required and name not in body.attributes:
                yield self._problem(body, body.line, path, f'missing required argument "{name}"')

    def _blocks(
        self, body: Block, schema: BlockSchema, path: tuple[str, ...], top: bool
    ) -> Iterator[_Problem]:
        static: dict[str, list[Block]] = defaultdict(list)
        dynamic: set[str] = set()
        for child in body.blocks:
            if top and child.kind in META_BLOCKS:
                continue
            if child.kind == "dynamic" and child.labels:
                name, content = child.labels[0], child.child("content")
                dynamic.add(name)
                if content is None:
                    yield self._problem(
                        body, child.line, (*path, name), 'dynamic block has no "content" block'
                    )
                    continue
                target = content
            else:
                name, target = child.kind, child
                static[name].append(child)
            here = (*path, name)
            nested = schema.blocks.get(name)
            if nested is None:
                if name in schema.attributes:
                    message = f'"{name}" is an argument, not a block: write `{name} = ...`'
                else:
                    message = f'unknown block "{name}"{self._hint(name, schema, path)}'
                yield self._problem(body, child.line, here, message)
                continue
            if nested.block.deprecated:
                yield self._problem(
                    body, child.line, here, f'"{name}" is deprecated', Severity.WARNING
                )
            yield from self.walk(target, nested.block, here)
        for name, nested in sorted(schema.blocks.items()):
            if name in dynamic:
                continue
            found = static.get(name, [])
            if len(found) < nested.min_items:
                need = (
                    f'missing required block "{name}"'
                    if not found
                    else f'at least {nested.min_items} "{name}" blocks required, found {len(found)}'
                )
                yield self._problem(body, body.line, path, need)
            limit = nested.effective_max
            if limit and len(found) > limit:
                yield self._problem(
                    body,
                    found[limit].line,
                    (*path, name),
                    f'at most {limit} "{name}" block{"s" if limit > 1 else ""} allowed, '
                    f"found {len(found)}",
                )

    def _hint(self, name: str, schema: BlockSchema, path: tuple[str, ...]) -> str:
        close = _did_you_mean(name, schema.names())
        if close:
            return close
        homes = [p for p in self._homes().get(name, []) if p != path]
        if not homes:
            return ""
        shown = " or ".join(".".join(p) if p else "the resource body" for p in homes[:2])
        return f" (it belongs in {shown})"

    def _homes(self) -> dict[str, list[tuple[str, ...]]]:
        if self._index is None:
            index: dict[str, list[tuple[str, ...]]] = defaultdict(list)
            _index_names(self.root, (), index, depth=0)
            for places in index.values():
                places.sort(key=lambda p: (len(p), p))
            self._index = index
        return self._index


def _index_names(
    schema: BlockSchema, path: tuple[str, ...], index: dict[str, list[tuple[str, ...]]], depth: int
) -> None:
    if depth > 12:
        return
    for name, attribute in schema.attributes.items():
        if not attribute.computed_only:
            index[name].append(path)
    for name, nested in schema.blocks.items():
        index[name].append(path)
        _index_names(nested.block, (*path, name), index, depth + 1)


def _did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f' (did you mean "{close[0]}"?)' if close else ""
