"""The conversion matrix is generated from the table, current, and complete."""

from __future__ import annotations

import re

from generator.conversion_rules import RULES
from generator.diagnostic_codes import CODES
from tests.shared_access import REPO
from tools.conversion_matrix import render_matrix


def test_committed_matrix_is_current() -> None:
    committed = (REPO / "docs" / "conversion-matrix.md").read_text(encoding="utf-8")
    assert committed == render_matrix(), "docs/conversion-matrix.md is stale: run `make docs`"


def test_every_code_in_the_source_is_registered_and_documented() -> None:
    source = "\n".join(p.read_text() for p in (REPO / "generator").rglob("*.py"))
    used = set(re.findall(r'InputError\(\s*[^,]+,\s*[^,]+,\s*"([a-z0-9-]+)"', source))
    used |= set(re.findall(r'Severity\.[A-Z]+,\s*"([a-z0-9-]+)"', source))
    used |= set(re.findall(r'code="([a-z0-9-]+)"', source))
    assert used, "the scan found no codes: the patterns above are out of date"
    assert used <= set(CODES), sorted(used - set(CODES))
    matrix = render_matrix()
    for code in CODES:
        assert f"`{code}`" in matrix


def test_rule_paths_are_unique_and_well_formed() -> None:
    paths = [rule.path for rule in RULES]
    assert len(paths) == len(set(paths))
    for path in paths:
        assert re.fullmatch(r"job(\.[a-z_*]+)*(\.\*\*)?", path), path
