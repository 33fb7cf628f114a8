"""Writing a module directory all at once, or not at all."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def write_module(target: Path, files: dict[str, str]) -> list[Path]:
    """Replace `target` with exactly `files`; a failure leaves the old directory intact."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, content in sorted(files.items()):
            (staging / name).write_text(content, encoding="utf-8")
        backup = None
        if target.exists():
            backup = target.with_name(f".{target.name}.old")
            if backup.exists():
                shutil.rmtree(backup)
            target.rename(backup)
        staging.rename(target)
        if backup is not None:
            shutil.rmtree(backup)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / name for name in sorted(files)]


def differences(target: Path, files: dict[str, str]) -> list[str]:
    """Why `target` does not hold exactly `files` (empty when it does)."""
    problems = []
    existing = {p.name for p in target.iterdir() if p.is_file()} if target.is_dir() else set()
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
