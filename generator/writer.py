"""Writing a module folder so that `OUT/<service>` is always a complete module.

The new module is built in a staging folder beside the old one, then swapped in:
with `renameat2(RENAME_EXCHANGE)` on Linux (one atomic step), else by two renames
whose leftover (`.<service>.old`) the next run restores or removes. Every run holds
an exclusive `flock` on the output folder, so concurrent runs wait for each other.

A module folder may hold files the generator did not write: they are never removed.
The manifest `.nomad-k8s-gen` lists the files a run wrote; anything else is named and
refused, or with `force` copied into the new module. Terraform state or a working
directory in a module folder is always refused.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
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
MANIFEST_HEADER = "# Files nomad-k8s-gen wrote here; it never removes any other file.\n"
# What the generator could write before the manifest existed (folders without one).
LEGACY_NAMES = frozenset(
    {"versions.tf", "variables.tf", "outputs.tf", "main.tf", "secrets.tf", "traefik-routers.yml"}
)
TERRAFORM_STATE = re.compile(r"^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*)$")
LOCK_TIMEOUT_SECONDS = 120.0

# Called with the name of each step as it completes; tests kill the process there.
step_hooks: list[Callable[[str], None]] = []


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


def write_module(target: Path, files: dict[str, str], force: bool = False) -> Written:
    """Make `target` hold `files`; at every instant `target` is the old or the new module."""
    encoded = _encoded(target, files)
    parent = target.parent
    _make_parent(parent)
    with _locked(parent):
        notes = _recover(target)
        previous = _inspect(target, set(files), force)
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


def _manifest(target: Path) -> set[str]:
    try:
        text = (target / MANIFEST).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return set(LEGACY_NAMES)
    except OSError:
        return set()
    return {line for line in text.splitlines() if line and not line.startswith("#")}


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
        manifest = MANIFEST_HEADER + "".join(f"{name}\n" for name in sorted(files))
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
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


def differences(target: Path, files: dict[str, str]) -> list[str]:
    """Why `target` does not hold exactly `files` (empty when it does)."""
    problems = []
    existing = (
        {p.name for p in target.iterdir() if p.is_file() and p.name != MANIFEST}
        if target.is_dir()
        else set()
    )
    for name, content in sorted(files.items()):
        path = target / name
        if name not in existing:
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"{path}: differs from what the generator writes")
    problems.extend(
        f"{target / name}: not written by the generator" for name in sorted(existing - set(files))
    )
    return problems
