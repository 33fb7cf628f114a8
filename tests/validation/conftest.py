"""Session fixtures for the validation tests."""

from __future__ import annotations

import pytest
from validation_helpers import require_shared

from generator.validation.locate import SchemaPlan, plan_schemas


@pytest.fixture(scope="session")
def shared_plan() -> SchemaPlan:
    """The schema plan from `../shared` (skips when it is absent)."""
    require_shared()
    return plan_schemas()
