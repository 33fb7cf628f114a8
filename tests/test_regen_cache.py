"""`make regen` skips generation only when nothing that decides the output changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import pipeline, regen_cache
from generator.regen import main as regen_main
from tests.shared_access import REPO

JOBSPEC = """
job "app" {
  group "app" {
    network {
      port "http" {
        to = 8080
      }
    }
    task "app" {
      driver = "docker"
      config {
        image = "nginx:1.27"
        ports = ["http"]
      }
      env {
        MOTD = file("motd.txt")
      }
    }
  }
}
"""
UNCHANGED = "nothing changed"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """specs/ (settings, one spec) naming a jobspec in jobs/ that reads jobs/motd.txt."""
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(REPO / "specs" / "settings.yaml", specs / "settings.yaml")
    shutil.copytree(REPO / "specs" / "house", specs / "house")  # its workload_additions
    (specs / "app.yaml").write_text("jobspec: ../jobs/app.nomad.hcl\n")
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "app.nomad.hcl").write_text(JOBSPEC)
    (jobs / "motd.txt").write_text("hello")
    return tmp_path


def regen(tree: Path, *extra: str) -> Result:
    args = ["--specs", str(tree / "specs"), "--out", str(tree / "out"), *extra]
    result = CliRunner().invoke(regen_main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def regenerated(tree: Path) -> bool:
    output = regen(tree).output
    assert (UNCHANGED in output) != ("app: pattern" in output), output
    return UNCHANGED not in output


@pytest.fixture
def settled(tree: Path) -> Path:
    assert regenerated(tree)
    assert not regenerated(tree)
    return tree


def test_a_second_run_generates_nothing(settled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("generated although nothing changed")

    monkeypatch.setattr(pipeline, "generate", boom)
    assert not regenerated(settled)
    assert not (settled / "out" / "app" / regen_cache.CACHE_FILE).exists()


def test_the_cache_is_not_a_module(settled: Path) -> None:
    check = regen(settled, "--check")
    assert "1 modules up to date" in check.output


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: (t / "specs" / "app.yaml").write_text(
            "jobspec: ../jobs/app.nomad.hcl\nhostnames: [app.example.org]\n"
        ),
        lambda t: (t / "jobs" / "app.nomad.hcl").write_text(JOBSPEC.replace("1.27", "1.28")),
        lambda t: (t / "jobs" / "motd.txt").write_text("changed"),
        lambda t: (t / "specs" / "settings.yaml").write_text(
            (REPO / "specs" / "settings.yaml").read_text() + "\n# edited\n"
        ),
        lambda t: (t / "specs" / "notes.txt").write_text("any file beside the specs"),
    ],
    ids=["spec", "jobspec", "file-read", "settings", "specs-folder"],
)
def test_an_input_changed_regenerates(settled: Path, edit) -> None:
    edit(settled)
    assert regenerated(settled)
    assert not regenerated(settled)


def test_a_module_edited_by_hand_is_not_skipped_but_refused(settled: Path) -> None:
    main_tf = settled / "out" / "app" / "main.tf"
    written = main_tf.read_text()
    main_tf.write_text(written + "\n# hand edit\n")
    args = ["--specs", str(settled / "specs"), "--out", str(settled / "out")]
    refused = CliRunner().invoke(regen_main, args, catch_exceptions=False)
    assert refused.exit_code == 2, refused.output
    assert "app/main.tf edited by hand" in refused.output
    assert "# hand edit" in main_tf.read_text()
    regen(settled, "--force")
    assert main_tf.read_text() == written


def test_a_deleted_module_file_is_regenerated(settled: Path) -> None:
    main_tf = settled / "out" / "app" / "main.tf"
    main_tf.unlink()
    assert regenerated(settled)
    assert main_tf.is_file()


def test_a_nomad_var_in_the_environment_regenerates(
    settled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOMAD_VAR_anything", "1")
    assert regenerated(settled)


def test_the_generator_changed_regenerates(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "pipeline.py").write_text("# one version\n")
    monkeypatch.setattr(regen_cache, "_PACKAGE", package)
    assert regenerated(tree)
    assert not regenerated(tree)
    (package / "pipeline.py").write_text("# another version\n")
    assert regenerated(tree)


def test_force_always_regenerates(settled: Path) -> None:
    assert "app: pattern" in regen(settled, "--force").output


def test_a_broken_cache_regenerates(settled: Path) -> None:
    (settled / "out" / regen_cache.CACHE_FILE).write_text("{not json")
    assert regenerated(settled)


def test_a_fifo_beside_the_specs_is_not_read(settled: Path) -> None:
    os.mkfifo(settled / "specs" / "pipe")
    assert regenerated(settled)
    assert not regenerated(settled)
