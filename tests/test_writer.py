"""The writer: a complete module at OUT/<service> at every instant, nothing it did not write lost."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import writer
from generator.writer import MANIFEST, OutputError, write_module

V1 = {"main.tf": "# v1 main\n", "variables.tf": "# v1 vars\n", "secrets.tf": "# v1 secrets\n"}
V2 = {"main.tf": "# v2 main\n", "variables.tf": "# v2 vars\n", "outputs.tf": "# v2 out\n"}


def contents(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in folder.iterdir() if p.name != MANIFEST and p.is_file()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def test_a_new_module_gets_the_umask_mode_not_0700(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        write_module(tmp_path / "app", V1)
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "app").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "app" / "main.tf").stat().st_mode) == 0o644


def test_the_folder_mode_and_file_modes_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    target.chmod(0o750)
    (target / "main.tf").chmod(0o640)
    write_module(target, V2)
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert stat.S_IMODE((target / "main.tf").stat().st_mode) == 0o640
    assert contents(target) == V2


def test_a_file_the_generator_wrote_before_and_no_longer_writes_goes(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    write_module(target, V2)
    assert not (target / "secrets.tf").exists()
    listed = [line.split("  ", 1)[1] for line in (target / MANIFEST).read_text().splitlines()[1:]]
    assert listed == sorted(V2)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "state", ["terraform.tfstate", "terraform.tfstate.backup", ".terraform.lock.hcl", ".terraform"]
)
@pytest.mark.parametrize("force", [False, True])
def test_terraform_state_is_refused_even_with_force_and_never_deleted(
    tmp_path: Path, state: str, force: bool
) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    if state == ".terraform":
        (target / state / "providers").mkdir(parents=True)
        (target / state / "providers" / "p").write_text("binary")
    else:
        (target / state).write_text('{"version": 4}')
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    with pytest.raises(OutputError) as info:
        write_module(target, V2, force=force)
    assert info.value.code == "terraform-state"
    assert state in info.value.one_line()
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert contents(target)["main.tf"] == V1["main.tf"]
    assert leftovers(tmp_path) == []


def test_files_the_generator_did_not_write_are_named_and_refused(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    (target / "README.md").write_text("notes")
    (target / "extra.tf").write_text("# mine")
    with pytest.raises(OutputError) as info:
        write_module(target, V2)
    assert info.value.code == "foreign-files"
    assert "README.md, extra.tf" in info.value.one_line()
    assert info.value.one_line().startswith(f"{target}: foreign-files: ")
    assert contents(target) == {**V1, "README.md": "notes", "extra.tf": "# mine"}


def test_with_force_they_are_kept_in_the_new_module(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    (target / "README.md").write_text("notes")
    (target / "docs").mkdir()
    (target / "docs" / "a.md").write_text("a")
    written = write_module(target, V2, force=True)
    assert written.kept == ["README.md", "docs"]
    assert (target / "README.md").read_text() == "notes"
    assert (target / "docs" / "a.md").read_text() == "a"
    assert (target / "main.tf").read_text() == V2["main.tf"]
    assert not (target / "secrets.tf").exists()


def test_a_folder_without_manifest_counts_only_generator_names_as_its_own(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    for name, text in V1.items():
        (target / name).write_text(text)
    (target / "extra.tf").write_text("# mine")
    with pytest.raises(OutputError) as info:
        write_module(target, V2)
    assert "(extra.tf)" in info.value.message
    (target / "extra.tf").unlink()
    write_module(target, V2)
    assert contents(target) == V2


def test_a_generated_name_that_is_now_a_folder_is_not_ours(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    (target / "secrets.tf").unlink()
    (target / "secrets.tf").mkdir()
    with pytest.raises(OutputError, match=r"secrets\.tf"):
        write_module(target, V2)


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_a_target_that_is_not_a_folder_is_refused_every_time_and_left_alone(
    tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "app"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep")
    if kind == "file":
        target.write_text("a file")
    else:
        target.symlink_to(elsewhere)
    for _ in range(2):
        with pytest.raises(OutputError) as info:
            write_module(target, V1)
        assert info.value.code == "output-folder"
        assert info.value.one_line().startswith(f"{target}: output-folder: ")
    assert (elsewhere / "keep.txt").read_text() == "keep"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["keep.txt"]
    assert target.is_symlink() if kind == "symlink" else target.read_text() == "a file"
    assert leftovers(tmp_path) == []


def test_an_output_folder_that_is_a_file_is_one_error_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("")
    with pytest.raises(OutputError) as info:
        write_module(out / "app", V1)
    assert info.value.one_line() == f"{out}: output-folder: not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_output_folder_is_one_error_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o555)
    with pytest.raises(OutputError) as info:
        write_module(out / "app", V1)
    assert info.value.one_line().startswith(f"{out}: output-folder: ")


def test_an_unwritable_staging_folder_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writer.tempfile, "mkdtemp", refuse)
    with pytest.raises(OutputError) as info:
        write_module(tmp_path / "app", V1)
    assert info.value.one_line() == f"{tmp_path}: output-folder: Permission denied"


def test_text_that_is_not_utf8_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as info:
        write_module(tmp_path / "app", {"main.tf": "a\udcffb"})
    assert info.value.code == "unwritable"
    assert list(tmp_path.iterdir()) == []


def test_the_lock_is_waited_for_then_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "LOCK_TIMEOUT_SECONDS", 0.3)
    fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as info:
            write_module(tmp_path / "app", V1)
        assert info.value.code == "output-locked"
    finally:
        os.close(fd)
    write_module(tmp_path / "app", V1)
    assert contents(tmp_path / "app") == V1


def test_the_old_writers_leftovers_are_restored_and_cleaned(tmp_path: Path) -> None:
    # The writer before this one: killed between its two renames, it left only these.
    old = tmp_path / ".app.old"
    old.mkdir()
    for name, text in V1.items():
        (old / name).write_text(text)
    staging = tmp_path / ".app.k2j4_x9q"
    staging.mkdir()
    (staging / "main.tf").write_text("# half")
    mine = tmp_path / ".app.settings"  # eight characters, like a staging folder, but not one
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    written = write_module(tmp_path / "app", V1)
    assert written.notes and "restored" in written.notes[0]
    assert contents(tmp_path / "app") == V1
    assert leftovers(tmp_path) == [".app.settings"]


def test_renameat2_is_used_on_linux() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux's")
    assert writer._renameat2 is not None and writer.use_exchange


KILLED_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from generator import writer

    target, step, exchange = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
    writer.use_exchange = exchange
    def hook(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)
    writer.step_hooks.append(hook)
    writer.write_module(target, {V2!r})
    """).replace("{V2!r}", repr(V2))


