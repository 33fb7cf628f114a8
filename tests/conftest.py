"""Shared-directory access for the tests: only tests marked `shared` may read ../shared.

`../shared` (or `$NOMAD_K8S_GEN_SHARED`) holds the corpus and the real schemas. A test
that reads it must be marked `@pytest.mark.shared` (module-level `pytestmark` where
the whole file does), so `pytest -m "not shared"` is a loop that needs nothing beside
the checkout. Every way into ../shared goes through `tests.shared_access.shared_path()`,
the fixtures below, or the validation tooling's `find_shared`, and each fails an
unmarked test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from tests.shared_access import (
    REPO,
    SHARED,
    SHARED_ENV,
    require_shared_marker,
    running,
    shared_path,
)

# CI explores the same examples on every run, so a submission's result does not depend on
# the draw; a developer's run (no CI variable) keeps exploring new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SHARED_FIXTURES = {
    "shared_plan",
    "shared_corpus",
    "cluster_state",
    "cluster_state_jobspecs",
    "cluster_state_generations",
}


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Record the running test, for the checks below (fixtures of any scope see it)."""
    with running(item):
        yield


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A session fixture built once is not rebuilt: check who asks for it, every time."""
    wanted = sorted(SHARED_FIXTURES & set(getattr(item, "fixturenames", ())))
    if wanted and item.get_closest_marker("shared") is None:
        pytest.fail(
            f"{item.nodeid} uses {', '.join(wanted)} (../shared) but is not marked shared",
            pytrace=False,
        )


def _guard_find_shared() -> None:
    """Make the validation tooling's `find_shared` refuse unmarked tests."""
    from tools.validation import locate, runtime_check

    real = locate.find_shared

    def guarded(environ: Mapping[str, str] | None = None) -> tuple[Path | None, str]:
        configured = (os.environ if environ is None else environ).get(SHARED_ENV)
        candidate = Path(configured) if configured else REPO.parent / "shared"
        if candidate.absolute() == SHARED.absolute():
            require_shared_marker(str(candidate / "schemas"))
        return real(environ)

    locate.find_shared = guarded
    runtime_check.find_shared = guarded


_guard_find_shared()


# ---- shared builders --------------------------------------------------------


@pytest.fixture(scope="session")
def shared_plan() -> Any:
    """The schema plan from ../shared (skips when it is absent)."""
    from tools.validation.locate import find_shared, plan_schemas

    shared, reason = find_shared()
    if shared is None:
        pytest.skip(reason)
    return plan_schemas()


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """../shared/corpus, the 551 real jobspecs (skips when it is absent)."""
    return shared_path("corpus")


@pytest.fixture(scope="session")
def cluster_state() -> Path:
    """../shared/corpus/cluster-state, the real homelab (skips when it is absent)."""
    return shared_path("corpus", "cluster-state")


@pytest.fixture(scope="session")
def cluster_state_jobspecs(cluster_state: Path) -> list[Path]:
    return sorted(cluster_state.glob("*.nomad.hcl"))


@pytest.fixture(scope="session")
def cluster_state_generations(
    cluster_state_jobspecs: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Every cluster-state jobspec through the pipeline: a `Generation` written under
    `["__out__"]`, or the `InputError` it exits 2 with."""
    from generator.diagnostics import InputError
    from generator.pipeline import generate
    from generator.service_spec import ServiceSpec
    from generator.settings import Settings
    from generator.writer import write_module

    out = tmp_path_factory.mktemp("cluster-state")
    results: dict[str, Any] = {}
    for jobspec in cluster_state_jobspecs:
        service = jobspec.name.removesuffix(".nomad.hcl")
        try:
            generation = generate(service, jobspec, Settings(), ServiceSpec())
        except InputError as error:
            results[service] = error
            continue
        write_module(out / service, generation.files)
        results[service] = generation
    results["__out__"] = out
    return results
