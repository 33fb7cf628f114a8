"""Helpers for the validation tests: the valid fixture module, skips, text edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools.validation.locate import find_shared
from tools.validation.terraform_check import unavailable_reason

FIXTURES = Path(__file__).parent / "fixtures"
VALID_MODULE = FIXTURES / "valid_module"


def require_shared() -> Path:
    shared, reason = find_shared()
    if shared is None:
        pytest.skip(reason)
    return shared


def require_terraform() -> None:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"terraform core unavailable: {reason}")


def copy_valid_module(target: Path) -> Path:
    shutil.copytree(VALID_MODULE, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, marker: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in {path}")
