"""Writing a module folder so that `OUT/<service>` is always a complete module.

The new module is built in a staging folder beside the old one, then swapped in:
with `renameat2(RENAME_EXCHANGE)` on Linux (one atomic step), else by two renames
whose leftover (`.<service>.old`) the next run restores or removes. Every run holds
an exclusive `flock` on the output folder, so concurrent runs wait for each other.

A module folder may hold files the generator did not write: they are never removed.
The manifest `.nomad-k8s-gen` lists the files a run wrote, each with the sha256 of what
it wrote (`sha256sum` format); anything else is named and refused, or with `force` copied
into the new module. A listed file whose content no longer has its hash was edited by
hand: refused, or with `force` overwritten. Terraform state or a working directory in a
module folder is always refused.
"""

from __future__ import annotations

import ctypes
import difflib
import errno
import fcntl
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import InputError

MANIFEST = ".nomad-k8s-gen"
MANIFEST_HEADER = (
    "# Files nomad-k8s-gen wrote here, with the sha256 of what it wrote;"
    " it never removes any other file.\n"
)
_HASHED_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
# What the generator could write before the manifest existed (folders without one).
LEGACY_NAMES = frozenset(
    {"versions.tf", "variables.tf", "outputs.tf", "main.tf", "secrets.tf", "traefik-routers.yml"}
)
TERRAFORM_STATE = re.compile(r"^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*)$")
LOCK_TIMEOUT_SECONDS = 120.0

# Called with the name of each step as it completes; tests kill the process there.
step_hooks: list[Callable[[str], None]] = []

# (file name, text edited by hand, text the generator writes) -> the spec's `overrides:`
# YAML that expresses the edit, or None when none does.
Explain = Callable[[str, str, str], str | None]


class OutputError(InputError):
    """The output folder cannot take the module: exit 2, one line naming the folder."""

    def __init__(self, path: Path, code: str, message: str) -> None:
        super().__init__(str(path), None, code, message)


@dataclass
class Written:
    """What a `write_module` run did."""

    files: list[Path]
    kept: list[str] = field(default_factory=list)  # files the generator did not write
    notes: list[str] = field(default_factory=list)  # recovery after an interrupted run
    overwritten: list[str] = field(default_factory=list)  # hand-edited files replaced (--force)


class HandEditedError(OutputError):
    """Generated files edited by hand since they were written: exit 2; `hints` follow the line."""

    def __init__(self, path: Path, message: str, hints: list[str]) -> None:
        super().__init__(path, "hand-edited", message)
        self.hints = tuple(hints)


def write_module(
    target: Path,
    files: dict[str, str],
    force: bool = False,
    explain: Explain | None = None,
) -> Written:
    """Make `target` hold `files`; at every instant `target` is the old or the new module.

    `explain` turns a hand edit into the override that expresses it, for the refusal.
    """
    encoded = _encoded(target, files)
    parent = target.parent
    _make_parent(parent)
    with _locked(parent):
        notes = _recover(target)
        previous = _inspect(target, set(files), force)
        edited = hand_edited(target, encoded)
        if edited and not force:
            edits = [HandEdit(target / name, name, files.get(name)) for name in edited]
            raise hand_edit_refusal(target, edits, explain)
        staging = _staging(target)
        try:
            _fill(staging, target, encoded, previous)
            _step("staged")
            _swap(staging, target, exists=previous is not None)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Written(
        files=[target / name for name in sorted(files)],
        kept=previous.foreign if previous else [],
        notes=notes,
        overwritten=edited,
    )


def hand_edited(target: Path, new: dict[str, bytes]) -> list[str]:
    """Files the manifest lists with a hash their content no longer has (and that the new
    module would change). A manifest without hashes (older versions) refuses nothing."""
    edited = []
    for name, recorded in sorted(recorded_hashes(target).items()):
        path = target / name
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue  # not a file now: `_inspect` names it as foreign
            current = path.read_bytes()
        except FileNotFoundError:
            continue  # deleted: writing it again loses nothing
        except OSError as error:
            raise _failure(path, error) from None
        if _sha256(current) != recorded and current != new.get(name):
            edited.append(name)
    return edited


@dataclass(frozen=True)
class HandEdit:
    path: Path
    shown: str  # as the refusal names it
    generated: str | None  # what the generator writes there now


