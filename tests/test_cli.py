"""The `gen-module` contract: exit codes, reports, nothing written on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.regen import main as regen_main
from tests.shared_access import REPO


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_searxng_with_pattern_a_works_in_the_repo(in_repo: None, tmp_path: Path) -> None:
    result = run("searxng", "--pattern", "A", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "searxng" / "main.tf").is_file()
    assert "pattern A" in result.output


def test_json_report_shape(in_repo: None, tmp_path: Path) -> None:
    result = run("static-sites", "--out", str(tmp_path), "--report", "json")
    report = json.loads(result.stdout)
    assert set(report) == {
        "service",
        "jobspec",
        "pattern",
        "pattern_reasons",
        "written",
        "kept",
        "overwritten",
        "diagnostics",
        "overridden",
    }
    assert report["pattern"] == "A"
    assert all(Path(p).is_file() for p in report["written"])
    for diagnostic in report["diagnostics"]:
        assert diagnostic["severity"] in {"error", "warning", "info"}
        assert {"code", "message", "file", "line"} <= set(diagnostic)


MALFORMED = 'job "broken" {\n  group "g" {\n    task "t" {\n      driver = \n    }\n  }\n}\n'


def test_malformed_jobspec_exits_2_with_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    jobspec = tmp_path / "broken.nomad.hcl"
    jobspec.write_text(MALFORMED)
    out = tmp_path / "out"
    result = run("broken", "--jobspec", str(jobspec), "--out", str(out))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{jobspec}:4: hcl-syntax: invalid HCL: unexpected end of line")
    assert not out.exists()


def test_unknown_pattern_is_rejected(tmp_path: Path) -> None:
    result = run("x", "--pattern", "Z", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_invalid_settings_exit_2(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("namespace: default\nstorage_rot: /x\n")
    jobspec = REPO / "specs" / "searxng.nomad.hcl"
    result = run(
        "searxng",
        "--jobspec",
        str(jobspec),
        "--settings",
        str(settings),
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 2
    assert "storage_rot" in result.stderr
    assert not (tmp_path / "o").exists()


def test_a_failed_run_leaves_an_existing_module_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    good = run("searxng", "--jobspec", str(REPO / "specs" / "searxng.nomad.hcl"), "--out", str(out))
    assert good.exit_code == 0
    before = {p.name: p.read_text() for p in (out / "searxng").iterdir()}
    broken = tmp_path / "searxng.nomad.hcl"
    broken.write_text(MALFORMED)
    assert run("searxng", "--jobspec", str(broken), "--out", str(out)).exit_code == 2
    assert {p.name: p.read_text() for p in (out / "searxng").iterdir()} == before


def test_check_fails_after_a_generated_file_is_edited(tmp_path: Path) -> None:
    out = tmp_path / "modules-k8s"
    shutil.copytree(REPO / "modules-k8s", out)
    runner = CliRunner()
    args = ["--specs", str(REPO / "specs"), "--out", str(out), "--check"]
    assert runner.invoke(regen_main, args).exit_code == 0
    main_tf = out / "searxng" / "main.tf"
    main_tf.write_text(main_tf.read_text() + "\n# hand edit\n")
    result = runner.invoke(regen_main, args)
    assert result.exit_code == 1
    assert "searxng/main.tf" in result.output


@pytest.mark.parametrize(
    "service", sorted(p.stem for p in (REPO / "specs").glob("*.yaml") if p.stem != "settings")
)
def test_strict_passes_on_every_example_spec(in_repo: None, tmp_path: Path, service: str) -> None:
    result = run(service, "--out", str(tmp_path), "--strict")
    assert result.exit_code == 0, result.output + result.stderr


def test_strict_fails_when_something_is_neither_mapped_nor_accepted(tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text("accept: []\n")
    jobspec = REPO / "specs" / "searxng.nomad.hcl"
    result = run(
        "searxng",
        "--jobspec",
        str(jobspec),
        "--settings",
        str(settings),
        "--out",
        str(tmp_path / "o"),
        "--strict",
    )
    assert result.exit_code == 1
    assert "datacenters" in result.output
    assert (tmp_path / "o" / "searxng" / "main.tf").is_file()
    # stderr names each diagnostic that failed the run, with its file and line.
    failing = [line for line in result.stderr.splitlines() if line.startswith("  ")]
    assert f"  {jobspec}:4: info: dropped: datacenters" in "\n".join(failing)
    assert len(failing) == int(result.stderr.split("--strict: ")[1].split()[0])


def test_quiet_leaves_out_info_diagnostics_and_says_how_many(in_repo: None, tmp_path: Path) -> None:
    loud = run("searxng", "--out", str(tmp_path / "a")).output
    quiet = run("searxng", "--out", str(tmp_path / "b"), "--quiet").output
    infos = [line for line in loud.splitlines() if ": info: " in line]
    assert infos
    assert not any(": info: " in line for line in quiet.splitlines())
    assert f"({len(infos)} info diagnostics not shown" in quiet
    assert [line for line in loud.splitlines() if ": warning: " in line] == [
        line for line in quiet.splitlines() if ": warning: " in line
    ]


def test_empty_block_label_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(
        'job "j" {\n  group "g" {\n    network {\n      port "" {\n        to = 80\n      }\n'
        '    }\n    task "t" {\n      driver = "docker"\n      config { image = "x:1" }\n'
        "    }\n  }\n}\n"
    )
    result = run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{jobspec}:4: invalid-value: `port` block has an empty name"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("service", "suggestion"),
    [("../evil", "evil"), ("2fauth", "app-2fauth"), ("My_App", "my-app"), ("a" * 64, "a" * 63)],
)
def test_a_service_name_kubernetes_refuses_exits_2_and_writes_nothing(
    tmp_path: Path, service: str, suggestion: str
) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(
        'job "j" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
        '      config { image = "x:1" }\n    }\n  }\n}\n'
    )
    out = tmp_path / "deep" / "out"
    result = run(service, "--jobspec", str(jobspec), "--out", str(out))
    assert result.exit_code == 2
    assert f"service name {service!r} must be" in result.stderr
    assert f"(for example {suggestion!r})" in result.stderr
    assert list(tmp_path.rglob("*.tf")) == []
