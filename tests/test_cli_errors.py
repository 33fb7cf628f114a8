"""Every failure of the environment or the input: one line, exit 2; a bug: exit 3, no traceback."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.regen import main as regen_main
from generator.writer import MANIFEST
from tests.shared_access import REPO

JOBSPEC = (
    'job "j" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
    '      config { image = "x:1" }\n    }\n  }\n}\n'
)
WITH_VAR = 'variable "x" {\n  type = string\n}\n' + JOBSPEC.replace(
    'image = "x:1" }', 'image = "x:1" }\n      env { A = var.x }'
)


@pytest.fixture
def jobspec(tmp_path: Path) -> Path:
    path = tmp_path / "j.nomad.hcl"
    path.write_text(JOBSPEC)
    return path


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def one_line_exit_2(result) -> str:
    assert result.exit_code == 2, (result.output, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---- item 4: data deleted --------------------------------------------------------------


def test_a_module_folder_with_state_and_extra_files_is_refused_and_kept(
    tmp_path: Path, jobspec: Path
) -> None:
    out = tmp_path / "out"
    assert run("j", "--jobspec", str(jobspec), "--out", str(out)).exit_code == 0
    module = out / "j"
    module.chmod(0o755)
    for name in ("terraform.tfstate", ".terraform.lock.hcl", "README.md", "extra.tf"):
        (module / name).write_text(name)
    (module / ".terraform").mkdir()
    before = sorted(p.name for p in module.iterdir())
    for force in ([], ["--force"]):
        line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out), *force))
        assert line.startswith(f"{module}: terraform-state: ")
    assert sorted(p.name for p in module.iterdir()) == before
    assert stat_mode(module) == 0o755


def test_extra_files_are_named_then_kept_with_force(tmp_path: Path, jobspec: Path) -> None:
    out = tmp_path / "out"
    assert run("j", "--jobspec", str(jobspec), "--out", str(out)).exit_code == 0
    module = out / "j"
    module.chmod(0o755)
    (module / "NOTES.md").write_text("read me")
    (module / "extra.tf").write_text("# mine")
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out)))
    assert line.startswith(f"{module}: foreign-files: ")
    assert "NOTES.md, extra.tf" in line and "--force" in line
    forced = run("j", "--jobspec", str(jobspec), "--out", str(out), "--force")
    assert forced.exit_code == 0
    assert "kept NOTES.md" in forced.output
    assert (module / "NOTES.md").read_text() == "read me"
    assert (module / "extra.tf").read_text() == "# mine"
    assert stat_mode(module) == 0o755


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o7777


def test_regen_refuses_foreign_files_in_one_line_and_force_keeps_them(tmp_path: Path) -> None:
    out = tmp_path / "modules-k8s"
    args = ["--specs", str(REPO / "specs"), "--out", str(out)]
    runner = CliRunner()
    assert runner.invoke(regen_main, args).exit_code == 0
    (out / "searxng" / "NOTES.md").write_text("notes")
    result = runner.invoke(regen_main, args)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"{out / 'searxng'}: foreign-files: holds files the generator did not write (NOTES.md);"
        " move them away, or pass --force to keep them in the new module"
    ]
    assert runner.invoke(regen_main, [*args, "--force"]).exit_code == 0
    assert (out / "searxng" / "NOTES.md").read_text() == "notes"
    assert (out / "searxng" / MANIFEST).is_file()


def test_check_ignores_the_manifest_and_hidden_folders(tmp_path: Path) -> None:
    out = tmp_path / "modules-k8s"
    args = ["--specs", str(REPO / "specs"), "--out", str(out)]
    runner = CliRunner()
    assert runner.invoke(regen_main, args).exit_code == 0
    (out / ".searxng.staging-abc").mkdir()
    result = runner.invoke(regen_main, [*args, "--check"])
    assert result.exit_code == 0, result.stderr


# ---- item 6: no traceback, exit 2 --------------------------------------------------------


def test_out_that_is_a_file_is_one_line_naming_it(tmp_path: Path, jobspec: Path) -> None:
    out = tmp_path / "out"
    out.write_text("")
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out)))
    assert line == f"{out}: output-folder: not a folder"


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_module_path_that_is_a_file_or_symlink_is_one_line_every_time(
    tmp_path: Path, jobspec: Path, kind: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    if kind == "file":
        (out / "j").write_text("")
    else:
        (tmp_path / "real").mkdir()
        (out / "j").symlink_to(tmp_path / "real")
    for _ in range(2):
        line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out)))
        assert line.startswith(f"{out / 'j'}: output-folder: ")
    assert sorted(p.name for p in out.iterdir()) == ["j"]


def test_json_report_carries_an_output_error(tmp_path: Path, jobspec: Path) -> None:
    out = tmp_path / "out"
    out.write_text("")
    result = run("j", "--jobspec", str(jobspec), "--out", str(out), "--report", "json")
    assert result.exit_code == 2
    assert '"code": "output-folder"' in result.stdout


SETTINGS_CASES = {
    "binary": (b"\x89PNG\r\n\x1a\n\xff\xfe\x00", "unreadable: not UTF-8 text"),
    "utf16-no-bom": ("namespace: x\n".encode("utf-16-le"), "invalid-settings: invalid YAML: "),
    "bad-regex": (b"secret_paths:\n  - match: '('\n    replace: x\n", ":2: invalid-settings: "),
    "bad-replace": (b"secret_paths:\n  - match: a\n    replace: '\\9'\n", ":2: invalid-settings: "),
    "bad-yaml": (b"namespace: x\nlabels: {a: [\n", ":3: invalid-settings: invalid YAML: "),
    "tab": (b"namespace: x\n\tlabels: {}\n", ":2: invalid-settings: invalid YAML: "),
    "deep": (b"a: " + b"[" * 20000, "too-deep: "),
}


@pytest.mark.parametrize("case", sorted(SETTINGS_CASES))
def test_bad_settings_files_are_one_line(tmp_path: Path, jobspec: Path, case: str) -> None:
    content, expected = SETTINGS_CASES[case]
    settings = tmp_path / "settings.yaml"
    settings.write_bytes(content)
    out = tmp_path / "out"
    args = ["j", "--jobspec", str(jobspec), "--out", str(out), "--settings", str(settings)]
    line = one_line_exit_2(run(*args))
    assert line.startswith(str(settings)) and expected in line, line
    assert not out.exists()


@pytest.mark.parametrize(
    ("where", "expected"), [("folder", "a folder, not a file"), ("/dev/zero", "larger than")]
)
def test_settings_that_are_a_folder_or_endless_are_one_line(
    tmp_path: Path, jobspec: Path, where: str, expected: str
) -> None:
    settings = str(tmp_path) if where == "folder" else where
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--settings", settings))
    assert line == f"{settings}: unreadable: {expected}" or expected in line


def test_utf16_settings_with_a_bom_are_read(tmp_path: Path, jobspec: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_bytes(codecs.BOM_UTF16_LE + "namespace: apps\n".encode("utf-16-le"))
    out = tmp_path / "out"
    result = run("j", "--jobspec", str(jobspec), "--out", str(out), "--settings", str(settings))
    assert result.exit_code == 0, result.stderr
    assert 'default     = "apps"' in (out / "j" / "variables.tf").read_text()


@pytest.mark.parametrize("value", ["x=a\udcffb", "x\udcff=a", "x=\ud800"])
def test_a_var_that_is_not_utf8_is_one_line(tmp_path: Path, value: str) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(WITH_VAR)
    out = tmp_path / "out"
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out), "--var", value))
    assert line.startswith("--var: invalid-argument: ") and "not UTF-8" in line
    assert not out.exists()


def test_a_nomad_var_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(WITH_VAR)
    out = tmp_path / "out"
    env = {"NOMAD_VAR_x": "a\udcffb"}
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out), env=env))
    assert line.startswith("environment: invalid-argument: NOMAD_VAR_x: not UTF-8")
    assert not out.exists()


def test_non_utf8_bytes_from_the_real_command_line_are_one_line(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(WITH_VAR)
    gen = Path(sys.executable).with_name("gen-module")
    argv = [os.fsencode(str(gen)), b"j", b"--jobspec", os.fsencode(str(jobspec))]
    argv += [b"--out", os.fsencode(str(tmp_path / "out")), b"--var", b"x=\xff"]
    env = {**os.environ, "NOMAD_VAR_y": "ok"}
    run_ = subprocess.run(argv, capture_output=True, env=env, timeout=120)
    assert run_.returncode == 2, run_.stderr
    assert run_.stderr.count(b"\n") == 1 and b"not UTF-8" in run_.stderr


def test_a_jobspec_with_a_non_utf8_name_and_bytes_is_one_line(tmp_path: Path) -> None:
    jobspec = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff.nomad.hcl"))
    jobspec.write_bytes(JOBSPEC.replace("x:1", "x:\xff1").encode("latin-1"))
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o")))
    assert "unreadable: not UTF-8 text" in line
    assert "\\udcff.nomad.hcl" in line


def test_a_lone_surrogate_escape_in_a_jobspec_is_one_line(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_text(
        JOBSPEC.replace('image = "x:1" }', 'image = "x:1" }\n env { A = "\\uD800" }')
    )
    out = tmp_path / "out"
    one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(out)))
    assert not (out / "j").exists()


# ---- item 7: exit 2 with the one line ----------------------------------------------------


def test_deep_nesting_is_one_line(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    deep = "[" * 5000 + "]" * 5000
    jobspec.write_text(
        JOBSPEC.replace('image = "x:1" }', f'image = "x:1" }}\n meta {{ a = {deep} }}')
    )
    one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o")))
    assert not (tmp_path / "o").exists()


def test_a_recursion_error_that_escapes_is_too_deep_naming_the_jobspec(
    tmp_path: Path, jobspec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def recurse(*_args: object, **_kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(pipeline, "generate", recurse)
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o")))
    assert line.startswith(f"{jobspec}: too-deep: ")


def test_a_bad_service_name_is_one_line_not_a_usage_block(tmp_path: Path, jobspec: Path) -> None:
    line = one_line_exit_2(run("Bad_Name", "--jobspec", str(jobspec), "--out", str(tmp_path)))
    assert line.startswith("gen-module: invalid-name: service name 'Bad_Name' must be")
    assert "Usage" not in line


def test_a_var_without_equals_is_one_line(tmp_path: Path, jobspec: Path) -> None:
    line = one_line_exit_2(run("j", "--jobspec", str(jobspec), "--var", "x"))
    assert line == "--var: invalid-argument: 'x' is not KEY=VALUE"


@pytest.mark.parametrize(
    "args", [["j", "--nope"], [], ["j", "--pattern", "Z"], ["j", "--report", "xml"]]
)
def test_usage_errors_are_one_line(args: list[str]) -> None:
    line = one_line_exit_2(run(*args))
    assert line.startswith("gen-module: invalid-argument: ")


def test_help_still_works() -> None:
    result = run("--help")
    assert result.exit_code == 0 and "--force" in result.output


# ---- the last resort ---------------------------------------------------------------------


def _boom(*_args: object, **_kwargs: object) -> None:
    raise ValueError("a bug\nover two lines")


def test_an_unexpected_exception_is_internal_error_exit_3_without_traceback(
    tmp_path: Path, jobspec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "generate", _boom)
    result = run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o"))
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines() == [
        "gen-module: internal error: ValueError: a bug over two lines"
        " (run again with --debug for the traceback, and report it)"
    ]


def test_debug_shows_the_traceback(
    tmp_path: Path, jobspec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "generate", _boom)
    result = run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o"), "--debug")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("gen-module: internal error: ")


@pytest.mark.parametrize(
    ("where", "expected"),
    [("folder", "unreadable: a folder, not a file"), ("/dev/zero", "input-too-large: over ")],
)
def test_a_jobspec_that_is_a_folder_or_endless_is_one_line(
    tmp_path: Path, where: str, expected: str
) -> None:
    jobspec = str(tmp_path) if where == "folder" else where
    line = one_line_exit_2(run("j", "--jobspec", jobspec, "--out", str(tmp_path / "o")))
    assert line.startswith(f"{jobspec}: {expected}")


def test_a_jobspec_with_crlf_line_ends_reads_as_before(tmp_path: Path) -> None:
    jobspec = tmp_path / "j.nomad.hcl"
    jobspec.write_bytes(JOBSPEC.replace("\n", "\r\n").encode())
    assert run("j", "--jobspec", str(jobspec), "--out", str(tmp_path / "o")).exit_code == 0