@pytest.mark.parametrize(
    ("exchange", "step"),
    [
        (True, "staged"),
        (True, "swapped"),
        (False, "staged"),
        (False, "moved-old"),
        (False, "swapped"),
    ],
)
def test_a_writer_killed_at_any_step_leaves_a_complete_module_or_one_the_next_run_restores(
    tmp_path: Path, exchange: bool, step: str
) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    run = subprocess.run(
        [sys.executable, "-c", KILLED_WRITER, str(target), step, "1" if exchange else "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == -9, run.stderr
    if exchange or step != "moved-old":
        # With RENAME_EXCHANGE, and at every other step, OUT/app is one complete module.
        assert contents(target) in (V1, V2)
    else:
        # The one window of the two-rename fallback: the next run restores `.app.old`.
        assert not target.exists() and contents(tmp_path / ".app.old") == V1
    written = write_module(target, V1)
    assert contents(target) == V1
    assert leftovers(tmp_path) == []
    assert bool(written.notes) == (not exchange and step == "moved-old")


CONCURRENT_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from generator import writer

    target, version = Path(sys.argv[1]), sys.argv[2]
    writer.step_hooks.append(lambda name: time.sleep(0.3) if name == "staged" else None)
    writer.write_module(target, {"main.tf": f"# {version}\\n", "variables.tf": f"# {version}\\n"})
    """)


def test_concurrent_runs_on_one_output_all_succeed_one_after_another(tmp_path: Path) -> None:
    target = tmp_path / "app"
    write_module(target, V1)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(target), f"v{n}"],
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err
    final = contents(target)
    assert set(final) == {"main.tf", "variables.tf"}
    assert final["main.tf"] == final["variables.tf"]
    assert leftovers(tmp_path) == []
