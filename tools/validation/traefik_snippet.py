"""The router snippet (`traefik-routers.yml`) as Traefik's file provider will load it.

Loaded with a PyYAML loader that refuses duplicate mapping keys (Traefik's
decoder does not accept them, and a file that does not decode loses every
router in it), then validated against the Traefik v3 file-provider JSON
Schema from `../shared/schemas/traefik/` when that is present.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SNIPPET_NAMES = ("traefik-routers.yml",)
SCHEMA_FILE = Path("traefik") / "traefik-v3-file-provider.json"
_MAX_MESSAGE = 200


@dataclass
class SnippetProblem:
    rule: str
    line: int | None
    message: str


@dataclass
class _Document:
    value: Any = None
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)  # path -> 1-based line


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(f'duplicate key "{key}" (first on line {first})')
        self.line = line


def _construct(node: yaml.Node, path: tuple[Any, ...], document: _Document, loader: Any) -> Any:
    document.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in first:
                raise _DuplicateKey(key, line, first[key])
            first[key] = line
            result[key] = _construct(value_node, (*path, key), document, loader)
            document.lines[(*path, key)] = line
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, index), document, loader)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def load_snippet(text: str) -> tuple[_Document | None, SnippetProblem | None]:
    """The document with the line of every path, or why it does not load."""
    loader = yaml.SafeLoader(text)
    try:
        nodes: list[yaml.Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:  # check_node() said a document follows
                nodes.append(node)
        if len(nodes) > 1:
            line = nodes[1].start_mark.line + 1
            return None, SnippetProblem("traefik-yaml", line, "more than one YAML document")
        document = _Document()
        if nodes:
            document.value = _construct(nodes[0], (), document, loader)
        return document, None
    except _DuplicateKey as error:
        return None, SnippetProblem("traefik-yaml", error.line, str(error))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or str(error)
        return None, SnippetProblem("traefik-yaml", line, f"not valid YAML: {reason}")
    except yaml.YAMLError as error:
        return None, SnippetProblem("traefik-yaml", None, f"not valid YAML: {error}")
    finally:
        loader.dispose()


def check_snippet(text: str, schema_path: Path | None) -> list[SnippetProblem]:
    document, problem = load_snippet(text)
    if problem is not None:
        return [problem]
    assert document is not None
    if document.value is None:
        return []
    if not isinstance(document.value, dict):
        return [SnippetProblem("traefik-yaml", 1, "the snippet is not a mapping")]
    if schema_path is None:
        return []
    return list(_schema_problems(document, schema_path))


def _schema_problems(document: _Document, schema_path: Path) -> list[SnippetProblem]:
    problems = []
    validator = _validator(schema_path)
    for top in sorted(validator.iter_errors(document.value), key=lambda e: list(e.path)):
        for error, message in _leaves(top):
            path = tuple(error.absolute_path)
            shown = ".".join(str(part) for part in path) or "(top)"
            line = _line(document, path)
            if isinstance(error.instance, dict) and message.startswith("unknown key"):
                first = next((k for k in error.instance if f'"{k}"' in message), None)
                line = document.lines.get((*path, first), line)
            if len(message) > _MAX_MESSAGE:
                message = message[: _MAX_MESSAGE - 3] + "..."
            problems.append(SnippetProblem("traefik-schema", line, f"{shown}: {message}"))
    return problems


def _leaves(error: Any) -> list[tuple[Any, str]]:
    """The errors to show: inside a oneOf of one-key objects (a middleware, a service), those
    of the branch named by the instance's keys; an unknown key when no branch has them."""
    branches = error.schema.get(error.validator) if error.validator in ("oneOf", "anyOf") else None
    if isinstance(branches, list) and isinstance(error.instance, dict) and error.instance:
        keys = set(error.instance)
        for index, branch in enumerate(branches):
            if isinstance(branch, dict) and keys <= set(branch.get("properties", {})):
                inner = [e for e in error.context if e.relative_schema_path[0] == index]
                if inner:
                    return [leaf for e in inner for leaf in _leaves(e)]
        unknown = _unknown_keys(error.instance, _branch_properties(error.schema))
        if unknown is not None:
            return [(error, unknown)]
    if error.context:
        from jsonschema.exceptions import best_match  # jsonschema: a dev dependency

        chosen = best_match(error.context)
        if chosen is not None:
            return _leaves(chosen)
    return [(error, _message(error))]


def _branch_properties(schema: Any) -> list[str] | None:
    """The keys a oneOf/anyOf of closed objects allows (a middleware: one key per kind)."""
    branches = (schema.get("oneOf") or schema.get("anyOf")) if isinstance(schema, dict) else None
    if not branches or not all(isinstance(b, dict) for b in branches):
        return None
    return [name for branch in branches for name in branch.get("properties", {})]


def _message(error: Any) -> str:
    if error.validator == "additionalProperties":
        found = _unknown_keys(error.instance, list(error.schema.get("properties", {})))
        if found:
            return found
    return str(error.message)


def _unknown_keys(instance: Any, known: list[str] | None) -> str | None:
    """ "unknown key ..." with the canonical name it differs from, or None."""
    if not isinstance(instance, dict) or known is None:
        return None
    hints = []
    for key in instance:
        if key in known:
            continue
        same = [name for name in known if name.lower() == str(key).lower()]
        hint = same or difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
        hints.append(f'"{key}"' + (f' (did you mean "{hint[0]}"?)' if hint else ""))
    return f"unknown key {', '.join(hints)}" if hints else None


def _line(document: _Document, path: tuple[Any, ...]) -> int | None:
    for end in range(len(path), -1, -1):
        line = document.lines.get(path[:end])
        if line is not None:
            return line
    return None


@lru_cache(maxsize=4)
def _validator(schema_path: Path) -> Any:
    from jsonschema import validators

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    return validators.validator_for(schema)(schema)
