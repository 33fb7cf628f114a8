"""Where the checkout and ../shared are, and the guard on reading ../shared.

`../shared` (or `$NOMAD_K8S_GEN_SHARED`) holds the corpus and the real schemas. Only a
test marked `@pytest.mark.shared` may read it: `shared_path()` fails any other test, and
tests/conftest.py applies the same guard to its fixtures and to the validation tooling.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_ENV = "NOMAD_K8S_GEN_SHARED"
SHARED = Path(os.environ.get(SHARED_ENV) or REPO.parent / "shared")

_running: list[pytest.Item] = []


@contextmanager
def running(item: pytest.Item) -> Iterator[None]:
    """Record `item` as the running test while the block runs."""
    _running.append(item)
    try:
        yield
    finally:
        _running.pop()


def require_shared_marker(what: str) -> None:
    """Fail the running test unless it is marked `shared`: it is about to read `what`."""
    if not _running:
        return
    item = _running[-1]
    if item.get_closest_marker("shared") is None:
        pytest.fail(
            f"{item.nodeid} reads {what} but is not marked shared: add "
            "@pytest.mark.shared (or a module-level pytestmark) so `-m 'not shared'` skips it",
            pytrace=False,
        )


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip naming what is missing (marked tests only)."""
    path = SHARED.joinpath(*parts)
    require_shared_marker(str(path))
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside CI and dev checkouts)")
    return path