def hand_edit_refusal(
    where: Path, edits: list[HandEdit], explain: Explain | None
) -> HandEditedError:
    """Exit 2 naming every edited file; the hints say which override expresses each edit."""
    hints = []
    for edit in edits:
        if explain is None or edit.generated is None:
            continue
        current = edit.path.read_text(encoding="utf-8", errors="replace")
        try:
            suggestion = explain(edit.path.name, current, edit.generated)
        except Exception as error:  # a hint must not hide the refusal itself
            hints.append(f"  {edit.shown}: no override suggested ({type(error).__name__}: {error})")
            continue
        if suggestion:
            hints.append(f"  {edit.shown}: in the spec, this override expresses the edit:")
            hints.extend(f"    {line}" for line in suggestion.rstrip("\n").splitlines())
    hints.append(
        "  move the edit into the spec (overrides:) or specs/<service>/*.tf, or pass --force"
        " to overwrite it"
    )
    return HandEditedError(
        where,
        f"{', '.join(e.shown for e in edits)} edited by hand since the generator wrote"
        " them; regenerating would lose the edit (--force overwrites it)",
        hints,
    )


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def manifest_text(files: dict[str, bytes]) -> str:
    return MANIFEST_HEADER + "".join(
        f"{_sha256(content)}  {name}\n" for name, content in sorted(files.items())
    )


@dataclass
class _Previous:
    mode: int
    foreign: list[str]


def _encoded(target: Path, files: dict[str, str]) -> dict[str, bytes]:
    encoded = {}
    for name, content in files.items():
        try:
            encoded[name] = content.encode("utf-8")
        except UnicodeEncodeError as error:
            raise OutputError(
                target / name, "unwritable", f"text that is not UTF-8 ({error.reason})"
            ) from None
    return encoded


def _failure(path: Path, error: OSError) -> OutputError:
    return OutputError(path, "output-folder", error.strerror or str(error))


def _make_parent(parent: Path) -> None:
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(parent, "output-folder", "not a folder") from None
    except OSError as error:
        raise _failure(parent, error) from None
    if not parent.is_dir():
        raise OutputError(parent, "output-folder", "not a folder")


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the output folder itself (no lock file is left behind)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise _failure(folder, error) from None
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        folder,
                        "output-locked",
                        f"another run has held its lock for {LOCK_TIMEOUT_SECONDS:.0f}s",
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _stale_staging(target: Path, entry: os.DirEntry[str]) -> bool:
    """A staging folder of this writer, or of the one before it (`.<name>.XXXXXXXX`)."""
    if not entry.is_dir(follow_symlinks=False):
        return False
    prefix = f".{target.name}."
    if entry.name.startswith(f"{prefix}staging-"):
        return True
    if not re.fullmatch(rf"{re.escape(prefix)}[a-z0-9_]{{8}}", entry.name):
        return False
    # Only generated files: never a folder of the operator's that happens to match.
    with os.scandir(entry.path) as inside:
        return all(e.name in LEGACY_NAMES and e.is_file(follow_symlinks=False) for e in inside)


