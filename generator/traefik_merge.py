"""`traefik-merge`: put modules' routers into the external Traefik's dynamic configuration.

The file is read and written as a round trip (ruamel.yaml): comments, anchors,
quoting, order and every entry that is not ours stay as they were. An entry is
ours when its key carries the marker comment `# nomad-k8s-gen: <module>`; only
such entries are replaced or removed, and an entry of the same name without it
is a refusal. A second run with the same modules changes nothing.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import click

from generator.atomic_file import write_text_atomically

SNIPPET = "traefik-routers.yml"
MARKER = "nomad-k8s-gen:"
SECTIONS = ("routers", "middlewares")
EXIT_OK, EXIT_DIFFERS, EXIT_INPUT = 0, 1, 2
_MAX_BYTES = 16 * 1024 * 1024
_BLOCK_KEY = re.compile(r"^(?P<indent> *)(?![-#])[^\s:][^:]*:\s*(?:#.*)?$")


class MergeError(Exception):
    """A refusal: printed as one line, exit 2, nothing written."""


@dataclass
class MergeResult:
    text: str
    changed: list[str] = field(default_factory=list)  # "added router k8s-x", ...
    warnings: list[str] = field(default_factory=list)


def _yaml(mapping_indent: int = 2, sequence_offset: int = 2) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round trip; refuses duplicate keys
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping_indent, sequence=sequence_offset + 2, offset=sequence_offset)
    return yaml


def detect_indentation(text: str) -> tuple[int, int]:
    """(mapping indent, offset of `-` under its key) as the file writes them; 2, 2 if unknown."""
    mapping: int | None = None
    offset: int | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _BLOCK_KEY.match(line)
        if match is None:
            continue
        nxt = next(
            (n for n in lines[index + 1 :] if n.strip() and not n.lstrip().startswith("#")), None
        )
        if nxt is None:
            break
        parent = len(match.group("indent"))
        child = len(nxt) - len(nxt.lstrip(" "))
        if nxt.lstrip().startswith("- "):
            if offset is None and child >= parent:
                offset = child - parent
        elif mapping is None and child > parent:
            mapping = child - parent
        if mapping is not None and offset is not None:
            break
    return mapping or 2, offset if offset is not None else 2


def _load(yaml: Any, text: str, where: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = error.problem or error.context or "invalid YAML"
        raise MergeError(f"{where}{line}: invalid-yaml: {problem}") from None
    except YAMLError as error:
        raise MergeError(f"{where}: invalid-yaml: {error}") from None


def read_text(path: Path) -> str:
    try:
        if not path.is_file():
            raise MergeError(f"{path}: unreadable: not a regular file")
        if path.stat().st_size > _MAX_BYTES:
            raise MergeError(f"{path}: unreadable: larger than {_MAX_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise MergeError(f"{path}: unreadable: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise MergeError(f"{path}: unreadable: {error.strerror or error}") from None


def owner(section: Any, key: str) -> str | None:
    """The module named by the marker comment on `key`, or None when it has none."""
    comments: list[Any] = []
    item = section.ca.items.get(key)
    if item:
        comments.extend(c for c in item if c is not None and hasattr(c, "value"))
    value = section.get(key)
    value_ca = getattr(value, "ca", None)
    if value_ca is not None and value_ca.comment:
        first = value_ca.comment[0]
        comments.extend(first if isinstance(first, list) else [first])
    for comment in comments:
        text = str(getattr(comment, "value", "")).strip().lstrip("#").strip()
        if text.startswith(MARKER):
            return text[len(MARKER) :].strip()
    return None


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


@dataclass(frozen=True)
class ModuleSnippet:
    name: str
    sections: dict[str, Any]  # "routers" | "middlewares" → round-trip mapping


def read_module(directory: Path, yaml: Any, prefix: str) -> ModuleSnippet:
    name = directory.resolve().name
    path = directory / SNIPPET
    if not directory.is_dir():
        raise MergeError(f"{directory}: not a module folder")
    if not path.exists():
        return ModuleSnippet(name, {})
    document = _load(yaml, read_text(path), str(path))
    http: Any = document.get("http") if hasattr(document, "get") else None
    if not hasattr(http, "get"):
        raise MergeError(f"{path}: invalid-snippet: no `http` mapping")
    sections = {s: http.get(s) for s in SECTIONS if http.get(s)}
    for section, entries in sections.items():
        for key in entries:
            if not str(key).startswith(prefix):
                raise MergeError(
                    f"{path}: not-ours: {section[:-1]} {key!r} does not start with the router"
                    f" prefix {prefix!r} (--prefix)"
                )
    return ModuleSnippet(name, sections)


def merge(
    conf_text: str,
    modules: list[ModuleSnippet],
    *,
    remove: bool = False,
    where: str = "dynamic configuration",
) -> MergeResult:
    """The dynamic configuration with `modules`' entries merged in (or taken out)."""
    mapping_indent, offset = detect_indentation(conf_text)
    yaml = _yaml(mapping_indent, offset)
    document = _load(yaml, conf_text, where) if conf_text.strip() else None
    from ruamel.yaml.comments import CommentedMap

    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise MergeError(f"{where}: invalid-yaml: the document is not a mapping")
    result = MergeResult(text=conf_text)
    edits: list[_Edit] = []
    for module in modules:
        for section_name in SECTIONS:
            wanted = {} if remove else dict(module.sections.get(section_name) or {})
            edits.extend(
                _merge_section(
                    document, section_name, module.name, wanted, result, where, 2 * mapping_indent
                )
            )
    if not result.changed:
        return result
    spliced = _splice(conf_text, edits, yaml, mapping_indent)
    if spliced is not None and _same_meaning(spliced, document, yaml, edits):
        result.text = spliced
        return result
    out = io.StringIO()
    yaml.dump(document, out)
    result.text = out.getvalue()
    return result


