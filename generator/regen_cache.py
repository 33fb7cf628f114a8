"""The no-op `make regen`: nothing is generated when no input of the output changed.

The key is a hash of everything that decides the output: the generator's own files
(source, templates, data), the installed distributions and Python, every file under
the specs folder (settings, spec YAMLs, jobspecs and what they read there), the
jobspecs and files read elsewhere (recorded at the last full regeneration, with the git
repository around each jobspec's folder, which bounds file()), and `NOMAD_VAR_*`.
The written modules are hashed too, so a hand edit or a deleted file regenerates.
Anything unreadable or unexpected means "changed": regenerate.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

CACHE_FILE = ".nomad-k8s-gen-cache.json"
_VERSION = 1
_PACKAGE = Path(__file__).resolve().parent


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tree_hash(root: Path, skip: Iterable[str] = ()) -> str:
    """Every file under `root` (relative path and bytes); `skip` names folders or files."""
    digest = hashlib.sha256()
    skipped = set(skip)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skipped)
        for name in sorted(files):
            if name in skipped:
                continue
            path = Path(folder, name)
            digest.update(f"{path.relative_to(root)}\0".encode("utf-8", "surrogateescape"))
            # A FIFO or device is never read: it could block.
            digest.update(_file_hash(path).encode() if path.is_file() else b"not a file")
    return digest.hexdigest()


def _distributions() -> list[str]:
    """Installed distributions with their versions (their `*.dist-info` folder names)."""
    names: list[str] = []
    for entry in sys.path:
        if os.path.isdir(entry):
            names.extend(n for n in os.listdir(entry) if n.endswith(".dist-info"))
    return sorted(names)


def _git_root(folder: Path) -> str:
    base = folder.resolve()
    return next((str(d) for d in (base, *base.parents) if (d / ".git").exists()), "")


def path_state(path: Path) -> str:
    """What a file function would see at `path`: a file's bytes, a folder's files, or none."""
    if path.is_file():
        return "file " + _file_hash(path)
    if path.exists() and not path.is_dir():
        return "not a file"
    if path.is_dir():
        return (
            "folder "
            + hashlib.sha256(
                "\0".join(sorted(str(p.relative_to(path)) for p in path.rglob("*"))).encode(
                    "utf-8", "surrogateescape"
                )
            ).hexdigest()
        )
    return "missing"


def inputs_key(specs_dir: Path, env: Mapping[str, str]) -> str | None:
    """The hash of every input but the files read, or None when one cannot be read."""
    try:
        return _inputs_key(specs_dir, env)
    except OSError:
        return None


def _inputs_key(specs_dir: Path, env: Mapping[str, str]) -> str:
    variables = sorted((k, v) for k, v in env.items() if k.startswith("NOMAD_VAR_"))
    parts = {
        "version": _VERSION,
        "python": sys.version,
        "generator": _tree_hash(_PACKAGE, skip=["__pycache__"]),
        "distributions": _distributions(),
        "specs": _tree_hash(specs_dir),
        "specs_git": _git_root(specs_dir),
        "env": variables,
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogateescape")
    return hashlib.sha256(text).hexdigest()


def outputs_hash(out_dir: Path) -> str:
    return _tree_hash(out_dir, skip=[CACHE_FILE])


def _read(out_dir: Path) -> dict | None:
    try:
        data = json.loads((out_dir / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == _VERSION else None


def is_fresh(out_dir: Path, key: str | None) -> bool:
    """True only when the inputs, the files read and the written modules are as last time."""
    if key is None:
        return False
    data = _read(out_dir)
    if data is None or data.get("key") != key:
        return False
    try:
        if any(_git_root(Path(f)) != root for f, root in data["roots"].items()):
            return False
        if any(path_state(Path(p)) != state for p, state in data["accessed"].items()):
            return False
        return bool(data["outputs"] == outputs_hash(out_dir))
    except (OSError, KeyError, TypeError, AttributeError, ValueError):
        return False


def forget(out_dir: Path) -> None:
    """Drops the record before generating, so a run that stops halfway is never fresh."""
    with contextlib.suppress(OSError):  # a folder that cannot be written is the writer's to tell
        (out_dir / CACHE_FILE).unlink(missing_ok=True)


def remember(out_dir: Path, key: str, jobspecs: Iterable[Path], accessed: Iterable[Path]) -> None:
    """Records this regeneration; when that fails, the next regen simply generates again."""
    try:
        _remember(out_dir, key, list(jobspecs), list(accessed))
    except OSError:
        forget(out_dir)


def _remember(out_dir: Path, key: str, read: list[Path], accessed: list[Path]) -> None:
    folders = {str(p.resolve().parent) for p in read}
    files = {str(p.resolve()) for p in [*read, *accessed]}
    data = {
        "version": _VERSION,
        "key": key,
        "roots": {f: _git_root(Path(f)) for f in sorted(folders)},
        "accessed": {f: path_state(Path(f)) for f in sorted(files)},
        "outputs": outputs_hash(out_dir),
    }
    (out_dir / CACHE_FILE).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
