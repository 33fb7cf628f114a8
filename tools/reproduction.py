"""How much of a hand-written module a generated module reproduces.

`python -m tools.reproduction HAND_DIR GENERATED_DIR` reads every `.tf` file of
both folders (python-hcl2), flattens each resource, variable default and local
into facts — a path through blocks and attributes, repeated blocks named by their
merge key (container `name`, env `name`, volume_mount `mount_path`, …), and the
value with whitespace removed — and prints the share of the hand-written facts the
generated module also holds. Resources are paired by type, then by the most facts
in common, so a resource's Terraform name does not count; references to a
resource are compared with its name replaced by its type.

What is written differently but means the same counts as the same: a string
`local` is replaced by its value (and counted where it is used, not again on its
own), a heredoc by its text; a
`kubectl_manifest`'s `yaml_body` is read as the manifest object (paths start at
the object, as the overrides' do) and paired by `kind`; a `dynamic` block over a
list variable's default as the blocks it makes with that default; an item of a keyed block
written without its key (a Service port with no `name`) pairs with the item of
the other module it shares the most facts with.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import hcl2
import yaml

from generator.overrides.keys import MERGE_KEYS

# The key that names an item of a repeated block: the overrides' merge keys.
ITEM_KEYS = MERGE_KEYS
_REFERENCE = re.compile(r"\b((?:kubernetes|kubectl)_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b")
_META = re.compile(r"^__\w+__$")
_LOCAL = re.compile(r"\$\{local\.([A-Za-z0-9_-]+)\}")
_HEREDOC = re.compile(r"^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\n(.*?)\n?[ \t]*\2$", re.DOTALL)
_YAMLENCODE = re.compile(r"^\$\{yamlencode\((.*)\)\}$", re.DOTALL)
_UNKEYED = re.compile(r"\[\?\d+\]")

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)

Fact = tuple[str, str]  # (path, value)


Locals = dict[str, str]


def _text(value: str, local_values: Locals) -> str:
    """`value` as the text it stands for: heredoc markers off, string locals in (an escaped
    `$${` is left as written: both modules escape the same way)."""
    heredoc = _HEREDOC.match(value)
    if heredoc:
        body = heredoc.group(3)
        value = textwrap.dedent(body) if heredoc.group(1) else body
    for _ in range(8):  # a local may refer to another
        resolved = _LOCAL.sub(lambda m: local_values.get(m.group(1), m.group(0)), value)
        if resolved == value:
            break
        value = resolved
    return value


def _normalise(value: Any, local_values: Locals | None = None) -> str:
    text = str(value) if not isinstance(value, str) else _text(value, local_values or {})
    text = _REFERENCE.sub(lambda m: f"{m.group(1)}.*", text)
    return re.sub(r"\s+", "", text)


def _flatten(value: Any, path: str, out: list[Fact], local_values: Locals | None = None) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            key = key.strip('"')
            if _META.match(key):
                continue
            _flatten(sub, f"{path}.{key}" if path else key, out, local_values)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        block = path.rsplit(".", 1)[-1]
        key = ITEM_KEYS.get(block)
        for index, item in enumerate(value):
            name = item.get(key) if key else None
            if name is not None:
                item_path = f"{path}[{_normalise(name, local_values)}]"
            elif key:  # a keyed block's item without its key: paired when compared
                item_path = f"{path}[?{index}]"
            else:
                item_path = f"{path}[{index}]" if len(value) > 1 else path
            _flatten(item, item_path, out, local_values)
    elif isinstance(value, list):
        out.append(
            (path, re.sub(r"\s+", "", str([_normalise(item, local_values) for item in value])))
        )
    else:
        out.append((path, _normalise(value, local_values)))


def _load(folder: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for path in sorted(folder.glob("*.tf")):
        document = hcl2.loads(path.read_text(), serialization_options=_OPTIONS)
        for key, entries in document.items():
            merged.setdefault(key, []).extend(entries)
    return merged


def _string_locals(document: dict[str, list[Any]]) -> Locals:
    return {
        name: _text(value, {})
        for entry in document.get("locals", [])
        for name, value in entry.items()
        if isinstance(value, str)
    }


_FOR_EACH = re.compile(r"^\$\{(?:toset\()?var\.([A-Za-z0-9_-]+)\)?\}$")


def _variable_defaults(document: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        name: body["default"]
        for entry in document.get("variable", [])
        for name, body in entry.items()
        if "default" in body
    }


def _each(value: Any, block: str, item: Any) -> Any:
    """A `dynamic` block's `content` for one item: `BLOCK.value` and `BLOCK.key` put in."""
    if isinstance(value, dict):
        return {key: _each(sub, block, item) for key, sub in value.items()}
    if isinstance(value, list):
        return [_each(sub, block, item) for sub in value]
    if isinstance(value, str):
        for name in (f"${{{block}.value}}", f"${{{block}.key}}"):
            if value == name:
                return item
            value = value.replace(name, str(item))
    return value


