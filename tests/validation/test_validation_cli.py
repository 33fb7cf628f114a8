"""`python -m tools.validation`: output lines, the summary, skips said out loud, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.validation.validation_helpers import (
    VALID_MODULE,
    copy_valid_module,
    replace_in,
    require_shared,
)
from tools.validation import kubectl_fallback
from tools.validation.cli import main

FINDING_LINE = re.compile(r"^[^:]+\.(tf|yml):\d+: (fmt|terraform|schema|crd|runtime): ")


@pytest.mark.shared
def test_python_checks_on_a_broken_module_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_shared()
    module = copy_valid_module(tmp_path / "svc")
    replace_in(
        module / "main.tf",
        '          port {\n            name           = "http"',
        '          ports {\n            name           = "http"',
    )
    code = main([str(tmp_path), "--check", "schema", "--check", "crd", "--timings"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    findings = [line for line in lines if FINDING_LINE.match(line)]
    assert len(findings) == 1
    assert findings[0].endswith(
        "svc/main.tf:41: schema: kubernetes_deployment.app: spec.template.spec.container.ports: "
        'unknown block "ports" (did you mean "port"?)'
    )
    assert any(line.startswith("timing: ") and "schema " in line for line in lines)
    assert lines[-1] == (
        "validate: 1 module, 5 resources, 1 error "
        "(fmt off, terraform off, schema 1 [2.35.1, 2.38.0], crd 0, runtime off)"
    )


def test_without_shared_and_offline_every_skip_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NOMAD_K8S_GEN_SHARED", str(tmp_path / "missing"))
    monkeypatch.setenv("NOMAD_K8S_GEN_CACHE", str(tmp_path / "empty-cache"))
    code = main([str(VALID_MODULE), "--offline", "--check", "schema", "--check", "crd"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    reason = f"NOMAD_K8S_GEN_SHARED={tmp_path / 'missing'} not found"
    assert any(line.startswith(f"skipped: schema check: {reason}") for line in lines)
    assert any("cdktf schema rebuild failed" in line for line in lines)
    assert any(line.startswith(f"skipped: CRD check: {reason}") for line in lines)
    assert lines[-1] == (
        "validate: 1 module, 5 resources, 0 errors "
        "(fmt off, terraform off, schema skipped, crd skipped, runtime off)"
    )


def test_a_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such directory" in capsys.readouterr().err


@pytest.mark.shared
def test_a_directory_without_modules_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require_shared()
    assert main([str(tmp_path), "--check", "schema"]) == 0
    out = capsys.readouterr().out
    assert "note: no module directories" in out
    assert out.splitlines()[-1].startswith("validate: 0 modules, 0 resources, 0 errors")


def test_module_entry_point_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tools.validation", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2


@pytest.mark.shared
def test_bundled_kubectl_schema_is_the_shared_one() -> None:
    shared = require_shared()
    reference = shared / "schemas" / "terraform" / f"alekc-kubectl-{kubectl_fallback.VERSION}.json"
    assert json.loads(reference.read_text()) == kubectl_fallback.KUBECTL_2_1_3


def test_rules_prints_every_runtime_rule_with_its_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tools.validation.runtime_rules import RULE_IDS

    assert main(["--rules"]) == 0
    out = capsys.readouterr().out
    assert {line.split()[0] for line in out.splitlines() if not line.startswith(" ")} == RULE_IDS
    assert out.count("source: ") == len(RULE_IDS)


@pytest.mark.shared
def test_known_runtime_failures_do_not_fail_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = copy_valid_module(tmp_path / "svc")
    replace_in(module / "main.tf", 'target_port = "http"', 'target_port = "web"')
    assert main([str(module), "--check", "runtime"]) == 1
    failing = capsys.readouterr().out.splitlines()[0]
    assert re.match(r"^.*svc/main\.tf:\d+: runtime: service-target-port: ", failing)
    known = tmp_path / "known.txt"
    message = failing.split(": runtime: service-target-port: ", 1)[1]
    known.write_text(f"# a comment\nsvc/main.tf: service-target-port: {message}\n")
    assert main([str(module), "--check", "runtime", "--known-failures", str(known)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert ": runtime: warning: service-target-port: (known) kubernetes_service.app:" in lines[0]
    assert lines[-1].endswith(
        "0 errors, 1 warning (fmt off, terraform off, schema off, crd off, runtime 0)"
    )
