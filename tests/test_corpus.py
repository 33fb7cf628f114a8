"""The corpus runner: enumeration, outcomes per file, crash/hang isolation, exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import tools.corpus.runner as runner
import tools.corpus.worker as worker
from generator.translate.names import service_name_problem
from tests.shared_access import SHARED
from tools.corpus import Outcome, collect_corpus, generate_all, run_corpus
from tools.corpus.cli import main
from tools.corpus.collect import service_name
from tools.corpus.summary import FileResult, Summary
from tools.corpus.worker import Task
from tools.validation.known_failures import load_known
from tools.validation.locate import OFFLINE_ENV, SHARED_ENV, SchemaPlan

VALID = """\
job "web" {
  group "web" {
    network {
      port "http" { to = 8080 }
    }
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1.27"
        ports = ["http"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
"""
MALFORMED = 'job "broken" {\n  group "g" {\n    task "t" {\n      driver = \n    }\n  }\n}\n'
NO_GROUPS = 'job "empty" {\n  datacenters = ["dc1"]\n}\n'


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Validation never downloads schemas in these tests, and reads the test's own shared
    directory (`tiny_shared`), not ../shared."""
    monkeypatch.setenv(OFFLINE_ENV, "1")
    monkeypatch.setenv(SHARED_ENV, str(tmp_path / "shared"))


def tiny_shared(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    shared = tmp_path / "shared"
    collection = shared / "corpus" / "mine"
    collection.mkdir(parents=True)
    chosen = files or {
        "web.nomad.hcl": VALID,
        "broken.nomad": MALFORMED,
        "empty.hcl": NO_GROUPS,
    }
    for name, text in chosen.items():
        (collection / name).write_text(text, encoding="utf-8")
    (collection / "README.md").write_text("not a jobspec\n", encoding="utf-8")
    (shared / "corpus" / "README.md").write_text("not a jobspec\n", encoding="utf-8")
    return shared


def test_service_names_come_from_file_names() -> None:
    assert service_name("appflowy.nomad.hcl") == "appflowy"
    assert service_name("jobs__Foo_Bar.nomad.tpl") == "foo-bar"
    assert service_name("x.hcl.sigil") == "x"
    assert service_name("▶️.hcl") == "job"
    assert service_name("apps__2fauth.hcl") == "job-2fauth"
    assert service_name("trailing__.hcl") == "trailing"
    assert len(service_name("a" * 100 + ".hcl")) == 40
    for name in ("jobs__Foo_Bar.nomad.tpl", "▶️.hcl", "apps__2fauth.hcl", "9" * 80 + ".nomad"):
        assert service_name_problem(service_name(name)) is None


def test_manifest_enumerates_listed_files_and_unlisted_jobspecs(tmp_path: Path) -> None:
    collection = tmp_path / "corpus" / "public"
    collection.mkdir(parents=True)
    for name in ("a.nomad.tpl", "b.hcl", "c.hcl", "notes.txt", "README.md"):
        (collection / name).write_text("x", encoding="utf-8")
    (collection / "MANIFEST.tsv").write_text(
        "file\trepo\tpython_hcl2_8_1_4\na.nomad.tpl\tr\tfails\nb.hcl\tr\tok\ngone.hcl\tr\tok\n",
        encoding="utf-8",
    )
    plain = tmp_path / "corpus" / "plain"
    plain.mkdir()
    (plain / "job.nomad").write_text("x", encoding="utf-8")
    (plain / "MANIFEST.md").write_text("x", encoding="utf-8")

    corpus = collect_corpus(tmp_path / "corpus")

    assert [f.relative for f in corpus.files] == [
        "plain/job.nomad",
        "public/a.nomad.tpl",
        "public/b.hcl",
        "public/c.hcl",
    ]
    assert [f.manifest_hcl2 for f in corpus.files] == [None, "fails", "ok", None]
    assert any("gone.hcl" in note for note in corpus.notes)
    assert any("public/c.hcl is not in MANIFEST.tsv" in note for note in corpus.notes)
    assert [f.relative for f in collect_corpus(tmp_path / "corpus", limit=2).files] == [
        "plain/job.nomad",
        "public/a.nomad.tpl",
    ]


def test_tiny_corpus_module_input_errors_and_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_corpus(tiny_shared(tmp_path), out=out, jobs=2)

    by_file = {r.file: r for r in summary.results}
    assert set(by_file) == {"mine/broken.nomad", "mine/empty.hcl", "mine/web.nomad.hcl"}
    web = by_file["mine/web.nomad.hcl"]
    assert web.outcome is Outcome.MODULE and web.valid, web.findings
    assert (out / "mine" / "web" / "main.tf").is_file()
    broken = by_file["mine/broken.nomad"]
    assert broken.outcome is Outcome.INPUT_ERROR and broken.error_code == "hcl-syntax"
    assert broken.error_one_line is not None
    assert broken.error_one_line.startswith("mine/broken.nomad:")
    assert not broken.parsed
    empty = by_file["mine/empty.hcl"]
    assert empty.outcome is Outcome.INPUT_ERROR and empty.error_code and empty.parsed

    rows = summary.rows(None)
    assert rows["files"] == 3
    assert rows["parsed by python-hcl2"] == 2
    assert rows["modules written"] == rows["modules valid"] == 1
    assert rows["tracebacks"] == rows["modules invalid"] == 0
    assert summary.percent_valid == 50.0
    assert summary.exit_code == 0
    text = "\n".join(summary.text_lines())
    assert "input error: hcl-syntax" in text and "valid / parsed" in text
    assert json.loads(json.dumps(summary.to_json()))["totals"]["files"] == 3


def _boom(*args: object, **kwargs: object) -> object:
    raise RuntimeError("boom")


def test_an_exception_in_generate_is_a_traceback_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(worker, "generate", _boom)  # workers are forked: they see it
    shared = tiny_shared(tmp_path, {"web.nomad.hcl": VALID})

    code = main(["--shared", str(shared), "--jobs", "1", "--report", "json"])

    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["totals"]["tracebacks"] == 1
    (failure,) = report["tracebacks"]
    assert failure["file"] == "mine/web.nomad.hcl"
    assert failure["last_line"] == "RuntimeError: boom"
    assert "test_corpus.py" in failure["traceback"]


def _tasks(shared: Path, timeout: float = 30.0) -> list[Task]:
    corpus = collect_corpus(shared / "corpus")
    scratch = shared / "scratch"
    scratch.mkdir()
    out = str(shared / "out")
    return [Task(i, f, out, str(scratch), timeout) for i, f in enumerate(corpus.files)]


def _sleepy(service: str, *args: object, **kwargs: object) -> object:
    time.sleep(30)
    raise AssertionError("not reached")


def test_a_hang_is_a_traceback_with_its_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "generate", _sleepy)
    shared = tiny_shared(tmp_path, {"web.nomad.hcl": VALID})

    (result,) = generate_all(_tasks(shared, timeout=0.5), shared / "corpus", jobs=1)

    assert result.outcome is Outcome.TRACEBACK and result.hang
    assert "_sleepy" in (result.traceback or "")
    assert result.last_line.startswith("hang:")


def _dies_on_b(service: str, *args: object, **kwargs: object) -> object:
    if service == "b":
        os._exit(3)
    raise RuntimeError(f"reached {service}")


def test_a_dying_worker_is_blamed_on_its_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "generate", _dies_on_b)
    names = ["a", "b", "c", "d", "e"]
    shared = tiny_shared(tmp_path, {f"{name}.hcl": VALID for name in names})

    results = generate_all(_tasks(shared), shared / "corpus", jobs=2)

    assert [r.service for r in results] == names
    assert all(r.outcome is Outcome.TRACEBACK for r in results)
    assert "worker process died" in results[1].last_line
    assert [r.last_line for i, r in enumerate(results) if i != 1] == [
        f"RuntimeError: reached {name}" for name in names if name != "b"
    ]


@pytest.mark.shared
def test_cluster_state_gives_no_traceback_and_no_invalid_module(
    tmp_path: Path, cluster_state: Path
) -> None:
    shared = tmp_path / "shared"
    (shared / "corpus").mkdir(parents=True)
    (shared / "corpus" / "cluster-state").symlink_to(cluster_state)
    if (SHARED / "schemas").is_dir():
        (shared / "schemas").symlink_to(SHARED / "schemas")

    summary = run_corpus(shared)

    assert len(summary.results) == 25
    assert [r.file for r in summary.tracebacks] == []
    known = load_known(Path(__file__).parent / "known-runtime-failures-cluster-state.txt")
    unexpected = [
        (r.file, finding)
        for r in summary.invalid
        for finding in r.findings
        if _runtime_key(finding) not in known
    ]
    assert unexpected == []
    assert summary.malformed == []
    assert summary.exit_code == (1 if summary.invalid else 0)


def _runtime_key(finding: str) -> str | None:
    """A corpus finding line as a known-runtime-failures entry; None for other checks."""
    match = re.match(
        r"^(?P<file>[^:]+?)(:\d+)?: runtime: (?P<rule>[a-z-]+): (?P<rest>.*)$", finding
    )
    if match is None:
        return None
    path = Path(match["file"])
    return f"{path.parent.name}/{path.name}: {match['rule']}: {match['rest']}"


def _blocks_alarm(service: str, *args: object, **kwargs: object) -> object:
    import signal

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as a loop in C code would
    time.sleep(30)
    raise AssertionError("not reached")


def test_a_hang_the_alarm_cannot_stop_ends_the_worker_and_is_blamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "generate", _blocks_alarm)
    monkeypatch.setattr(worker, "HARD_GRACE", 0.5)
    shared = tiny_shared(tmp_path, {"web.nomad.hcl": VALID})

    (result,) = generate_all(_tasks(shared, timeout=0.5), shared / "corpus", jobs=1)

    assert result.outcome is Outcome.TRACEBACK and result.hang
    assert "Timeout" in (result.traceback or "") and "_blocks_alarm" in (result.traceback or "")
    assert result.last_line.startswith("hang:")


def _blocks_everything(service: str, *args: object, **kwargs: object) -> object:
    import faulthandler

    faulthandler.cancel_dump_traceback_later()  # as if even faulthandler could not act
    return _blocks_alarm(service)


def test_the_parent_kills_a_worker_nothing_else_could_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.corpus.runner as runner

    monkeypatch.setattr(worker, "generate", _blocks_everything)
    monkeypatch.setattr(worker, "HARD_GRACE", 0.2)
    monkeypatch.setattr(runner, "WATCHDOG_GRACE", 0.2)
    monkeypatch.setattr(runner, "POLL_SECONDS", 0.1)
    shared = tiny_shared(tmp_path, {"web.nomad.hcl": VALID})

    (result,) = generate_all(_tasks(shared, timeout=0.2), shared / "corpus", jobs=1)

    assert result.outcome is Outcome.TRACEBACK and result.hang
    assert "killed by the corpus runner" in (result.traceback or "")


def _mutated_module_result(tmp_path: Path) -> tuple[FileResult, Path]:
    out = tmp_path / "out"
    module = out / "mine" / "svc"
    shutil.copytree(Path(__file__).parent / "validation" / "fixtures" / "valid_module", module)
    text = (module / "main.tf").read_text(encoding="utf-8")
    (module / "main.tf").write_text(
        text.replace('target_port = "http"', 'target_port = "web"'), encoding="utf-8"
    )
    result = FileResult("mine/svc.nomad", "mine", "svc", Outcome.MODULE, module_dir="mine/svc")
    return result, out


@pytest.mark.parametrize("fail", [True, False])
def test_runtime_findings_are_invalid_unless_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail: bool
) -> None:
    monkeypatch.setattr(runner, "RUNTIME_FINDINGS_FAIL", fail)
    result, out = _mutated_module_result(tmp_path)
    summary = Summary("corpus", None, [result])
    runner.validate_results(summary, out, SchemaPlan((), None))

    assert result.valid is (not fail)
    assert result.finding_kinds == ["runtime/service-target-port"]
    assert result.findings[0].startswith(
        "mine/svc/main.tf:128: runtime: service-target-port: kubernetes_service.app: "
        'target_port "web" (TCP)'
    )
    assert summary.rows(None)["modules failing runtime"] == 1
    assert summary.rows(None)["modules failing schema"] == 0
    assert list(summary.runtime_by_rule()) == ["service-target-port"]
    text = "\n".join(summary.text_lines())
    assert "runtime: service-target-port (1 times)" in text
    assert "  service-target-port:\n    mine/svc.nomad: mine/svc/main.tf:128: runtime:" in text
    assert text.splitlines()[-1].endswith("1 runtime errors")
    assert summary.to_json()["runtime_findings_by_rule"]["service-target-port"]["count"] == 1


def test_migratable_files_leave_out_only_refusals_of_input_that_cannot_migrate() -> None:
    from tools.corpus.summary import FileResult, Summary

    def result(name: str, code: str | None, valid: bool | None = None) -> FileResult:
        outcome = Outcome.MODULE if code is None else Outcome.INPUT_ERROR
        found = FileResult(name, "c", name, outcome, error_code=code, valid=valid)
        found.manifest_hcl2 = "ok"
        return found

    summary = Summary(
        "corpus",
        None,
        [
            result("a", None, True),
            result("b", "missing-variable"),  # a variable without value is a module input
            result("c", "invalid-value"),
            result("d", "no-containers"),
        ],
    )
    assert summary.percent_valid_of_migratable == 50.0
    assert "valid / migratable (target >= 98%)" in "\n".join(summary.text_lines())