def _expand_dynamic(value: Any, defaults: dict[str, Any]) -> Any:
    """`dynamic` blocks over a list literal or a list variable's default, written out as
    the blocks Terraform makes of them (with the default); other `dynamic` blocks stay."""
    if isinstance(value, list):
        return [_expand_dynamic(item, defaults) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, sub in value.items():
        if key != "dynamic" or not isinstance(sub, list):
            expanded = _expand_dynamic(sub, defaults)
            if isinstance(expanded, list) and isinstance(out.get(key), list):
                out[key].extend(expanded)
            else:
                out[key] = expanded
            continue
        for entry in sub:
            for block, spec in entry.items():
                for_each = spec.get("for_each") if isinstance(spec, dict) else None
                match = _FOR_EACH.match(for_each) if isinstance(for_each, str) else None
                items = defaults.get(match.group(1)) if match else for_each
                if not isinstance(items, list):
                    out.setdefault("dynamic", []).append({block: spec})
                    continue
                for item in items:
                    for content in spec.get("content", []):
                        out.setdefault(block, []).append(
                            _expand_dynamic(_each(content, block, item), defaults)
                        )
    return out


def _manifest(yaml_body: Any) -> dict[str, Any] | None:
    """The object a kubectl_manifest's `yaml_body` writes: `yamlencode({...})` or YAML text."""
    if not isinstance(yaml_body, str):
        return None
    encoded = _YAMLENCODE.match(yaml_body)
    try:
        if encoded:
            loaded = hcl2.loads(f"object = {encoded.group(1)}\n", serialization_options=_OPTIONS)
            manifest = loaded.get("object")
        else:
            manifest = yaml.safe_load(_text(yaml_body, {}))
    except Exception:  # not an object we can read (hcl2 and yaml errors): compared as text
        return None
    return manifest if isinstance(manifest, dict) else None


def _resource_facts(
    type_: str, body: dict[str, Any], local_values: Locals
) -> tuple[str, list[Fact]]:
    facts: list[Fact] = []
    manifest = _manifest(body.get("yaml_body")) if type_ == "kubectl_manifest" else None
    if manifest is None:
        _flatten(body, "", facts, local_values)
        return type_, facts
    _flatten({k: v for k, v in body.items() if k != "yaml_body"}, "", facts, local_values)
    _flatten(manifest, "", facts, local_values)
    return f"{type_} {manifest.get('kind', '')}".rstrip(), facts


def facts_by_object(folder: Path) -> dict[str, list[list[Fact]]]:
    """`resource type` (or `variable`, `locals`) → one fact list per object."""
    document = _load(folder)
    local_values = _string_locals(document)
    defaults = _variable_defaults(document)
    objects: dict[str, list[list[Fact]]] = {}
    for entry in document.get("resource", []):
        for type_, named in entry.items():
            for body in named.values():
                body = _expand_dynamic(body, defaults)
                kind, facts = _resource_facts(type_, body, local_values)
                objects.setdefault(kind, []).append(facts)
    for entry in document.get("variable", []):
        for name, body in entry.items():
            if "default" in body:
                default = _normalise(body["default"], local_values)
                objects.setdefault("variable", []).append([(name, default)])
    # A string local used elsewhere is a name for a value counted where it is used.
    text = "\n".join(path.read_text() for path in sorted(folder.glob("*.tf")))
    named = {name for name in local_values if re.search(rf"\blocal\.{re.escape(name)}\b", text)}
    for entry in document.get("locals", []):
        facts = []
        _flatten({k: v for k, v in entry.items() if k not in named}, "", facts, local_values)
        if facts:
            objects.setdefault("locals", []).append(facts)
    return objects


def _overlap(hand: list[Fact], generated: list[Fact]) -> int:
    return sum((Counter(hand) & Counter(generated)).values())


def _under(facts: list[Fact], prefix: str) -> list[Fact]:
    return [
        (path[len(prefix) :], value)
        for path, value in facts
        if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", ".", "[")
    ]


def _align(hand: list[Fact], generated: list[Fact]) -> list[Fact]:
    """`hand` with each item written without its key (`[?N]`) renamed after the item of
    the same block in `generated` it shares the most facts with (outer items first)."""
    used: set[str] = set()
    while True:
        unkeyed = next((m for path, _ in hand for m in [_UNKEYED.search(path)] if m), None)
        if unkeyed is None:
            return hand
        prefix = unkeyed.string[: unkeyed.end()]
        parent = unkeyed.string[: unkeyed.start()]
        items = {
            path[: path.index("]", len(parent)) + 1]
            for path, _ in generated
            if path.startswith(parent + "[")
        } - used
        own = _under(hand, prefix)
        best = max(
            sorted(items), key=lambda item: _overlap(own, _under(generated, item)), default=""
        )
        target = (
            best if best and _overlap(own, _under(generated, best)) else prefix.replace("?", "!")
        )
        used.add(target)
        hand = [
            (target + path[len(prefix) :] if path.startswith(prefix) else path, value)
            for path, value in hand
        ]


def compare(hand_dir: Path, generated_dir: Path) -> tuple[int, int, list[str]]:
    """(facts reproduced, facts written by hand, the facts missing)."""
    hand = facts_by_object(hand_dir)
    generated = facts_by_object(generated_dir)
    reproduced = total = 0
    missing: list[str] = []
    for kind, hand_objects in sorted(hand.items()):
        # The generated module's own key-less items are told apart from the hand's.
        candidates = [
            [(path.replace("[?", "[#"), value) for path, value in facts]
            for facts in generated.get(kind, [])
        ]
        if kind == "variable":  # variables pair by name, not by object
            candidates = [[fact for objects in candidates for fact in objects]]
            hand_objects = [[fact for objects in hand_objects for fact in objects]]
        for facts in hand_objects:
            total += len(facts)
            aligned = [_align(facts, candidate) for candidate in candidates]
            pick = max(
                range(len(candidates)),
                key=lambda i: _overlap(aligned[i], candidates[i]),
                default=None,
            )
            best = candidates[pick] if pick is not None else []
            chosen = aligned[pick] if pick is not None else facts
            found = Counter(chosen) & Counter(best)
            reproduced += sum(found.values())
            for fact, (path, value) in zip(chosen, facts, strict=True):
                if found[fact]:
                    found[fact] -= 1
                else:  # named as the hand-written module writes it
                    missing.append(f"{kind}: {path} = {value}")
            if best and kind != "variable":
                candidates.remove(best)
    return reproduced, total, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hand", type=Path)
    parser.add_argument("generated", type=Path)
    parser.add_argument("--missing", action="store_true", help="list the facts not reproduced")
    arguments = parser.parse_args(argv)
    reproduced, total, missing = compare(arguments.hand, arguments.generated)
    share = reproduced / total if total else 1.0
    print(f"{arguments.hand}: {reproduced}/{total} facts reproduced ({share:.1%})")
    if arguments.missing:
        for fact in missing:
            print(f"  missing {fact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