def _recover(target: Path) -> list[str]:
    """Finish what an interrupted run left: restore or drop `.old`, remove staging folders."""
    notes = []
    old = _old(target)
    try:
        if _is_real_dir(old):
            if not os.path.lexists(target):
                os.rename(old, target)
                notes.append(f"{target}: restored from {old.name}, left by an interrupted run")
            else:
                shutil.rmtree(old)
        with os.scandir(target.parent) as entries:
            stale = [entry.path for entry in entries if _stale_staging(target, entry)]
        for path in stale:
            shutil.rmtree(path)
    except OSError as error:
        raise _failure(target.parent, error) from None
    return notes


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _inspect(target: Path, new_names: set[str], force: bool) -> _Previous | None:
    """The old folder's mode and the files in it the generator did not write."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _failure(target, error) from None
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            target, "output-folder", "a symbolic link: the generator replaces only a real folder"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise OutputError(target, "output-folder", "not a folder: move it away or choose --out")
    try:
        entries = {entry.name: entry for entry in os.scandir(target)}
    except OSError as error:
        raise _failure(target, error) from None
    state = sorted(name for name in entries if TERRAFORM_STATE.match(name))
    if state:
        raise OutputError(
            target,
            "terraform-state",
            f"holds Terraform state or a working directory ({', '.join(state)}); the generator"
            " does not replace it, even with --force: run terraform from a root module that"
            " calls this one",
        )
    ours = new_names | _manifest(target)
    foreign = sorted(
        name
        for name, entry in entries.items()
        if name != MANIFEST and not (name in ours and entry.is_file(follow_symlinks=False))
    )
    if foreign and not force:
        raise OutputError(
            target,
            "foreign-files",
            f"holds files the generator did not write ({', '.join(foreign)}); move them away,"
            " or pass --force to keep them in the new module",
        )
    return _Previous(stat.S_IMODE(info.st_mode), foreign)


def _manifest_lines(target: Path) -> list[str] | None:
    try:
        text = (target / MANIFEST).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return []
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _manifest(target: Path) -> set[str]:
    lines = _manifest_lines(target)
    if lines is None:
        return set(LEGACY_NAMES)
    return {(m.group(2) if (m := _HASHED_LINE.fullmatch(line)) else line) for line in lines}


def recorded_hashes(target: Path) -> dict[str, str]:
    """File name -> the sha256 the manifest recorded for it (none in older manifests)."""
    found = {}
    for line in _manifest_lines(target) or []:
        match = _HASHED_LINE.fullmatch(line)
        # Only names of this folder: a manifest never makes the writer read elsewhere.
        if match and "/" not in match.group(2) and match.group(2) not in (".", ".."):
            found[match.group(2)] = match.group(1)
    return found


def _staging(target: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    except OSError as error:
        raise _failure(target.parent, error) from None


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def _fill(staging: Path, target: Path, files: dict[str, bytes], previous: _Previous | None) -> None:
    try:
        os.chmod(staging, previous.mode if previous else 0o777 & ~_umask())
        for name, content in sorted(files.items()):
            (staging / name).write_bytes(content)
            _keep_mode(target / name, staging / name)
        (staging / MANIFEST).write_text(manifest_text(files), encoding="utf-8")
        for name in previous.foreign if previous else []:
            source = target / name
            if source.is_dir() and not source.is_symlink():
                shutil.copytree(source, staging / name, symlinks=True)
            else:
                shutil.copy2(source, staging / name, follow_symlinks=False)
    except OSError as error:
        raise _failure(staging, error) from None


def _keep_mode(old: Path, new: Path) -> None:
    try:
        info = os.lstat(old)
    except FileNotFoundError:
        return
    if stat.S_ISREG(info.st_mode):
        os.chmod(new, stat.S_IMODE(info.st_mode))


def _swap(staging: Path, target: Path, exists: bool) -> None:
    try:
        if not exists:
            os.rename(staging, target)
            _step("swapped")
            return
        if _exchange(staging, target):
            _step("swapped")
            shutil.rmtree(staging, ignore_errors=True)  # the old module; else the next run
            return
        old = _old(target)
        os.rename(target, old)
        _step("moved-old")
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(old, target)
            raise
        _step("swapped")
        shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        raise _failure(target, error) from None


RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
use_exchange = _renameat2 is not None  # tests turn it off to exercise the two renames


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    if not use_exchange or _renameat2 is None:
        return False
    result = _renameat2(
        _AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(RENAME_EXCHANGE)
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _step(name: str) -> None:
    for hook in step_hooks:
        hook(name)


def module_diff(target: Path, files: dict[str, str]) -> list[str]:
    """Unified diffs from what `target` holds to what writing `files` makes it hold (the
    manifest included); a file the generator did not write shows as removed. Empty when
    `target` is already that module."""
    wanted = {name: content.encode("utf-8") for name, content in files.items()}
    wanted[MANIFEST] = manifest_text(wanted).encode("utf-8")
    present = _present_files(target)
    recorded = recorded_hashes(target)
    listed = _manifest(target) if target.is_dir() else set()
    diffs = []
    for name in sorted(set(wanted) | set(present)):
        old = present.get(name)
        new = wanted.get(name)
        if old == new:
            continue
        path = target / name
        why = []
        if old is not None and name in recorded and _sha256(old) != recorded[name]:
            why.append("edited by hand since the generator wrote it")
        if new is None:
            why.append("no longer generated" if name in listed else "not written by the generator")
        diffs.append(_unified(path, old, new, why))
    return diffs


def _present_files(target: Path) -> dict[str, bytes]:
    if not target.is_dir():
        return {}
    found = {}
    for path in sorted(target.iterdir()):
        if path.is_file() and not path.is_symlink():
            found[path.name] = path.read_bytes()
        elif not TERRAFORM_STATE.match(path.name):
            found[path.name] = b"(not a regular file)\n"
    return found


def _side(prefix: str, path: Path) -> str:
    """`a/modules-k8s/x/main.tf` as git writes a relative path; an absolute one as it is."""
    return str(path) if path.is_absolute() else f"{prefix}/{path}"


def _unified(path: Path, old: bytes | None, new: bytes | None, why: list[str]) -> str:
    def lines(content: bytes | None) -> list[str]:
        text = "" if content is None else content.decode("utf-8", errors="replace")
        return text.splitlines(keepends=True)

    before, after = lines(old), lines(new)
    head = "".join(f"# {path}: {reason}\n" for reason in why)
    body = difflib.unified_diff(
        before,
        after,
        fromfile=_side("a", path) if old is not None else "/dev/null",
        tofile=_side("b", path) if new is not None else "/dev/null",
    )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in body
    )
    return head + text
