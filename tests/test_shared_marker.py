"""Only tests marked `shared` may read ../shared; without it they skip with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.shared_access import REPO, SHARED_ENV

pytest_plugins = ["pytester"]

PROBES = """
import pytest
from tests.shared_access import shared_path

from tools.validation.locate import find_shared


def test_unmarked_path():
    shared_path("corpus")


def test_unmarked_fixture(cluster_state):
    pass


def test_unmarked_tooling():
    find_shared()


@pytest.mark.shared
def test_marked_path():
    shared_path("corpus")


@pytest.mark.shared
def test_marked_plan(shared_plan):
    pass


def test_not_shared():
    pass
"""


def test_unmarked_readers_fail_and_marked_ones_skip_with_a_reason(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(Path(__file__).with_name("conftest.py"), pytester.path / "conftest.py")
    pytester.makeini(f"[pytest]\npythonpath = {REPO}\nmarkers =\n    shared: reads ../shared\n")
    pytester.makepyfile(test_probes=PROBES)
    monkeypatch.setenv(SHARED_ENV, str(pytester.path / "absent"))

    result = pytester.runpytest_subprocess("-rs", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, failed=2, skipped=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_unmarked_fixture uses cluster_state* but is not marked shared*",
            "*test_unmarked_path reads *absent/corpus but is not marked shared*",
            "*test_unmarked_tooling reads *absent/schemas but is not marked shared*",
            "SKIPPED*absent/corpus is absent*",
            "SKIPPED*absent not found*",
        ]
    )
