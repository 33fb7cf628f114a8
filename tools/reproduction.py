"""How much of a hand-written module a generated module reproduces.

`python -m tools.reproduction HAND_DIR GENERATED_DIR` reads every `.tf` file of
both folders (python-hcl2), flattens each resource, variable default and local
into facts — a path through blocks and attributes, repeated blocks named by their
merge key (container `name`, env `name`, volume_mount `mount_path`, …), and the
value with whitespace removed — and prints the share of the hand-written facts the
generated module also holds. Resources are paired by type, then by the most facts
in common, so a resource's Terraform name does not count; references to a
resource are compared with its name replaced by its type.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import hcl2

# The key that names an item of a repeated block (the overrides' merge keys).
ITEM_KEYS = {
    "container": "name",
    "init_container": "name",
    "env": "name",
    "port": "name",
    "volume": "name",
    "volume_mount": "mount_path",
    "rule": "host",
}
_REFERENCE = re.compile(r"\b((?:kubernetes|kubectl)_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b")
_META = re.compile(r"^__\w+__$")

_OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)

Fact = tuple[str, str]  # (path, value)


def _normalise(value: Any) -> str:
    text = str(value) if not isinstance(value, str) else value
    text = _REFERENCE.sub(lambda m: f"{m.group(1)}.*", text)
    return re.sub(r"\s+", "", text)


def _flatten(value: Any, path: str, out: list[Fact]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            key = key.strip('"')
            if _META.match(key):
                continue
            _flatten(sub, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        block = path.rsplit(".", 1)[-1]
        key = ITEM_KEYS.get(block)
        for index, item in enumerate(value):
            name = item.get(key) if key else None
            if name is not None:
                _flatten(item, f"{path}[{_normalise(name)}]", out)
            else:
                _flatten(item, f"{path}[{index}]" if len(value) > 1 else path, out)
    else:
        out.append((path, _normalise(value)))


def _load(folder: Path) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = {}
    for path in sorted(folder.glob("*.tf")):
        document = hcl2.loads(path.read_text(), serialization_options=_OPTIONS)
        for key, entries in document.items():
            merged.setdefault(key, []).extend(entries)
    return merged


def facts_by_object(folder: Path) -> dict[str, list[list[Fact]]]:
    """`resource type` (or `variable`, `locals`) → one fact list per object."""
    document = _load(folder)
    objects: dict[str, list[list[Fact]]] = {}
    for entry in document.get("resource", []):
        for type_, named in entry.items():
            for body in named.values():
                facts: list[Fact] = []
                _flatten(body, "", facts)
                objects.setdefault(type_, []).append(facts)
    for entry in document.get("variable", []):
        for name, body in entry.items():
            if "default" in body:
                objects.setdefault("variable", []).append([(name, _normalise(body["default"]))])
    for entry in document.get("locals", []):
        facts = []
        _flatten(entry, "", facts)
        objects.setdefault("locals", []).append(facts)
    return objects


def _overlap(hand: list[Fact], generated: list[Fact]) -> int:
    return sum((Counter(hand) & Counter(generated)).values())


def compare(hand_dir: Path, generated_dir: Path) -> tuple[int, int, list[str]]:
    """(facts reproduced, facts written by hand, the facts missing)."""
    hand = facts_by_object(hand_dir)
    generated = facts_by_object(generated_dir)
    reproduced = total = 0
    missing: list[str] = []
    for kind, hand_objects in sorted(hand.items()):
        candidates = list(generated.get(kind, []))
        if kind == "variable":  # variables pair by name, not by object
            candidates = [[fact for objects in candidates for fact in objects]]
            hand_objects = [[fact for objects in hand_objects for fact in objects]]
        for facts in hand_objects:
            total += len(facts)
            best = max(candidates, key=lambda c: _overlap(facts, c), default=[])
            found = Counter(facts) & Counter(best)
            reproduced += sum(found.values())
            lost = Counter(facts) - found
            missing.extend(f"{kind}: {path} = {value}" for path, value in lost.elements())
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
