"""Create .venv with a working pip, even where Debian's python3 lacks ensurepip.

Debian ships `venv` without `ensurepip` unless python3-venv is installed. In that
case the virtual environment is created without pip and pip is bootstrapped from
its own wheel on PyPI (which is what get-pip.py does).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

PYPI_PIP = "https://pypi.org/pypi/pip/json"


def _bootstrap_pip(python: Path) -> None:
    with urllib.request.urlopen(PYPI_PIP, timeout=60) as response:
        release = json.load(response)
    wheel = next(f for f in release["urls"] if f["filename"].endswith("-py3-none-any.whl"))
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = Path(tmp) / wheel["filename"]
        urllib.request.urlretrieve(wheel["url"], wheel_path)
        subprocess.run(
            [str(python), f"{wheel_path}/pip", "install", "--quiet", str(wheel_path)], check=True
        )


def main(target: str) -> None:
    env_dir = Path(target)
    python = env_dir / "bin" / "python"
    if not python.exists():
        try:
            venv.create(env_dir, with_pip=True)
        except (subprocess.CalledProcessError, OSError):
            venv.create(env_dir, with_pip=False, clear=True)
    if subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode:
        _bootstrap_pip(python)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".venv")
