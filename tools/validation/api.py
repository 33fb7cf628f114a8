"""The validation entry points: `validate_paths` and `validate_module`.

Both return a `ValidationReport`. Terraform core runs in worker processes in a
background thread while the pure-Python checks run here; a check that cannot
run says why in `report.skipped`, and partial coverage (a missing version
set) is in `report.notes`.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from generator.diagnostics import InputError
from tools.validation import runtime_check, schema_check
from tools.validation.locate import SchemaPlan, plan_schemas
from tools.validation.module_files import ModuleSource, find_modules, load_module
from tools.validation.report import ALL_CHECKS, Check, Finding, ModuleReport, ValidationReport
from tools.validation.terraform_check import (
    TerraformOutcome,
    run_terraform,
    unavailable_reason,
)

DEFAULT_PATHS = ("modules-k8s",)


def validate_paths(
    paths: Sequence[str | Path] = DEFAULT_PATHS,
    *,
    checks: Iterable[Check | str] | None = None,
    plan: SchemaPlan | None = None,
    allow_download: bool | None = None,
) -> ValidationReport:
    """Validate every module directory (a directory with `.tf` files) at or under `paths`."""
    directories = find_modules([Path(p) for p in paths])
    return validate_directories(
        directories, checks=checks, plan=plan, allow_download=allow_download
    )


def validate_module(
    path: str | Path,
    *,
    checks: Iterable[Check | str] | None = None,
    plan: SchemaPlan | None = None,
    allow_download: bool | None = None,
) -> ValidationReport:
    """Validate the one module in `path` (its `.tf` files, not its subdirectories)."""
    directory = Path(path)
    if not directory.is_dir() or not any(directory.glob("*.tf")):
        raise FileNotFoundError(f"{directory}: no .tf files")
    return validate_directories(
        [directory], checks=checks, plan=plan, allow_download=allow_download
    )


def validate_directories(
    directories: Sequence[Path],
    *,
    checks: Iterable[Check | str] | None = None,
    plan: SchemaPlan | None = None,
    allow_download: bool | None = None,
) -> ValidationReport:
    wanted = tuple(Check(c) for c in checks) if checks is not None else ALL_CHECKS
    report = ValidationReport(checks=wanted)
    modules = [load_module(directory) for directory in directories]
    report.modules = [
        ModuleReport(m.path, m.display, resources=m.resource_count()) for m in modules
    ]
    if {Check.TERRAFORM, Check.SCHEMA, Check.CRD} & set(wanted):
        plan = plan or plan_schemas(allow_download=allow_download)
    else:
        plan = plan or SchemaPlan((), None)
    _plan_skips(report, plan)
    traefik_schema = _traefik_schema(report)
    terraform = _start_terraform(report, modules, plan)
    for module, module_report in zip(modules, report.modules, strict=True):
        _python_checks(module, module_report, report, plan)
        if Check.RUNTIME in report.checks:
            start = time.perf_counter()
            module_report.findings.extend(runtime_check.check_module(module, traefik_schema))
            module_report.timings["runtime"] = time.perf_counter() - start
    outcome = terraform.wait()
    report.skipped.update(outcome.skipped)
    for index, module_report in enumerate(report.modules):
        module_report.findings.extend(outcome.findings.get(index, []))
        module_report.timings.update(outcome.timings.get(index, {}))
        module_report.findings.sort(key=Finding.sort_key)
    return report


def _plan_skips(report: ValidationReport, plan: SchemaPlan) -> None:
    report.notes.extend(plan.notes)
    if not plan.version_sets:
        for check in (Check.TERRAFORM, Check.SCHEMA):
            if check in report.checks:
                report.skipped[check] = plan.no_version_sets or "no provider schema available"
    if plan.crd_dir is None and Check.CRD in report.checks:
        report.skipped[Check.CRD] = plan.no_crd_dir or "no CRD schemas available"
    elif Check.CRD in report.checks and importlib.util.find_spec("jsonschema") is None:
        report.skipped[Check.CRD] = "PyPI jsonschema is not installed (pip install -e '.[dev]')"
    labels = plan.labels
    report.terraform_labels = labels if Check.TERRAFORM not in report.skipped else []
    report.schema_labels = labels if Check.SCHEMA not in report.skipped else []


def _traefik_schema(report: ValidationReport) -> Path | None:
    """The Traefik schema for the runtime check; its absence is a note, the rest still runs."""
    if Check.RUNTIME not in report.checks:
        return None
    path, reason = runtime_check.traefik_schema()
    if path is not None and importlib.util.find_spec("jsonschema") is None:
        path, reason = None, "PyPI jsonschema is not installed (pip install -e '.[dev]')"
    if path is None:
        report.notes.append(f"router snippets not checked against the Traefik v3 schema: {reason}")
    return path


def _python_checks(
    module: ModuleSource, module_report: ModuleReport, report: ValidationReport, plan: SchemaPlan
) -> None:
    parse_check = next((c for c in (Check.SCHEMA, Check.CRD) if c in report.checks), None)
    if parse_check is not None:
        module_report.findings.extend(_parse_findings(module.parse_errors, parse_check))
    if Check.SCHEMA in report.checks and Check.SCHEMA not in report.skipped:
        start = time.perf_counter()
        module_report.findings.extend(schema_check.check_module(module, plan.version_sets))
        module_report.timings["schema"] = time.perf_counter() - start
    if Check.CRD in report.checks and Check.CRD not in report.skipped and plan.crd_dir:
        from tools.validation import crd_check  # needs jsonschema, a dev dependency

        start = time.perf_counter()
        module_report.findings.extend(crd_check.check_module(module, plan.crd_dir))
        module_report.timings["crd"] = time.perf_counter() - start


def _parse_findings(errors: list[InputError], check: Check) -> list[Finding]:
    return [Finding(e.file, e.line, check, f"cannot read HCL: {e.message}") for e in errors]


class _TerraformThread:
    def __init__(self) -> None:
        self._outcome = TerraformOutcome()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(
        self, modules: list[ModuleSource], plan: SchemaPlan, fmt: bool, validate: bool
    ) -> None:
        def work() -> None:
            try:
                self._outcome = run_terraform(
                    modules, plan.version_sets, fmt=fmt, validate=validate
                )
            except BaseException as error:  # re-raised in the caller's thread
                self._error = error

        self._thread = threading.Thread(target=work, name="terraform-validate", daemon=True)
        self._thread.start()

    def wait(self) -> TerraformOutcome:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._outcome


def _start_terraform(
    report: ValidationReport, modules: list[ModuleSource], plan: SchemaPlan
) -> _TerraformThread:
    thread = _TerraformThread()
    fmt = Check.FMT in report.checks
    validate = Check.TERRAFORM in report.checks and Check.TERRAFORM not in report.skipped
    if not (fmt or validate) or not modules:
        return thread
    reason = unavailable_reason()
    if reason is not None:
        for check, wanted in ((Check.FMT, fmt), (Check.TERRAFORM, validate)):
            if wanted:
                report.skipped[check] = reason
        report.terraform_labels = []
        return thread
    thread.start(modules, plan, fmt, validate)
    return thread
