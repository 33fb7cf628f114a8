"""Every `kubectl_manifest` body against the JSON Schema of its custom resource.

The schema is picked by apiVersion group + kind + version from the CRD
directory (`<group>_<kind lower-case>_<version>.json`); an apiVersion/kind
without a schema is an error when the directory has schemas of its API group (a
misspelt kind or version), else an `info` saying the manifest was not checked
(e.g. a VerticalPodAutoscaler a house-wide addition puts beside every workload).
Schemas are strict (unknown fields rejected).
Findings at a placeholder (a value only known at plan time) are dropped: the
check judges what the module states literally.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from generator.diagnostics import Severity
from tools.validation.manifest_body import is_placeholder, read_yaml_body
from tools.validation.module_files import ModuleSource, Resource
from tools.validation.report import Check, Finding

MANIFEST_TYPES = ("kubectl_manifest",)
_MAX_MESSAGE = 160


def manifest_resources(module: ModuleSource) -> list[Resource]:
    return [r for r in module.resources() if r.kind == "resource" and r.type in MANIFEST_TYPES]


def check_module(module: ModuleSource, crd_dir: Path) -> list[Finding]:
    findings: list[Finding] = []
    for resource in manifest_resources(module):
        attribute = resource.block.attributes.get("yaml_body")
        if attribute is None:
            continue  # the schema check reports the missing argument
        file = resource.block.file
        body = read_yaml_body(attribute.value, file)
        if body.document is None:
            findings.append(
                Finding(
                    file,
                    attribute.line,
                    Check.CRD,
                    f"{resource.address}: not checked: {body.reason}",
                    Severity.WARNING,
                )
            )
            continue
        locator = _Locator(module.text_of(file), attribute.line)
        unknown_group = _unknown_group(body.document, crd_dir)
        if unknown_group is not None:
            message = f"{resource.address}: not checked: {unknown_group}"
            findings.append(Finding(file, attribute.line, Check.CRD, message, Severity.INFO))
            continue
        for path, message in _check_document(body.document, crd_dir):
            shown = _dotted(path)
            where = f"{resource.address}: {shown}: " if shown else f"{resource.address}: "
            findings.append(Finding(file, locator.line(path), Check.CRD, where + message))
    return findings


def _unknown_group(document: Any, crd_dir: Path) -> str | None:
    """Why a manifest of an API group with no schema in `crd_dir` cannot be checked."""
    if not isinstance(document, dict):
        return None
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    if is_placeholder(api_version) or is_placeholder(kind) or "/" not in api_version:
        return None  # not literal, or the core group: `_check_document` says why
    group = api_version.rpartition("/")[0]
    groups = sorted({p.stem.split("_", 1)[0] for p in crd_dir.glob("*.json")})
    if group in groups:
        return None
    return (
        f'no CRD schema of API group "{group}" (apiVersion "{api_version}" kind "{kind}";'
        f" schemas of: {', '.join(groups)})"
    )


def _check_document(document: Any, crd_dir: Path) -> Iterator[tuple[list[Any], str]]:
    if not isinstance(document, dict):
        yield [], "the manifest is not an object"
        return
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        yield [], "apiVersion and kind must be literal strings"
        return
    if is_placeholder(api_version) or is_placeholder(kind):
        yield [], "apiVersion and kind must be literal strings, not expressions"
        return
    group, _, version = api_version.rpartition("/")
    schema_file = crd_dir / f"{group}_{kind.lower()}_{version}.json"
    if not schema_file.is_file():
        known = sorted(p.stem for p in crd_dir.glob("*.json"))
        yield [], (
            f'no CRD schema for apiVersion "{api_version}" kind "{kind}" '
            f"(looked for {schema_file.name}; known: {', '.join(known)})"
        )
        return
    validator = _validator(schema_file)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        yield from _describe(error)


@lru_cache(maxsize=32)
def _validator(schema_file: Path) -> Draft7Validator:
    return Draft7Validator(json.loads(schema_file.read_text(encoding="utf-8")))


def _describe(error: ValidationError) -> Iterator[tuple[list[Any], str]]:
    if error.context:
        chosen = best_match(error.context)
        if chosen is not None:
            yield from _describe(chosen)
            return
    path = list(error.absolute_path)
    schema = error.schema  # the schema holding the failed keyword: a mapping
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        assert isinstance(schema, Mapping)
        known = list(schema.get("properties", {}))
        for name in error.instance:
            if name not in known and not _pattern_match(name, schema):
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                yield [*path, name], f'unknown field "{name}"{hint}'
        return
    if error.validator == "required":
        yield path, f"missing required field: {error.message}"
        return
    if is_placeholder(error.instance) or _holds_only_placeholder(error.instance):
        return
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    yield path, message


def _pattern_match(name: str, schema: Mapping[str, Any]) -> bool:
    return any(re.search(pattern, name) for pattern in schema.get("patternProperties", {}))


def _holds_only_placeholder(instance: Any) -> bool:
    return isinstance(instance, list) and len(instance) == 1 and is_placeholder(instance[0])


def _dotted(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Locator:
    """Best-effort line of a manifest path: its keys searched in order after `yaml_body`."""

    def __init__(self, text: str | None, start: int) -> None:
        self._lines = text.splitlines() if text else []
        self._start = start

    def line(self, path: list[Any]) -> int:
        line = self._start
        for key in path:
            if isinstance(key, int):
                continue
            pattern = re.compile(rf'^\s*(?:"{re.escape(key)}"|{re.escape(key)})\s*[=:]')
            for number in range(line, min(len(self._lines), line + 400)):
                text = self._lines[number - 1] if number >= 1 else ""
                if number > self._start and re.match(r"^(resource|data|module) ", text):
                    return line
                if pattern.match(text):
                    line = number
                    break
            else:
                return line
        return line