@dataclass(frozen=True)
class _Edit:
    section: str
    kind: str  # add | update | remove
    key: str
    module: str
    value: Any = None


def _block_end(lines: list[str], start: int, column: int) -> int:
    """The line after the block of the key at `start`, trailing blank and comment lines left out."""
    end = start + 1
    while end < len(lines):
        stripped = lines[end].strip()
        indent = len(lines[end]) - len(lines[end].lstrip(" "))
        if stripped and not stripped.startswith("#") and indent <= column:
            break
        end += 1
    while end - 1 > start and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return end


def _entry_lines(edit: _Edit, column: int, yaml: Any) -> list[str]:
    out = io.StringIO()
    yaml.dump({edit.key: edit.value}, out)
    lines = [" " * column + line for line in out.getvalue().splitlines(keepends=True)]
    lines[0] = lines[0].rstrip("\n") + f"  # {MARKER} {edit.module}\n"
    return lines


def _splice(text: str, edits: list[_Edit], yaml: Any, mapping_indent: int) -> str | None:
    """`text` with `edits` made line by line, every other line untouched; None when it can't."""
    from ruamel.yaml.comments import CommentedMap

    document = yaml.load(text) if text.strip() else None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if document is not None and not isinstance(document, CommentedMap):
        return None
    http = document.get("http") if document is not None else None
    if http is not None and (not isinstance(http, CommentedMap) or _is_flow(http)):
        return None
    if document is not None and "http" in document and http is None:
        return None
    changes: list[tuple[int, int, list[str]]] = []  # lines [start, end) become the list
    new_sections: list[str] = []
    emptied: list[str] = []
    pad = " " * mapping_indent
    for name in SECTIONS:
        mine = [e for e in edits if e.section == name]
        adds = [e for e in mine if e.kind == "add"]
        if not mine:
            continue
        section = http.get(name) if http is not None else None
        if section is None:
            if http is not None and name in http:
                return None
            if adds:
                new_sections.append(f"{pad}{name}:\n")
                new_sections.extend(
                    line for e in adds for line in _entry_lines(e, 2 * mapping_indent, yaml)
                )
            continue
        assert http is not None  # the section was read from it
        if not isinstance(section, CommentedMap) or _is_flow(section) or not section:
            return None
        keys = list(section)
        column = section.lc.key(keys[0])[1]
        spans = {
            k: (section.lc.key(k)[0], _block_end(lines, section.lc.key(k)[0], column)) for k in keys
        }
        removed = {e.key for e in mine if e.kind == "remove"}
        if not adds and not [k for k in keys if k not in removed]:
            line, at = http.lc.key(name)
            changes.append((line, _block_end(lines, line, at), []))
            emptied.append(name)
            continue
        for edit in mine:
            if edit.kind == "add":
                continue
            start, end = spans[edit.key]
            new = [] if edit.kind == "remove" else _entry_lines(edit, column, yaml)
            changes.append((start, end, new))
        if adds:
            end = max(span[1] for span in spans.values())
            changes.append((end, end, [ln for e in adds for ln in _entry_lines(e, column, yaml)]))
    if http is not None and emptied and set(http) <= set(emptied) and not new_sections:
        assert document is not None  # http was read from it
        line, at = document.lc.key("http")
        end = _block_end(lines, line, at)
        if end == len(lines):  # the blank line that went in before it goes too
            while line > 0 and not lines[line - 1].strip():
                line -= 1
        changes = [(line, end, [])]
    elif new_sections and http is not None:
        assert document is not None  # http was read from it
        line, at = document.lc.key("http")
        end = _block_end(lines, line, at)
        changes.append((end, end, new_sections))
    elif new_sections:
        blank = ["\n"] if lines and lines[-1].strip() else []
        changes.append((len(lines), len(lines), [*blank, "http:\n", *new_sections]))
    for start, end, new in sorted(changes, key=lambda c: c[0], reverse=True):
        lines[start:end] = new
    return "".join(lines)


