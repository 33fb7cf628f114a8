"""`python -m generator.bench` over specs/ only: every stage reported, every spec counted."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from generator.bench import STAGES, main


def test_bench_reports_every_stage_and_every_spec(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    specs = [p for p in (REPO / "specs").glob("*.yaml") if p.name != "settings.yaml"]

    code = main(["--repeat", "1", "--no-corpus"])

    output = capsys.readouterr().out
    assert code == 0
    for stage in STAGES:
        assert re.search(rf"^{stage} ", output, re.MULTILINE), f"no row for stage {stage}"
    files = re.search(r"^files (\d+),", output, re.MULTILINE)
    assert files is not None, output
    assert int(files.group(1)) == len(specs)
    assert "crash:" not in output
