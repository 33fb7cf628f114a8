"""Finding module directories and reading their `.tf` files into `Block` trees."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import InputError
from generator.hcl import Block, parse_hcl


@dataclass(frozen=True)
class Resource:
    """A `resource` or `data` block: `kind` is "resource" or "data"."""

    kind: str
    type: str
    name: str
    block: Block

    @property
    def address(self) -> str:
        prefix = "data." if self.kind == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class ModuleSource:
    path: Path
    display: str
    texts: dict[str, str] = field(default_factory=dict)  # file name -> text
    trees: dict[str, Block] = field(default_factory=dict)  # file name -> parsed body
    parse_errors: list[InputError] = field(default_factory=list)

    def file_display(self, name: str) -> str:
        return os.path.join(self.display, name) if self.display not in ("", ".") else name

    def text_of(self, shown: str) -> str | None:
        """The text of the file a `Block.file` (display name) came from."""
        for name, text in self.texts.items():
            if self.file_display(name) == shown:
                return text
        return None

    def resources(self) -> Iterator[Resource]:
        for tree in self.trees.values():
            for block in tree.blocks:
                if block.kind in ("resource", "data") and len(block.labels) == 2:
                    yield Resource(block.kind, block.labels[0], block.labels[1], block)

    def resource_count(self) -> int:
        return sum(1 for resource in self.resources() if resource.kind == "resource")


def display_path(path: Path) -> str:
    resolved = path.resolve()
    try:
        relative = os.path.relpath(resolved, Path.cwd())
    except ValueError:  # another drive (Windows)
        return str(resolved)
    return str(resolved) if relative.startswith("..") else relative


def find_modules(paths: Iterable[Path]) -> list[Path]:
    """Every directory holding `.tf` files at or under `paths`, in a stable order."""
    found: dict[Path, None] = {}
    for root in paths:
        if root.is_file():
            raise FileNotFoundError(f"{root}: not a directory")
        if not root.is_dir():
            raise FileNotFoundError(f"{root}: no such directory")
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
            if any(name.endswith(".tf") for name in files):
                found[Path(directory)] = None
    return list(found)


def load_module(path: Path, display: str | None = None) -> ModuleSource:
    module = ModuleSource(path=path, display=display if display is not None else display_path(path))
    for file in sorted(path.glob("*.tf")):
        name = file.name
        shown = module.file_display(name)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            module.parse_errors.append(InputError(shown, None, "unreadable", str(error)))
            continue
        module.texts[name] = text
        try:
            module.trees[name] = parse_hcl(text, shown)
        except InputError as error:
            module.parse_errors.append(error)
    return module