def _same_meaning(text: str, merged: Any, yaml: Any, edits: list[_Edit]) -> bool:
    """The spliced text reads back as the merged document, with our markers on our keys."""
    try:
        document = yaml.load(text)
    except Exception:
        return False
    if _plain(document or {}) != _plain(merged):
        return False
    for edit in edits:
        if edit.kind == "remove":
            continue
        section = document["http"][edit.section]
        if owner(section, edit.key) != edit.module:
            return False
    return True


def _section(document: Any, name: str, create: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap

    http = document.get("http")
    if http is None:
        if not create:
            return None
        http = document["http"] = CommentedMap()
    if not isinstance(http, CommentedMap):
        raise MergeError("invalid-yaml: `http` is not a mapping")
    section = http.get(name)
    if section is None:
        if not create:
            return None
        section = http[name] = CommentedMap()
    if not isinstance(section, CommentedMap):
        raise MergeError(f"invalid-yaml: `http.{name}` is not a mapping")
    return section


def _merge_section(
    document: Any,
    section_name: str,
    module: str,
    wanted: dict[str, Any],
    result: MergeResult,
    where: str,
    key_column: int,
) -> list[_Edit]:
    singular = section_name[:-1]
    section = _section(document, section_name, create=bool(wanted))
    edits: list[_Edit] = []
    if section is None:
        return edits
    for key in list(section):
        holder = owner(section, key)
        if key in wanted and holder != module:
            why = (
                f"it belongs to module {holder!r}"
                if holder
                else "it was not written by nomad-k8s-gen"
            )
            raise MergeError(
                f"{where}: clash: {singular} {key!r} already exists and {why};"
                " rename or remove it first"
            )
        if holder == module and key not in wanted:
            _delete_keeping_trailing_lines(section, key)
            result.changed.append(f"removed {singular} {key}")
            edits.append(_Edit(section_name, "remove", key, module))
    for key, value in wanted.items():
        if key in section:
            if _plain(section[key]) == _plain(value):
                continue
            section[key] = value
            result.changed.append(f"updated {singular} {key}")
            edits.append(_Edit(section_name, "update", key, module, value))
        else:
            section[key] = value
            result.changed.append(f"added {singular} {key}")
            edits.append(_Edit(section_name, "add", key, module, value))
        section.yaml_add_eol_comment(f"# {MARKER} {module}", key, column=key_column + len(key) + 3)
    if not section:
        del document["http"][section_name]
        if not document["http"]:
            del document["http"]
    return edits


def _end_slot(node: Any) -> tuple[dict[Any, list[Any]], Any, int] | None:
    """Where ruamel keeps the comment after the last line of `node`: (items, key, index)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and node:
        key = list(node)[-1]
        deeper = _end_slot(node[key]) if not _is_flow(node[key]) else None
        return deeper or (node.ca.items, key, 2)
    if isinstance(node, CommentedSeq) and node:
        index = len(node) - 1
        deeper = _end_slot(node[index]) if not _is_flow(node[index]) else None
        return deeper or (node.ca.items, index, 0)
    return None


def _is_flow(node: Any) -> bool:
    fa = getattr(node, "fa", None)
    return bool(fa is not None and fa.flow_style())


def _delete_keeping_trailing_lines(section: Any, key: str) -> None:
    """Delete `key`; blank lines and comments after it stay where they were."""
    keys = list(section)
    trailing = ""
    if keys[-1] == key and len(keys) > 1:
        slot = _end_slot(section[key]) or (section.ca.items, key, 2)
        items, where, index = slot
        token = (items.get(where) or [None] * 4)[index]
        if token is not None and "\n" in token.value:
            trailing = token.value.split("\n", 1)[1]
    del section[key]
    if not trailing:
        return
    from ruamel.yaml.tokens import CommentToken

    previous = keys[-2]
    items, where, index = _end_slot(section[previous]) or (section.ca.items, previous, 2)
    slots = items.setdefault(where, [None, None, None, None])
    if slots[index] is None:
        slots[index] = CommentToken("\n" + trailing, _mark(), None)
    else:
        slots[index].value = slots[index].value.rstrip("\n") + "\n" + trailing


def _mark() -> Any:
    from ruamel.yaml.error import CommentMark

    return CommentMark(0)


def schema_errors(text: str, schema: dict[str, Any]) -> set[str]:
    """The places where `text` breaks the Traefik file-provider schema, as `path: message`."""
    import jsonschema
    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(text) or {}
    validator = jsonschema.Draft7Validator(schema)
    return {
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator.iter_errors(document)
    }


def load_schema(path: Path | None) -> dict[str, Any]:
    if path is not None:
        return json.loads(read_text(path))
    package = resources.files("generator") / "data" / "traefik-v3-file-provider.json"
    return json.loads(package.read_text(encoding="utf-8"))


def run(
    conf: Path,
    module_dirs: list[Path],
    *,
    remove: bool,
    prefix: str,
    schema_path: Path | None,
) -> tuple[str, MergeResult]:
    original = read_text(conf)
    snippet_yaml = _yaml()
    modules = [read_module(d, snippet_yaml, prefix) for d in module_dirs]
    names = [m.name for m in modules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise MergeError(f"{twice[0]}: usage: module given twice")
    result = merge(original, modules, remove=remove, where=str(conf))
    if result.changed:
        schema = load_schema(schema_path)
        new = schema_errors(result.text, schema) - schema_errors(original, schema)
        if new:
            first = sorted(new)[0]
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            raise MergeError(f"{conf}: schema: the merged file breaks the schema at {first}{more}")
    return original, result


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("dynamic_conf", type=click.Path(path_type=Path))
@click.argument("module_dirs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--remove", is_flag=True, help="Take the modules' routers and middlewares out.")
@click.option("--prefix", default="k8s-", show_default=True, help="The routers' name prefix.")
@click.option(
    "--schema",
    "schema_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Traefik v3 file-provider JSON Schema (default: the copy shipped with the package).",
)
def main(
    dynamic_conf: Path,
    module_dirs: tuple[Path, ...],
    check: bool,
    show_diff: bool,
    remove: bool,
    prefix: str,
    schema_path: Path | None,
) -> None:
    """Merge MODULE_DIRs' traefik-routers.yml into the Traefik file DYNAMIC_CONF."""
    try:
        original, result = run(
            dynamic_conf, list(module_dirs), remove=remove, prefix=prefix, schema_path=schema_path
        )
    except MergeError as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_INPUT)
    if show_diff:
        sys.stdout.writelines(
            difflib.unified_diff(
                original.splitlines(True),
                result.text.splitlines(True),
                f"a/{dynamic_conf}",
                f"b/{dynamic_conf}",
            )
        )
    if check or show_diff:
        for change in result.changed:
            click.echo(f"{dynamic_conf}: would have {change}", err=True)
        sys.exit(EXIT_DIFFERS if check and result.changed else EXIT_OK)
    if not result.changed:
        click.echo(f"{dynamic_conf}: up to date")
        return
    try:
        write_text_atomically(dynamic_conf, result.text)
    except OSError as error:
        click.echo(f"{dynamic_conf}: unwritable: {error.strerror or error}", err=True)
        sys.exit(EXIT_INPUT)
    for change in result.changed:
        click.echo(f"{dynamic_conf}: {change}")


if __name__ == "__main__":
    main()
