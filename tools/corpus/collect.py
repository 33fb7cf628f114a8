"""Which files of `<shared>/corpus` the run reads, and the service name of each.

A collection (a directory directly under the corpus root) with a
`MANIFEST.tsv` is enumerated from it (its first column names the file,
relative to the collection), plus any jobspec-like file on disk the manifest
does not list; a collection without one contributes every file it holds.
README and MANIFEST files are never inputs.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "MANIFEST.tsv"
JOBSPEC_SUFFIXES = (".nomad.hcl", ".hcl", ".nomad")
# Stripped (repeatedly) from a file name to get its service name.
NAME_SUFFIXES = (".hcl", ".nomad", ".tpl", ".tmpl", ".sigil", ".j2", ".json")
# Shorter than a DNS label's 63, so names composed from it (`<name>-<group>-headless`) fit.
MAX_NAME = 40


@dataclass(frozen=True)
class CorpusFile:
    """One input: `relative` is its path under the corpus root, with `/` separators."""

    relative: str
    collection: str
    service: str
    module_dir: str  # where its module goes, relative to the output directory
    listed: bool | None = None  # named by the collection's manifest (None: no manifest)
    manifest_hcl2: str | None = None  # the manifest's python-hcl2 column ("ok", "fails")


@dataclass
class Corpus:
    root: Path
    files: list[CorpusFile]
    notes: list[str]


def is_skipped(name: str) -> bool:
    upper = name.upper()
    return name.startswith(".") or upper.startswith("README") or upper.startswith("MANIFEST")


def is_jobspec_like(name: str) -> bool:
    return not is_skipped(name) and name.endswith(JOBSPEC_SUFFIXES)


def service_name(file_name: str) -> str:
    """The name its user would give the module: `jobs__appflowy.nomad.hcl` → `appflowy`.

    Public files are named `<path with / as __>`; the last part is the file's own name.
    The result is a DNS-1035 label, as `gen-module` requires.
    """
    stem = file_name
    while True:
        lowered = stem.lower()
        suffix = next(
            (s for s in NAME_SUFFIXES if lowered.endswith(s) and len(s) < len(stem)), None
        )
        if suffix is None:
            break
        stem = stem[: -len(suffix)]
    stem = next((part for part in reversed(stem.split("__")) if part.strip("_")), stem)
    cleaned = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if cleaned[:1].isdigit():
        cleaned = f"job-{cleaned}"
    return cleaned[:MAX_NAME].rstrip("-") or "job"


def collect_corpus(corpus: Path, limit: int | None = None) -> Corpus:
    """Every input file under `corpus`, in a stable order (at most `limit`)."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"{corpus}: no such directory")
    notes: list[str] = []
    found: list[tuple[str, str, bool | None, str | None]] = []
    for entry in sorted(corpus.iterdir()):
        if entry.is_file() and is_jobspec_like(entry.name):
            found.append((entry.name, "", None, None))
        elif entry.is_dir() and not entry.name.startswith("."):
            found.extend(_collection(corpus, entry, notes))
    files = _named(found)
    return Corpus(corpus, files[:limit] if limit is not None else files, notes)


def _collection(
    corpus: Path, directory: Path, notes: list[str]
) -> list[tuple[str, str, bool | None, str | None]]:
    name = directory.name
    on_disk = sorted(_walk(directory))
    manifest = directory / MANIFEST_NAME
    if not manifest.is_file():
        return [(_relative(corpus, path), name, None, None) for path in on_disk]
    rows = _manifest_rows(manifest)
    found: list[tuple[str, str, bool | None, str | None]] = []
    listed: set[Path] = set()
    for local, hcl2 in rows:
        path = directory / local
        if not path.is_file():
            notes.append(f"{_relative(corpus, manifest)} lists {local}, which is missing")
            continue
        listed.add(path)
        found.append((_relative(corpus, path), name, True, hcl2))
    for path in on_disk:
        if path not in listed and is_jobspec_like(path.name):
            notes.append(f"{_relative(corpus, path)} is not in {MANIFEST_NAME}: read anyway")
            found.append((_relative(corpus, path), name, False, None))
    return found


def _walk(directory: Path) -> list[Path]:
    paths: list[Path] = []
    for parent, subdirectories, names in os.walk(directory):
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
        paths.extend(Path(parent) / n for n in names if not is_skipped(n))
    return paths


def _manifest_rows(manifest: Path) -> list[tuple[str, str | None]]:
    with manifest.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t")
        header = next(reader, [])
        hcl2 = next((i for i, h in enumerate(header) if h.startswith("python_hcl2")), None)
        rows = []
        for row in reader:
            if not row or not row[0].strip():
                continue
            status = row[hcl2] if hcl2 is not None and hcl2 < len(row) else None
            rows.append((row[0].strip(), status))
    return rows


def _relative(corpus: Path, path: Path) -> str:
    return path.relative_to(corpus).as_posix()


def _named(found: list[tuple[str, str, bool | None, str | None]]) -> list[CorpusFile]:
    files = []
    taken: set[str] = set()
    for relative, collection, listed, hcl2 in found:
        parent, _, file_name = relative.rpartition("/")
        service = service_name(file_name)
        module_dir = f"{parent}/{service}" if parent else service
        candidate, counter = module_dir, 2
        while candidate in taken:
            candidate, counter = f"{module_dir}-{counter}", counter + 1
        taken.add(candidate)
        files.append(CorpusFile(relative, collection, service, candidate, listed, hcl2))
    return files
